// Verify a disc long after it was burned (IMAPI's IBurnVerification done standalone):
//  - against an image: every sector of the image's length read back and compared; SHA-256 of both
//    sides over that length (each side hashed in its own worker thread for large images, the image
//    file and the disc read at the same time); sectors that differ or stay unreadable mapped to the
//    image's files. Sectors outside the disc's recorded tracks (the unrecorded gaps between the
//    sessions of a multisession disc) and sectors the drive says are unrecorded count as zeros on
//    the disc side — what `read -o X.iso` writes there — rather than as unreadable.
//  - against a folder: every file of the disc's file system (image reader over the drive) compared
//    by content (SHA-256) with the folder; files missing from the disc or extra on it reported.
//  - against the disc's own checksum manifest `.glassmaster/SHA256SUMS` (sha256sum -c format, paths
//    relative to the disc root).
// Unreadable sectors are re-read (drive-block-reader) and, like differing ones, named with the files
// that own them. The result is a DiscVerifyReport (common/model/verify.ts, one shape with the burn's
// read-back); `ok: false` is exit code 4 in the CLI.
import { createHash } from 'node:crypto';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { InvalidInputError, IoError, NotFoundError, throwIfAborted } from '../common/errors';
import { rangeSectors, type AffectedFile, type DiscVerifyReport, type VerifyFileResult } from '../common/model/verify';
import type { DiscProgress } from '../common/model/verify-report';
import type { Drive } from '../drive/drive';
import { fileBlockReader, openImage, SECTOR, type ImageInfo, type TreeFacet, type TreeNode } from '../image/reader';
import { recordedNames } from './recorded-names';
import { resolveLinkInTree, type LinkTreeNode } from '../image/layout/symlinks';
import { readDiscLayout, type DiscLayout } from '../read/disc-layout';
import { isUnrecorded, recordedPieces } from '../read/read-disc';
import { sha256Stream } from './sha256-stream';
import { readSectorsFor } from './verify-written';
import { driveBlockReader, UnreadableSectorError, type DriveBlockReader } from '../read/drive-block-reader';
import { affectedFiles, formatRanges, preferredFacet, toRanges, walkTree } from '../read/owners';

export const MANIFEST_PATH = '.glassmaster/SHA256SUMS';
/** Sectors per comparison pass (1 MiB). */
const PASS = 512;

export type VerifyTarget = { against: 'image'; image: string } | { against: 'folder'; folder: string } | { against: 'manifest' };

export interface VerifyDiscOptions {
  retries?: number;
  signal?: AbortSignal;
  onProgress?: (p: DiscProgress) => void;
}

class VerifyProgress {
  readonly t0 = Date.now();
  private readonly st: DiscProgress = { operation: 'verify', phase: 'checking-disc', sectorsDone: 0, totalSectors: 0, bytesDone: 0, badSectors: 0, kBps: 0, elapsedMs: 0 };
  constructor(private readonly cb: VerifyDiscOptions['onProgress']) {}
  emit(change: Partial<DiscProgress>): void {
    Object.assign(this.st, change);
    this.st.elapsedMs = Date.now() - this.t0;
    this.st.kBps = this.st.elapsedMs > 0 ? Math.round(this.st.bytesDone / this.st.elapsedMs) : 0;
    this.cb?.({ ...this.st });
  }
  advance(sectors: number, bytes: number, bad: number, file?: string): void {
    this.emit({ sectorsDone: this.st.sectorsDone + sectors, bytesDone: this.st.bytesDone + bytes, badSectors: this.st.badSectors + bad, file });
  }
}

