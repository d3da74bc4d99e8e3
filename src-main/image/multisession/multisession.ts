// Multisession (ECMA-119 §6.2 volume space; the "next session" convention of mkisofs -C/-M):
// the previous session's tree is imported with the image reader, its files keep their recorded
// extents, new and replaced files are written once in the new session, and a complete new
// descriptor set and directory tree is placed at startLba + 16. The output holds only the new
// session (sectors startLba …); burn it at startLba or append it to the previous image file.
// With `udf`, the session also records a UDF volume describing the merged tree (see addUdf).
import { InternalError, InvalidImageError, InvalidInputError, NotSupportedError } from '../../common/errors';
import { openImage, type BlockReader, type TreeNode } from '../reader';
import { makeNode, type StagingNode, type StagingTree } from '../staging/staging-tree';
import { planImage, type DataPiece, type ImagePlan, type ImageSpec, type MetaPiece } from '../layout/plan-image';
import { extentsFor, planUdf, UDF_VOLUME_REGIONS, type UdfNodeInput, type UdfRevision } from '../udf';
import { writeImage, type WriteOptions } from '../writer/write-image';

const SECTOR = 2048;
const UDF_REVISIONS: UdfRevision[] = ['1.02', '1.50', '2.00', '2.01', '2.50'];

export interface ImportResult {
  /** The facet the names came from (Rock Ridge when present, else Joliet, else ISO 9660). */
  facet: 'rockridge' | 'joliet' | 'iso9660';
  /** First sector a new session may use (end of the previous volume space). */
  nextWritableAddress: number;
  lastSessionEnd: number;
  /** The previous session's UDF revision when it had a UDF volume: the new one should carry UDF too. */
  udfRevision?: UdfRevision;
}

/**
 * Loads the previous session's tree into `tree` (files referencing their recorded extents). The
 * source is an image file or any BlockReader (a disc in a drive: read/disc-session.ts), whose last
 * session may be named by `sessionStart` (a disc's TOC knows it).
 */
export async function importPreviousSession(tree: StagingTree, source: string | BlockReader, opts: { sessionStart?: number } = {}): Promise<ImportResult> {
  const imagePath = typeof source === 'string' ? source : 'the disc';
  const info = await openImage(source, { sessionStart: opts.sessionStart });
  try {
    // ECMA-119 §8.4.8: the volume space size covers every session so far. One that claims sectors
    // the image or disc does not hold is corrupt or hostile (0xFFFFFFFE would put the next session
    // past 32-bit sector addresses); continuing after it would reference data that is not there.
    if (info.session.lastSessionEnd >= info.sectorCount) {
      throw new InvalidImageError(`the previous session's volume space claims ${info.session.lastSessionEnd + 1} sectors, but ${imagePath} holds only ${info.sectorCount}: truncated or corrupt, no session can follow it`, { lba: info.session.lastSessionEnd });
    }
    const facet = info.facets.includes('rockridge') ? 'rockridge' : info.facets.includes('joliet') ? 'joliet' : info.facets.includes('iso9660') ? 'iso9660' : undefined;
    if (!facet) throw new NotSupportedError(`no ISO 9660 tree to continue in ${imagePath} (UDF-only images cannot take another session here)`);
    const root = await info.tree(facet);
    const conv = (n: TreeNode, p: string): StagingNode => {
      const mtime = n.mtime ? new Date(n.mtime) : new Date(0);
      const node = makeNode(n.name, n.kind, { mtime, mode: n.mode, uid: n.uid, gid: n.gid, size: n.kind === 'file' ? n.size : 0 });
      if (n.kind === 'file') {
        if (n.size > 0) {
          const ext = n.extents;
          // The new session only points at these sectors: they must be in the previous one.
          for (const e of ext) {
            if (e.lba < 0 || e.lba + Math.ceil(e.length / 2048) > info.sectorCount) {
              throw new InvalidImageError(`file ${p}: extent at sector ${e.lba} (+${Math.ceil(e.length / 2048)}) lies outside ${imagePath} (${info.sectorCount} sectors)`, { lba: e.lba, path: p });
            }
          }
          for (let i = 1; i < ext.length; i++) {
            if (ext[i].lba !== ext[i - 1].lba + ext[i - 1].length / 2048) {
              throw new NotSupportedError(`file with non-contiguous extents cannot be carried over: ${p}`, { path: p });
            }
          }
          node.source = { type: 'previous', lba: ext[0].lba };
        } else {
          node.source = { type: 'buffer', data: new Uint8Array(0) };
        }
      }
      if (n.kind === 'symlink') node.symlinkTarget = n.symlinkTarget ?? '';
      if (n.children) for (const c of n.children) node.children!.set(c.name, conv(c, `${p === '/' ? '' : p}/${c.name}`));
      return node;
    };
    const imported = conv(root, '/');
    for (const [k, v] of imported.children!) tree.root.children!.set(k, v);
    const udfRev = info.facets.includes('udf') ? info.toJSON().udf?.revision : undefined;
    // A revision we cannot write (2.60 …) continues at the highest one we can below it.
    const udfRevision = udfRev === undefined ? undefined : [...UDF_REVISIONS].reverse().find((r) => Number(r) <= Number(udfRev)) ?? '1.02';
    return { facet, nextWritableAddress: info.session.nextWritableAddress, lastSessionEnd: info.session.lastSessionEnd, udfRevision };
  } finally {
    await info.close();
  }
}