export async function verifyDisc(drive: Drive, target: VerifyTarget, opts: VerifyDiscOptions = {}): Promise<DiscVerifyReport> {
  const progress = new VerifyProgress(opts.onProgress);
  progress.emit({ phase: 'checking-disc' });
  const layout = await readDiscLayout(drive, opts.signal);
  if (layout.end === 0) {
    throw new InvalidInputError('the disc in the drive is blank: there is nothing to verify', { status: layout.status });
  }
  const retried = new Set<number>();
  const reader = driveBlockReader(drive, { sectorCount: layout.end, retries: opts.retries, signal: opts.signal, onRetry: (l) => retried.add(l) });
  const report = target.against === 'image'
    ? await againstImage(driveBlockReader(drive, { sectorCount: layout.end, retries: opts.retries, signal: opts.signal, onRetry: (l) => retried.add(l), chunk: readSectorsFor(drive.maxTransferBytes) }), layout, target.image, opts, progress)
    : await againstFileSystem(reader, target, opts, progress);
  report.recoveredCount = [...retried].filter((l) => !report.unreadable.some((r) => l >= r.start && l < r.end)).length;
  report.elapsedMs = Date.now() - progress.t0;
  progress.emit({ phase: 'done' });
  return report;
}

function emptyReport(against: DiscVerifyReport['against'], reference: string): DiscVerifyReport {
  return {
    against, level: 'full', reference, ok: false, summary: '', sectorsChecked: 0, bytesChecked: 0, mismatched: [], unreadable: [],
    recoveredCount: 0, files: [], filesChecked: 0, elapsedMs: 0,
  };
}

// ---- against an image ------------------------------------------------------------------------------

async function againstImage(disc: DriveBlockReader, layout: DiscLayout, imagePath: string, opts: VerifyDiscOptions, progress: VerifyProgress): Promise<DiscVerifyReport> {
  const image = await fileBlockReader(imagePath);
  const report = emptyReport('image', imagePath);
  const dataTracks = layout.tracks.filter((t) => !t.audio);
  let wantHash: ReturnType<typeof sha256Stream> | undefined;
  let gotHash: ReturnType<typeof sha256Stream> | undefined;
  try {
    const size = (await lstat(imagePath)).size;
    if (size === 0) throw new InvalidInputError(`${imagePath} is empty`, { path: imagePath });
    const total = image.sectorCount;
    const onDisc = Math.min(total, disc.sectorCount);
    wantHash = sha256Stream({ expectedBytes: size });
    gotHash = sha256Stream({ expectedBytes: size });
    const different: number[] = [];
    const bad: number[] = [];
    /** The disc side of [lba, lba+n): recorded pieces read, gaps and unrecorded sectors zero, damaged ones listed. */
    const discSide = async (lba: number, n: number, readable: number): Promise<{ got: Buffer; badHere: number[] }> => {
      const got = Buffer.alloc(n * SECTOR);
      const badHere: number[] = [];
      for (const [a, b] of recordedPieces(dataTracks, lba, lba + readable)) {
        const r = await disc.readTolerant(a, b - a);
        r.data.copy(got, (a - lba) * SECTOR);
        for (const x of r.bad) if (!isUnrecorded(x.error)) badHere.push(x.lba);
      }
      return { got, badHere };
    };
    progress.emit({ phase: 'comparing', totalSectors: total });
    for (let lba = 0; lba < total; lba += PASS) {
      throwIfAborted(opts.signal);
      const n = Math.min(PASS, total - lba);
      // The image's last sector may be short: only its bytes count, on both sides.
      const bytes = Math.min(n * SECTOR, size - lba * SECTOR);
      const readable = Math.max(0, Math.min(n, onDisc - lba));
      // Both sides at once: the image file's read runs on libuv's pool while the drive answers.
      const [wantBuf, side] = await Promise.all([image.read(lba, n), discSide(lba, n, readable)]);
      const want = wantBuf.subarray(0, bytes);
      const gotBytes = side.got.subarray(0, bytes);
      bad.push(...side.badHere);
      if (!want.equals(gotBytes)) {
        const badSet = new Set(side.badHere);
        for (let i = 0; i < readable; i++) {
          const a = i * SECTOR;
          const b = Math.min(a + SECTOR, bytes);
          if (!badSet.has(lba + i) && !want.subarray(a, b).equals(gotBytes.subarray(a, b))) different.push(lba + i);
        }
      }
      // Compared: the buffers go to the two hashing threads (handed over, not copied, when whole);
      // the next pass's reads overlap that hashing.
      await Promise.all([wantHash.update(want, { transfer: true }), gotHash.update(gotBytes, { transfer: true })]);
      progress.advance(n, bytes, side.badHere.length);
    }
    report.sectorsChecked = onDisc;
    report.bytesChecked = size;
    report.mismatched = toRanges(different);
    report.unreadable = toRanges(bad);
    [report.expectedSha256, report.actualSha256] = await Promise.all([wantHash.digest(), gotHash.digest()]);
    if (total > disc.sectorCount) report.missingSectors = total - disc.sectorCount;
    report.ok = different.length === 0 && bad.length === 0 && !report.missingSectors && report.expectedSha256 === report.actualSha256;
    if (!report.ok && (different.length || bad.length)) {
      progress.emit({ phase: 'mapping-files' });
      // The image's own file system says who owns a sector: it is what the disc should hold.
      try {
        // On a multisession disc, through the session the disc's TOC names last (an image file has
        // no TOC, and a CD's session starts are not on the aligned sectors a file scan probes).
        const last = layout.sessions[layout.sessions.length - 1];
        const info = await openImage(image, layout.sessions.length > 1 && last.start + 17 <= image.sectorCount ? { sessionStart: last.start } : {});
        report.affectedFiles = await affectedFiles(info, [...different, ...bad]);
      } catch {
        // An image without a file system we read (a raw dump): sector ranges only.
      }
    }
    report.summary = report.ok
      ? `The disc matches ${imagePath}: ${total} sectors, SHA-256 ${report.actualSha256}.`
      : imageFailureSummary(report, imagePath);
    return report;
  } finally {
    wantHash?.close();
    gotHash?.close();
    await image.close();
  }
}