export interface MultisessionSpec extends ImageSpec {
  startLba: number;
  /** From importPreviousSession: the new session must not overlap the previous one. */
  previousEnd: number;
  /**
   * From importPreviousSession: when the previous session had UDF and `udf` is left undefined,
   * the new session carries UDF too, at this revision (unless `udfRevision` says otherwise).
   */
  previousUdfRevision?: UdfRevision;
}

/** Plans the new session; stream() yields its sectors (startLba … end). */
export async function planMultisession(spec: MultisessionSpec): Promise<{ plan: ImagePlan; stream(opts: WriteOptions): AsyncIterable<Buffer> }> {
  if (spec.startLba <= spec.previousEnd) {
    throw new InvalidInputError(`--start-lba ${spec.startLba} overlaps the previous session, which ends at sector ${spec.previousEnd}`);
  }
  if (spec.udf === undefined && spec.previousUdfRevision) {
    spec = { ...spec, udf: true, udfRevision: spec.udfRevision ?? spec.previousUdfRevision };
  }
  const wantIso = !!(spec.iso9660 || spec.joliet || spec.rockRidge);
  if (spec.udf && !wantIso) {
    // The session chain is found through the ISO 9660 descriptors (and our importer needs them).
    throw new NotSupportedError('an appended UDF session also needs iso9660 (add iso9660,joliet,rockridge to --fs)');
  }
  // Room for the UDF recognition sequence right after the ISO terminator (see addUdf).
  const iso = await planImage({ ...spec, udf: false }, { reserveAfterDescriptors: spec.udf ? UDF_VOLUME_REGIONS.vrs : 0 });
  const plan = spec.udf ? addUdf(iso, spec) : iso;
  return { plan, stream: (opts) => writeImage(plan, opts) };
}

/**
 * Adds a complete UDF volume for the merged tree to an ISO-only session plan (the layout refuses
 * UDF at a start LBA, and its ISO placement is fixed, so UDF goes into the room left around it):
 *  - VRS (BEA01/NSR0x/TEA01) directly after the ISO terminator: ECMA-167 2/8.3 makes the
 *    recognition sequence one run of consecutive descriptors from sector 16 of the session, and
 *    readers stop at the first sector that is no descriptor. planImage leaves those sectors free
 *    (reserveAfterDescriptors); the path tables still move to the end of the session (PVD/SVD
 *    pointers and volume space size patched, ECMA-119 §8.4.8, §8.4.14-8.4.17).
 *  - AVDP at start+256 when that sector is free and at the last sector N: only the VRS and the
 *    anchors are found relative to the last session (OSTA "UDF on CD-R" §6.1-6.2, Multisession);
 *    every other address is absolute. When new file data or directories already cover start+256
 *    (the layout does not keep it free without UDF), at N-256 and N (ECMA-167 3/8.4.2.1: any two of the three).
 */