function imageFailureSummary(r: DiscVerifyReport, imagePath: string): string {
  const parts: string[] = [];
  if (r.mismatched.length) parts.push(`${rangeSectors(r.mismatched)} sectors differ (${formatRanges(r.mismatched)})`);
  if (r.unreadable.length) parts.push(`${rangeSectors(r.unreadable)} sectors are unreadable (${formatRanges(r.unreadable)})`);
  if (r.missingSectors) parts.push(`the disc ends ${r.missingSectors} sectors before the image does`);
  const files = r.affectedFiles?.filter((f) => f.kind === 'file').map((f) => f.path) ?? [];
  const owners = files.length ? `; affected: ${files.slice(0, 5).join(', ')}${files.length > 5 ? ` and ${files.length - 5} more` : ''}` : '';
  return `The disc does not match ${imagePath}: ${parts.join(', ') || 'the checksums differ'}${owners}.`;
}

// ---- against a folder or the on-disc manifest -------------------------------------------------------

async function againstFileSystem(disc: DriveBlockReader, target: Exclude<VerifyTarget, { against: 'image' }>, opts: VerifyDiscOptions, progress: VerifyProgress): Promise<DiscVerifyReport> {
  let info: ImageInfo;
  let root: TreeNode;
  let facet: TreeFacet | undefined;
  try {
    info = await openImage(disc, { signal: opts.signal });
    facet = preferredFacet(info);
    if (!facet) throw new NotFoundError('the disc has no file system tree to verify');
    root = await info.tree(facet);
  } catch (e) {
    // A damaged volume descriptor or directory: nothing can be compared, and that is the finding.
    if (!(e instanceof UnreadableSectorError)) throw e;
    const report = emptyReport(target.against === 'folder' ? 'folder' : 'manifest', target.against === 'folder' ? target.folder : MANIFEST_PATH);
    report.unreadable = toRanges([e.lba]);
    report.summary = `The disc's file system is unreadable at sector ${e.lba}: no file could be checked.`;
    return report;
  }
  const discFiles = new Map<string, TreeNode>();
  walkTree(root, (node, path) => {
    if (node.kind !== 'dir') discFiles.set(path.slice(1), node);
  });
  const report = emptyReport(target.against === 'folder' ? 'folder' : 'manifest', target.against === 'folder' ? target.folder : MANIFEST_PATH);
  const results: VerifyFileResult[] = [];
  const bad: number[] = [];
  const folders = new Set<string>();
  const expected = target.against === 'folder' ? await folderFiles(target.folder, folders) : await manifestEntries(discFiles, disc, bad);
  // A tree that cannot record links (Joliet; ISO 9660 without Rock Ridge, as preferredFacet reads
  // Rock Ridge when it is there) shows a link to a file of the disc as that file, and no other link.
  if (target.against === 'folder' && (facet === 'joliet' || facet === 'iso9660')) expectLinksAsShown(expected, folders);
  // Names the tree read here cut (Joliet at 64 characters, UDF at 255 bytes) are looked up as cut.
  const recorded = recordedNames(expected.keys(), facet!, folders);
  const renamed = recorded.paths;
  const onDisc = (path: string) => renamed.get(path) ?? path;
  const recordedForExpected = new Set([...expected.keys()].map(onDisc));
  // The manifest lists files only: a link beside them (or a folder holding no file) took part in
  // the writer's naming but not in the prediction, so a path that does not check out may sit under
  // another name than predicted — its own name, or that of any folder above it — when that name is
  // one a sibling could change (recorded.shiftable): a cut name whose '~N' a sibling took first,
  // or (Joliet) a name recorded as given that a sibling sorting before it got too (as its cut,
  // mapped name or counter), so that the entry took a counter. Once every path has been checked
  // under its predicted name, each of those is looked for, by its contents, among the disc files
  // whose path differs from the prediction only in such components, each of them a name the same
  // cut can give (`prefix~N` + the rest of the cut) — for a name recorded as given, only where the
  // disc holds that name (the sibling that took it) — that no other path verified as, and whose
  // data is not a verified file's (a link shown as that file), each disc file taken once; none
  // matching leaves the result as it was (missing, different).
  const retry: { path: string; wantSha: string; result: VerifyFileResult }[] = [];
  const verifiedAs = new Set<string>(); // disc paths that verified under their predicted name
  // The data of the disc files that verified, by first sector: a link Joliet shows as one of them
  // (a record of its own, named like any sibling) holds the same data and answers for no other path.
  const claimed = new Set<number>();
  const dataAt = (n: TreeNode): number | undefined => {
    const e = n.extents[0];
    return n.size > 0 && e && !e.embedded && !e.sparse ? e.lba : undefined;
  };
  const claim = (n: TreeNode) => {
    const at = dataAt(n);
    if (at !== undefined) claimed.add(at);
  };
  const byName = new Map<TreeNode, Map<string, TreeNode>>(); // a disc folder's children by name, when first needed
  const childNamed = (dir: TreeNode, name: string): TreeNode | undefined => {
    let m = byName.get(dir);
    if (!m) byName.set(dir, (m = new Map((dir.children ?? []).map((c) => [c.name, c]))));
    return m.get(name);
  };
  const otherCut = async (path: string, wantSha: string): Promise<string | undefined> => {
    const rec = onDisc(path);
    const given = path.split('/');
    const cut = rec.split('/');
    const loose = recorded.shiftable(path);
    // The disc entries each component can be, folder by folder from the root.
    let at: { path: string; node: TreeNode }[] = [{ path: '', node: root }];
    for (let i = 0; i < cut.length && at.length; i++) {
      const leaf = i === cut.length - 1;
      const fits = (n: TreeNode) => (leaf ? n.kind === 'file' : n.kind === 'dir');
      const next: typeof at = [];
      const push = (d: (typeof at)[number], n: TreeNode) => next.push({ path: d.path ? `${d.path}/${n.name}` : n.name, node: n });
      if (cut[i] === given[i] && !loose?.[i]) {
        // Recorded as given, and no sibling can have taken that name.
        for (const d of at) {
          const n = childNamed(d.node, cut[i]);
          if (n && fits(n)) push(d, n);
        }
      } else {
        // The name without the counter the prediction gave it (one recorded as given is its own plain name).
        const plain = cut[i] === given[i] ? cut[i] : cut[i].replace(/~\d+(?=[^~]*$)/, '');
        for (const d of at) {
          // A name recorded as given moved to a counter only when a sibling took it: the disc holds it.
          if (cut[i] === given[i] && childNamed(d.node, cut[i]) === undefined) continue;
          for (const n of d.node.children ?? []) {
            if (!fits(n)) continue;
            const m = n.name === cut[i] ? undefined : /^(.*)~\d+([^~]*)$/.exec(n.name);
            if (n.name === cut[i] || (m && plain.startsWith(m[1]) && plain.endsWith(m[2]))) push(d, n);
          }
        }
      }
      at = next;
    }
    for (const { path: p, node: n } of at) {
      const data = dataAt(n);
      if (p === rec || verifiedAs.has(p) || (data !== undefined && claimed.has(data))) continue;
      const got = await hashDiscFile(info, p, n, disc, opts.signal);
      if (!got.bad.length && got.sha256 === wantSha) {
        claim(n);
        return p;
      }
    }
    return undefined;
  };
  const settle = (path: string, wantSha: string | undefined, result: VerifyFileResult) => {
    if (target.against === 'manifest' && wantSha !== undefined && (onDisc(path) !== path || recorded.shiftable(path)) && result.status !== 'unreadable') retry.push({ path, wantSha, result });
    else results.push(result);
  };
  const totalSectors = [...expected.keys()].reduce((n, p) => n + Math.ceil((discFiles.get(onDisc(p))?.size ?? 0) / SECTOR), 0);
  progress.emit({ phase: 'comparing', totalSectors });
  for (const [path, want] of [...expected].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    throwIfAborted(opts.signal);
    const node = discFiles.get(onDisc(path));
    if (!node || (want.kind === 'sum' && node.kind === 'symlink')) {
      settle(path, want.kind === 'sum' ? want.sha256 : undefined, node ? { path, status: 'different' } : { path, status: 'missing' });
      continue;
    }
    if (want.kind === 'symlink' || node.kind === 'symlink') {
      const same = want.kind === 'symlink' && node.kind === 'symlink' && (want.target === node.symlinkTarget || sameLinkTarget(recorded.linkTarget(path, want.target), node.symlinkTarget));
      results.push({ path, status: same ? 'ok' : 'different' });
      continue;
    }
    const got = await hashDiscFile(info, onDisc(path), node, disc, opts.signal);
    report.bytesChecked += node.size;
    report.sectorsChecked += Math.ceil(node.size / SECTOR);
    progress.advance(Math.ceil(node.size / SECTOR), node.size, got.bad.length, path);
    const wantSha = want.kind === 'file' ? await hashHostFile(want.hostPath) : want.sha256;
    if (got.bad.length) {
      bad.push(...got.bad);
      results.push({ path, status: 'unreadable', expected: wantSha, size: node.size });
    } else if (got.sha256 === wantSha) {
      verifiedAs.add(onDisc(path));
      claim(node);
      results.push({ path, status: 'ok', expected: wantSha, actual: got.sha256, size: node.size });
    } else settle(path, wantSha, { path, status: 'different', expected: wantSha, actual: got.sha256, size: node.size });
  }
  for (const { path, wantSha, result } of retry) {
    const found = await otherCut(path, wantSha);
    if (found === undefined) {
      results.push(result);
      continue;
    }
    verifiedAs.add(found);
    recordedForExpected.add(found);
    results.push({ path, status: 'ok', expected: wantSha, actual: wantSha, size: discFiles.get(found)!.size });
  }
  for (const path of discFiles.keys()) {
    if (recordedForExpected.has(path)) continue;
    // The manifest is the burner's own file, not something the user staged: a disc burned from this
    // very folder must verify against it (it is extra only when the folder has a .glassmaster/ too).
    if (path === MANIFEST_PATH) continue;
    // sha256sum lists regular files only: empty files and symbolic links are not missing from it.
    if (target.against === 'manifest' && (!discFiles.get(path)!.size || discFiles.get(path)!.kind === 'symlink')) continue;
    results.push({ path, status: 'extra', size: discFiles.get(path)!.size });
  }
  const failing = results.filter((r) => r.status !== 'ok' && !(target.against === 'manifest' && r.status === 'extra'));
  report.files = results.filter((r) => r.status !== 'ok').sort((a, b) => (a.path < b.path ? -1 : 1));
  report.filesChecked = expected.size;
  report.unreadable = toRanges(bad);
  if (bad.length) report.affectedFiles = await affectedFiles(info, bad);
  report.ok = failing.length === 0;
  report.summary = fsSummary(report, target, results);
  return report;
}

function fsSummary(r: DiscVerifyReport, target: Exclude<VerifyTarget, { against: 'image' }>, results: VerifyFileResult[]): string {
  const by = (s: VerifyFileResult['status']) => results.filter((x) => x.status === s).length;
  const what = target.against === 'folder' ? `the folder ${target.folder}` : `the disc's ${MANIFEST_PATH}`;
  if (r.ok) return `Verified ${by('ok')} files against ${what}: all identical.${by('extra') ? ` (${by('extra')} ${by('extra') === 1 ? 'file' : 'files'} on the disc not listed.)` : ''}`;
  const parts = (['different', 'missing', 'unreadable', 'extra'] as const)
    .filter((s) => by(s) > 0)
    .map((s) => `${by(s)} ${s === 'missing' ? 'missing from the disc' : s === 'extra' ? 'on the disc only' : s}`);
  return `The disc does not match ${what}: ${parts.join(', ')} (of ${r.filesChecked} files).`;
}

type Expected = { kind: 'file'; hostPath: string } | { kind: 'symlink'; target: string } | { kind: 'sum'; sha256: string };

/** Every file and symlink under `folder`, by path relative to it with '/' separators. */
/** The folder's files and links by relative path; its folders (empty ones too) added to `folders`. */
async function folderFiles(folder: string, folders: Set<string>): Promise<Map<string, Expected>> {
  const out = new Map<string, Expected>();
  let st;
  try {
    st = await lstat(folder);
  } catch (err) {
    throw new IoError(`cannot read ${folder}: ${(err as Error).message}`, { path: folder, errno: (err as NodeJS.ErrnoException).code, cause: err });
  }
  if (!st.isDirectory()) throw new InvalidInputError(`${folder} is not a folder`, { path: folder });
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      const rel = relative(folder, full).split(sep).join('/');
      if (e.isDirectory()) {
        folders.add(rel);
        await walk(full);
      }
      else if (e.isSymbolicLink()) out.set(rel, { kind: 'symlink', target: await readlink(full) });
      else if (e.isFile()) out.set(rel, { kind: 'file', hostPath: full });
    }
  };
  await walk(folder);
  return out;
}