function addUdf(iso: ImagePlan, spec: MultisessionSpec): ImagePlan {
  const S = spec.startLba;
  const bytesAt = new Map<number, Buffer>();
  for (const m of iso.meta) if ('data' in m) bytesAt.set(m.lba, m.data);
  const pvd = bytesAt.get(S + 16);
  if (!pvd || pvd[0] !== 1) throw new InternalError('multisession: no primary volume descriptor at start+16');
  // Volume descriptors run from start+16 to the terminator (ECMA-119 §8.3, type 255).
  const vds: Buffer[] = [];
  let termLba = S + 16;
  for (;; termLba++) {
    const d = bytesAt.get(termLba);
    if (!d || d.toString('latin1', 1, 6) !== 'CD001') throw new InternalError('multisession: volume descriptor set without terminator');
    if (d[0] === 255) break;
    vds.push(d);
  }
  // Path tables of the PVD and every SVD (ECMA-119 §8.4.14/8.4.16: L at BP 141, M at BP 149).
  const tables = new Map<number, Buffer>();
  for (const d of vds) {
    if (d[0] !== 1 && d[0] !== 2) continue;
    for (const lba of [d.readUInt32LE(140), d.readUInt32BE(148)]) {
      const data = bytesAt.get(lba);
      if (!data) throw new InternalError(`multisession: path table at ${lba} not in the plan`);
      tables.set(lba, data);
    }
  }
  const kept = iso.meta.filter((m) => !tables.has(m.lba));
  // Everything the ISO session uses, sorted, to find the free sectors.
  const used: [number, number][] = [
    ...kept.map((m): [number, number] => [m.lba, 'data' in m ? m.data.length / SECTOR : m.sectors]),
    ...iso.data.map((d): [number, number] => [d.lba, Math.ceil(d.size / SECTOR)]),
  ].sort((a, b) => a[0] - b[0]);
  const free = (lba: number, n: number) => lba >= S && used.every(([s, k]) => lba + n <= s || s + k <= lba);

  // Links in UDF only on request when Rock Ridge carries them (as planImage: 7-Zip refuses a UDF
  // volume holding one).
  const udfRoot = toUdfTree(spec.root, '/', iso.fileLbas, spec.udfSymlinks ?? !(spec.rockRidge ?? false));
  const udf = planUdf(udfRoot, {
    label: spec.label ?? 'CDROM',
    revision: spec.udfRevision ?? '1.02',
    recordingTime: spec.recordingTime ?? new Date(),
    metadataMirror: spec.udfRevision === '2.50' && (spec.udfMetadataMirror ?? true),
  });
  const r = udf.regions;
  const vrsLba = termLba + 1;
  if (!free(vrsLba, r.vrs)) {
    throw new NotSupportedError(`no room for the UDF recognition sequence after the ISO descriptors of this session (add joliet: its path tables leave the ${r.vrs} sectors needed)`);
  }

  // New sectors after the ISO session: the moved path tables, the UDF VDS copies, LVID, and the
  // partition's metadata (FEs, directories); the old and new file data is referenced in place.
  // start+256 stays free for the anchor unless the ISO session's own pieces already cover it.
  const anchorAt256 = S + 256 >= iso.totalSectors || free(S + 256, 1);
  let lba = iso.totalSectors;
  const alloc = (n: number): number => {
    if (anchorAt256 && lba <= S + 256 && S + 256 < lba + n) lba = S + 257;
    lba += n;
    return lba - n;
  };
  const moved = new Map<number, number>();
  for (const [old, data] of [...tables].sort((a, b) => a[0] - b[0])) moved.set(old, alloc(data.length / SECTOR));
  const mainVdsLba = alloc(r.mainVds);
  const reserveVdsLba = alloc(r.reserveVds);
  const lvidLba = alloc(r.lvid);
  const fileSetLba = alloc(r.fileSet);
  const partitionMetaLba = alloc(r.partitionMeta);
  const anchors: number[] = [];
  if (anchorAt256) {
    lba = Math.max(lba, S + 257);
    anchors.push(S + 256);
  } else {
    anchors.push(lba);
    lba += 256; // N - 256
  }
  anchors.push(lba++); // N: the session's (and volume's) last sector
  const totalSectors = lba;
  if (spec.maxSectors !== undefined && totalSectors > spec.maxSectors) {
    throw new InvalidInputError(`image needs ${totalSectors} sectors, more than the requested capacity of ${spec.maxSectors}`, { path: '/', totalSectors, maxSectors: spec.maxSectors });
  }

  // Partition: one type-1 physical partition from LBA 0 to the end of this session. A
  // partition is just a starting sector and a length in the volume space (ECMA-167 3/10.5.8-9),
  // and short_ads address blocks relative to that start (4/14.14.1), so it must begin at or below
  // the oldest extent we keep and reach past the new ones; the LVD maps one physical partition
  // (OSTA UDF §2.2.4 partition maps), so it spans the sessions in between, their descriptors
  // included (udfinfo warns about that overlap, the kernel does not mind). 0 rather than the lowest extent keeps the
  // addressing stable across sessions (the next one only lengthens it), as on VAT discs whose
  // physical partition covers every session. Access type read-only (3/10.5.7): written once.
  const pieces = udf.encodeLazy({
    vrsLba, mainVdsLba, reserveVdsLba, lvidLba,
    partitionStartLba: 0,
    partitionLength: anchors[anchors.length - 1],
    partitionMetaLba,
    fileSetLba,
    anchorLbas: anchors,
    totalSectors,
  });

  // Patch the descriptors: moved path tables, and the volume space that now ends at N.
  for (const d of vds) {
    if (d[0] !== 1 && d[0] !== 2) continue;
    d.writeUInt32LE(moved.get(d.readUInt32LE(140))!, 140);
    d.writeUInt32BE(moved.get(d.readUInt32BE(148))!, 148);
    d.writeUInt32LE(totalSectors, 80);
    d.writeUInt32BE(totalSectors, 84);
  }
  const meta: MetaPiece[] = [...kept, ...[...tables].map(([old, data]) => ({ lba: moved.get(old)!, data })), ...pieces];
  meta.sort((a, b) => a.lba - b.lba);
  checkNoOverlap(meta, iso.data, S, totalSectors);
  return { ...iso, totalSectors, meta };
}