/**
 * Link targets equal as a tree can record them: UDF path components (ECMA-167 4/14.16.1) have no
 * empty component, so "a//b" and "dir/" are recorded as "a/b" and "dir".
 */
function sameLinkTarget(want: string, got: string | undefined): boolean {
  const norm = (t: string) => (t.startsWith('/') ? '/' : '') + t.split('/').filter((c) => c !== '').join('/');
  return got !== undefined && norm(want) === norm(got);
}

/**
 * The writer's rule for link-less trees (layout/symlinks.ts resolveLinkInTree), on a folder's
 * listing: a link whose target resolves, inside the folder, to a file is expected as that file's
 * data; any other link (to a folder, outside, dangling, a loop) is not expected on the disc.
 */
function expectLinksAsShown(expected: Map<string, Expected>, folders: Set<string>): void {
  // The listing as the tree resolveLinkInTree walks.
  type Node = LinkTreeNode & { path: string; children?: Map<string, Node> };
  const root: Node = { kind: 'dir', path: '', children: new Map() };
  const nodes = new Map<string, Node>([['', root]]);
  const nodeAt = (path: string, kind: Node['kind'], symlinkTarget?: string): Node => {
    let n = nodes.get(path);
    if (n) return n;
    const slash = path.lastIndexOf('/');
    const parent = nodeAt(slash < 0 ? '' : path.slice(0, slash), 'dir');
    n = { kind, path, symlinkTarget, children: kind === 'dir' ? new Map() : undefined };
    parent.children!.set(path.slice(slash + 1), n);
    nodes.set(path, n);
    return n;
  };
  for (const f of folders) nodeAt(f, 'dir');
  for (const [path, e] of expected) nodeAt(path, e.kind === 'symlink' ? 'symlink' : 'file', e.kind === 'symlink' ? e.target : undefined);
  const shown = new Map<string, Expected | undefined>();
  for (const [path, e] of expected) {
    if (e.kind !== 'symlink') continue;
    const ancestors: Node[] = [];
    for (let p = path; p !== ''; ) {
      const slash = p.lastIndexOf('/');
      p = slash < 0 ? '' : p.slice(0, slash);
      ancestors.push(nodes.get(p)!);
    }
    const file = resolveLinkInTree(nodes.get(path)!, ancestors);
    shown.set(path, file && expected.get(file.path));
  }
  for (const [path, e] of shown) {
    if (e) expected.set(path, e);
    else expected.delete(path);
  }
}

async function hashHostFile(path: string): Promise<string> {
  const h = createHash('sha256');
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new IoError(`cannot read ${path}: ${(err as Error).message}`, { path, errno: (err as NodeJS.ErrnoException).code, cause: err });
  }
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

/**
 * SHA-256 of a file on the disc, reading its extents with re-reads; sectors that stay unreadable
 * are listed (the hash then covers zeros there and is not reported).
 */
async function hashDiscFile(info: ImageInfo, path: string, node: TreeNode, disc: DriveBlockReader, signal?: AbortSignal): Promise<{ sha256: string; bad: number[] }> {
  const h = createHash('sha256');
  const bad: number[] = [];
  if (node.extents.some((e) => e.embedded)) {
    // Data inside the UDF file entry: small, read through the image reader.
    for await (const c of info.readFile(preferredFacet(info)!, path, { signal })) h.update(c);
    return { sha256: h.digest('hex'), bad };
  }
  let left = node.size;
  for (const e of node.extents) {
    let extLeft = Math.min(e.length, left);
    if (e.sparse) {
      while (extLeft > 0) {
        const n = Math.min(extLeft, PASS * SECTOR);
        h.update(Buffer.alloc(n));
        extLeft -= n;
        left -= n;
      }
      continue;
    }
    const sectors = Math.ceil(extLeft / SECTOR);
    for (let s = 0; s < sectors; s += PASS) {
      throwIfAborted(signal);
      const n = Math.min(PASS, sectors - s);
      const r = await disc.readTolerant(e.lba + s, n);
      bad.push(...r.bad.map((b) => b.lba));
      const take = Math.min(extLeft, r.data.length);
      h.update(r.data.subarray(0, take));
      extLeft -= take;
      left -= take;
    }
  }
  return { sha256: h.digest('hex'), bad };
}