function checkNoOverlap(meta: MetaPiece[], data: DataPiece[], start: number, total: number): void {
  const spans = [
    ...meta.map((m): [number, number] => [m.lba, 'data' in m ? m.data.length / SECTOR : m.sectors]),
    ...data.map((d): [number, number] => [d.lba, Math.ceil(d.size / SECTOR)]),
  ].sort((a, b) => a[0] - b[0]);
  let end = start;
  for (const [s, n] of spans) {
    if (s < end) throw new InternalError(`multisession: layout overlap at LBA ${s}`);
    end = s + n;
  }
  if (end > total) throw new InternalError('multisession: layout past the end of the session');
}

/** The merged tree for planUdf: old files at their recorded extents, new ones where the layout put them. */
function toUdfTree(node: StagingNode, p: string, lbas: Map<string, number>, links: boolean): UdfNodeInput {
  const kind = node.kind === 'dir' ? 'dir' : node.kind === 'symlink' ? 'symlink' : 'file';
  const u: UdfNodeInput = {
    name: p === '/' ? '' : node.name,
    kind,
    size: kind === 'file' ? node.size : 0,
    extents: [],
    mtime: node.mtime, atime: node.atime, ctime: node.ctime,
    mode: node.mode & 0o7777, uid: node.uid, gid: node.gid, hidden: node.hidden,
  };
  if (kind === 'file' && node.size > 0) {
    const at = lbas.get(p);
    if (at === undefined) throw new InternalError(`multisession: no LBA for ${p}`);
    let lba = at;
    // Data is contiguous (the importer refuses anything else), so consecutive extents.
    u.extents = extentsFor(node.size).map((length) => { const e = { lba, length }; lba += length / SECTOR; return e; });
  }
  if (kind === 'symlink') u.symlinkTarget = node.symlinkTarget ?? '';
  if (node.children) {
    u.children = [...node.children.values()]
      .filter((c) => links || c.kind !== 'symlink')
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((c) => toUdfTree(c, `${p === '/' ? '' : p}/${c.name}`, lbas, links));
  }
  return u;
}