/**
 * The manifest's entries: `HASH  path` / `HASH *path` lines (GNU sha256sum), a leading backslash
 * marking escaped names (\\ and \n), paths relative to the disc root (a leading ./ allowed).
 */
export function parseSha256Sums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    let line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) return;
    const escaped = line.startsWith('\\');
    if (escaped) line = line.slice(1);
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new InvalidInputError(`${MANIFEST_PATH} line ${i + 1} is not "SHA256  path": ${raw.slice(0, 80)}`, { line: i + 1 });
    let path = m[2];
    if (escaped) path = path.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
    path = path.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
    out.set(path, m[1].toLowerCase());
  });
  return out;
}

async function manifestEntries(discFiles: Map<string, TreeNode>, disc: DriveBlockReader, bad: number[]): Promise<Map<string, Expected>> {
  const node = discFiles.get(MANIFEST_PATH);
  if (!node || node.kind !== 'file') throw new NotFoundError(`the disc has no ${MANIFEST_PATH} (burn with a manifest, or verify against --image or --dir)`);
  const chunks: Buffer[] = [];
  let left = node.size;
  for (const e of node.extents) {
    const n = Math.ceil(Math.min(e.length, left) / SECTOR);
    const r = await disc.readTolerant(e.lba, n);
    if (r.bad.length) {
      bad.push(...r.bad.map((b) => b.lba));
      throw new IoError(`${MANIFEST_PATH} itself is unreadable (sectors ${r.bad.map((b) => b.lba).join(', ')})`, { path: MANIFEST_PATH });
    }
    chunks.push(r.data.subarray(0, Math.min(e.length, left)));
    left -= Math.min(e.length, left);
  }
  const sums = parseSha256Sums(Buffer.concat(chunks).toString('utf8'));
  return new Map([...sums].map(([p, sha256]) => [p, { kind: 'sum', sha256 } as Expected]));
}

export type { AffectedFile };
