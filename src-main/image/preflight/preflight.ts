// Readability preflight: a pure function from the staged tree and the chosen file systems to what
// each audience (Windows, macOS, Linux, standalone players) will see, with fixes.
import { InvalidInputError } from '../../common/errors';
import { assignIsoNames } from '../iso9660/names';
import { assignJolietNames } from '../joliet/names';
import { assignUdfNames } from '../udf/names';
import {
  CASE_INSENSITIVE,
  D_CHARACTERS,
  FACET_PREFERENCE,
  ISO_EXTENT_MAX,
  ISO_MAX_DEPTH,
  ISO_MAX_PATH,
  ISO_NAME_RULES,
  JOLIET_FORBIDDEN,
  JOLIET_MAX_CHARS,
  PLAYER_SAFE_FILE_SIZE,
  PLAYER_UDF_MAX,
  RR_MAX_NAME_BYTES,
  UDF_MAX_NAME_BYTES,
  UDF_MAX_PATH_BYTES,
  UDF_READ_SUPPORT,
  UDF_REVISIONS,
  WINDOWS_MAX_PATH,
  type Audience,
  type FsFacet,
} from './rules';

export interface PreflightEntry {
  /** Path components from the disc root, e.g. ["docs", "readme.txt"]. */
  path: string[];
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  /** A link's target as recorded (relative or absolute); lets preflight say what Joliet shows. */
  target?: string;
}

export interface PreflightOptions {
  fs: FsFacet[];
  isoLevel: 1 | 2 | 3;
  /** e.g. "2.01"; defaults to "2.01" when fs includes udf. */
  udfRevision?: string;
  /** ImageSpec.udfSymlinks: links recorded in UDF (default: only without Rock Ridge). */
  udfSymlinks?: boolean;
  /** ImageSpec.maxSectors: the target medium's capacity in 2048-byte sectors. */
  maxSectors?: number;
  /** The planned image's size (planImage's totalSectors), when known; else preflight estimates a floor. */
  plannedSectors?: number;
  /**
   * Fold repeated findings (same code and severity) into one with a count and examples (default
   * true): a tree of 10,000 lower-case names is one "names recorded in capitals" note, not 10,000.
   */
  group?: boolean;
}

/** How many examples a grouped finding keeps. */
export const GROUP_EXAMPLES = 5;

export type Severity = 'error' | 'warning' | 'info';

export type FindingCode =
  | 'iso-name-changed'
  | 'iso-name-collision'
  | 'joliet-name-truncated'
  | 'joliet-name-collision'
  | 'joliet-name-chars'
  | 'case-collision'
  | 'file-too-large-for-iso-level'
  | 'multi-extent-file'
  | 'file-over-2gib'
  | 'udf-revision-unreadable'
  | 'udf-name-shortened'
  | 'udf-path-too-long'
  | 'rr-name-too-long'
  | 'deep-directory'
  | 'long-path'
  | 'symlink-not-shown'
  | 'symlink-shown-as-file'
  | 'udf-symlink-7zip'
  | 'over-capacity'
  /** The whole project is one disc image file: burned as a file, the disc holds the .iso, not what is in it. */
  | 'disc-image-as-file'
  /** The writer refuses the image for a reason the rules above do not model (a boot image not in the tree, an unreadable MBR template …): its own message. */
  | 'cannot-build';

export interface PreflightFinding {
  code: FindingCode;
  severity: Severity;
  /** Disc path ("/a/b"), when the finding is about one entry. */
  path?: string;
  facet?: FsFacet;
  affects: Audience[];
  message: string;
  /** What the name becomes in that facet (mangled, truncated …). */
  shownAs?: string;
  fix?: string;
  /** A grouped finding: how many entries it stands for … */
  count?: number;
  /** … and the first few of them. */
  examples?: { path: string; shownAs?: string }[];
}

export interface PreflightReport {
  /** False when at least one finding is an error (data will be missing for someone). */
  ok: boolean;
  counts: Record<Severity, number>;
  /** The tree each audience reads (UDF revision permitting), or 'none'. */
  seenBy: Record<Audience, FsFacet | 'none'>;
  findings: PreflightFinding[];
}

const ALL: Audience[] = ['windows', 'macos', 'linux', 'players'];

function revNum(r: string): number {
  const m = /^(\d)\.(\d\d)$/.exec(r);
  if (!m) throw new InvalidInputError(`UDF revision "${r}" is not of the form 2.01`, { udfRevision: r });
  return +m[1] * 100 + +m[2];
}

/** Upper-cases a-z and turns every other non-d-character into "_" (ECMA-119 §7.4.1 d-characters). */
function dChars(s: string): string {
  return [...s].map((c) => (D_CHARACTERS.test(c.toUpperCase()) && c.charCodeAt(0) < 128 ? c.toUpperCase() : '_')).join('');
}

/**
 * ECMA-119 mangling as xorriso applies it (without ";1"): d-characters only, name and extension
 * split at the last dot, each cut to the level's lengths (§7.5.1, §7.6, §10). For reports about
 * images from other writers; preflight() itself predicts Glassmaster's writer (iso9660/names.ts).
 */
export function isoName(name: string, kind: PreflightEntry['kind'], level: 1 | 2 | 3): string {
  const r = ISO_NAME_RULES[level];
  if (kind === 'dir') return dChars(name).slice(0, r.dir);
  const dot = name.lastIndexOf('.');
  let base = dot > 0 ? name.slice(0, dot) : name;
  let ext = dot > 0 ? name.slice(dot + 1) : '';
  base = dChars(base);
  ext = dChars(ext);
  if (level === 1) return ext ? `${base.slice(0, r.fileName)}.${ext.slice(0, r.fileExt)}` : base.slice(0, r.fileName);
  if (base.length + ext.length > r.fileTotal) {
    if (ext.length > 3) ext = ext.slice(0, 3);
    base = base.slice(0, r.fileTotal - ext.length);
  }
  return ext ? `${base}.${ext}` : base;
}

/** Joliet §3.3 plain cut: forbidden characters become "_", then 64 UCS-2 code units (xorriso-like for names without extension). */
export function jolietName(name: string): string {
  const cleaned = [...name].map((c) => (JOLIET_FORBIDDEN.test(c) ? '_' : c)).join('');
  // UCS-2 code units: a character outside the BMP counts twice; never cut a surrogate pair in half.
  let out = '';
  for (const c of cleaned) {
    if (out.length + c.length > JOLIET_MAX_CHARS) break;
    out += c;
  }
  return out;
}

/** OSTA CS0 byte length: 8-bit compression when every char is ≤ U+00FF, else 16-bit (OSTA UDF §2.1.1). */
function udfNameBytes(name: string): number {
  const wide = [...name].some((c) => c.codePointAt(0)! > 0xff);
  return 1 + (wide ? name.length * 2 : name.length);
}

export function preflight(entries: PreflightEntry[], options: PreflightOptions): PreflightReport {
  const fs = new Set(options.fs);
  if (fs.size === 0) throw new InvalidInputError('preflight needs at least one file system', { fs: options.fs });
  if (fs.has('rockridge') || fs.has('joliet')) fs.add('iso9660'); // both ride on the ISO 9660 tree
  if (![1, 2, 3].includes(options.isoLevel)) throw new InvalidInputError(`ISO level ${options.isoLevel} is not 1, 2 or 3`);
  const udfRevision = options.udfRevision ?? '2.01';
  if (fs.has('udf') && !UDF_REVISIONS.includes(udfRevision)) throw new InvalidInputError(`unknown UDF revision ${udfRevision}`, { udfRevision });
  const findings: PreflightFinding[] = [];
  const add = (f: PreflightFinding) => findings.push(f);
  const level = options.isoLevel;
  const join = (p: string[]) => '/' + p.join('/');

  // A project that is one file named like a disc image, of whole sectors past the volume descriptors:
  // nearly always meant to be burned as an image (the CLI's `burn SRC` refuses one whose sector 16
  // holds a volume descriptor; this rule has names and sizes only, so it warns).
  if (entries.length === 1 && entries[0].kind === 'file' && entries[0].path.length === 1 && /\.(iso|img|udf)$/i.test(entries[0].path[0])
    && entries[0].size >= 17 * 2048 && entries[0].size % 2048 === 0) {
    const name = entries[0].path[0];
    add({ code: 'disc-image-as-file', severity: 'warning', path: join(entries[0].path), affects: ALL, message: `"${name}" is the only file and looks like a disc image: burned as it is, the disc holds the image file, not what is in it`, fix: `to burn the image itself, use "Burn an image file" (glassmaster burn --image ${name})` });
  }

  // Which facet each audience reads (before UDF revision limits, which are findings of their own).
  const seenBy = Object.fromEntries(ALL.map((a) => [a, FACET_PREFERENCE[a].find((f) => fs.has(f)) ?? 'none'])) as Record<Audience, FsFacet | 'none'>;
  const audiencesOf = (facet: FsFacet) => ALL.filter((a) => seenBy[a] === facet);
  const isoOnlyNames = !fs.has('joliet') && !fs.has('rockridge') && !fs.has('udf');

  // Per-directory name maps for collision checks; entries by path for link targets.
  const siblings = new Map<string, PreflightEntry[]>();
  const byPath = new Map<string, PreflightEntry>();
  for (const e of entries) byPath.set(e.path.join('/'), e);
  for (const e of entries) {
    if (e.path.length === 0) throw new InvalidInputError('preflight entry with an empty path');
    const parent = join(e.path.slice(0, -1));
    const list = siblings.get(parent) ?? [];
    list.push(e);
    siblings.set(parent, list);
  }

  const byName = (list: PreflightEntry[]) => [...list].sort((a, b) => (last(a) < last(b) ? -1 : last(a) > last(b) ? 1 : 0));
  // The name UDF records for each entry (by path key): cut to fit a File Identifier Descriptor as
  // the writer does (udf/names.ts), among the siblings UDF records — links only when it records
  // links (layout/plan-image.ts toUdf). Path lengths below add up these names, not the staged ones.
  const udfLinksRecorded = options.udfSymlinks ?? !fs.has('rockridge');
  const udfRecorded = new Map<string, string>();
  if (fs.has('udf')) {
    for (const list of siblings.values()) {
      const inUdf = byName(list).filter((e) => udfLinksRecorded || e.kind !== 'symlink');
      const ids = assignUdfNames(inUdf.map((e) => ({ name: last(e), isDir: e.kind === 'dir' })));
      inUdf.forEach((e, i) => udfRecorded.set(e.path.join('/'), ids[i]));
    }
  }
  const udfPath = (e: PreflightEntry) => e.path.map((c, i) => udfRecorded.get(e.path.slice(0, i + 1).join('/')) ?? c);
  // The siblings a link-less tree records (Joliet; ISO 9660 without Rock Ridge): a link only when
  // it resolves to a file of the disc, shown as that file (layout/symlinks.ts linkFreeChildren).
  const linkFreeOf = (sorted: PreflightEntry[]) => sorted.filter((e) => e.kind !== 'symlink' || resolveLink(e, byPath) !== undefined);
  // The name Joliet records for each entry (by path key), among those link-free siblings
  // (joliet/tree.ts); the Windows path check adds these up, and leaves out what Joliet leaves out.
  const jolietRecorded = new Map<string, string>();
  if (fs.has('joliet')) {
    for (const list of siblings.values()) {
      const inJoliet = linkFreeOf(byName(list));
      const ids = assignJolietNames(inJoliet.map((e) => ({ name: last(e), isDir: e.kind === 'dir' })));
      inJoliet.forEach((e, i) => jolietRecorded.set(e.path.join('/'), ids[i]));
    }
  }
  /**
   * The path a link-less tree (Joliet; ISO 9660) records for an entry, from each component's
   * recorded name (`recorded`, by path key), or undefined when that tree has no such path (a link
   * it leaves out, or anything below a link). A folder the caller did not list gets `unlisted`
   * (its siblings are unknown); a folder in `relocatedAs` starts the path anew (ISO 9660 with
   * Rock Ridge: moved into the root).
   */
  const recordedPath = (e: PreflightEntry, recorded: Map<string, string>, unlisted: (name: string) => string, relocatedAs?: Map<string, string>): string[] | undefined => {
    let out: string[] = [];
    for (let i = 0; i < e.path.length; i++) {
      const key = e.path.slice(0, i + 1).join('/');
      const at = byPath.get(key);
      if (at === undefined) { out.push(unlisted(e.path[i])); continue; }
      const id = recorded.get(key);
      // Left out, or a link (shown as a file, if at all) with something listed below it.
      if (id === undefined || (i < e.path.length - 1 && at.kind !== 'dir')) return undefined;
      const moved = i < e.path.length - 1 ? relocatedAs?.get(key) : undefined;
      if (moved !== undefined) out = [moved];
      else out.push(id);
    }
    return out;
  };
  const jolietPath = (e: PreflightEntry) => recordedPath(e, jolietRecorded, jolietName);
  const anyLink = entries.some((e) => e.kind === 'symlink');
  /** Whether an entry is listed below a link (a link to a folder, or one shown as a file): no tree records anything there. */
  const belowLink = (e: PreflightEntry): boolean => {
    if (!anyLink) return false;
    for (let i = 1; i < e.path.length; i++) {
      const at = byPath.get(e.path.slice(0, i).join('/'));
      if (at !== undefined && at.kind !== 'dir') return true;
    }
    return false;
  };
  // Whether the ISO 9660 tree records an entry (iso9660/tree.ts): with Rock Ridge every link, as a
  // record carrying it; without, only a link shown as its file (linkFreeOf). Nothing below a link
  // either way. The ISO 9660 checks (depth, path length, extent size) look at these entries alone.
  const inIsoTree = (e: PreflightEntry): boolean =>
    !belowLink(e) && (e.kind !== 'symlink' || fs.has('rockridge') || resolveLink(e, byPath) !== undefined);
  // The name the ISO 9660 tree records for each entry (by path key), as readers show it (no ";1",
  // no bare trailing "."): the writer's own naming (iso9660/names.ts assignIsoNames) per folder,
  // among the siblings that tree records (iso9660/tree.ts: with Rock Ridge every entry, without
  // the link-free list). The ISO 9660 name findings and path lengths use these.
  const isoSiblings = (sorted: PreflightEntry[]) => (fs.has('rockridge') ? sorted : linkFreeOf(sorted));
  const isoRecorded = new Map<string, string>();
  // With Rock Ridge a folder that would sit at level 9 moves into the root (RRIP §4.1.5,
  // iso9660/tree.ts): named there after the root's own entries, in the order the writer meets
  // them (depth first, by name); the path of everything below it starts there.
  const relocatedAs = new Map<string, string>();
  if (fs.has('iso9660')) {
    for (const list of siblings.values()) {
      const inIso = isoSiblings(byName(list));
      const ids = assignIsoNames(inIso.map((e) => ({ name: last(e), isDir: e.kind === 'dir' })), level);
      inIso.forEach((e, i) => isoRecorded.set(e.path.join('/'), readerView(ids[i])));
    }
    if (fs.has('rockridge') && entries.some((e) => e.kind === 'dir' && e.path.length >= ISO_MAX_DEPTH)) {
      const moved: PreflightEntry[] = [];
      const walk = (parent: string, depth: number) => {
        for (const e of byName(siblings.get(parent) ?? [])) {
          if (e.kind !== 'dir') continue;
          if (depth + 1 > ISO_MAX_DEPTH) {
            moved.push(e);
            walk(join(e.path), 2);
          } else walk(join(e.path), depth + 1);
        }
      };
      walk('/', 1);
      const rootKids = byName(siblings.get('/') ?? []);
      const ids = assignIsoNames([...rootKids, ...moved].map((e, i) => ({ name: last(e), isDir: i >= rootKids.length || e.kind === 'dir' })), level);
      moved.forEach((e, i) => relocatedAs.set(e.path.join('/'), readerView(ids[rootKids.length + i])));
    }
  }
  /** The path the ISO 9660 tree records for an entry (its own record; a relocated folder's is the placeholder where it was), or undefined when that tree has none. */
  const isoPath = (e: PreflightEntry) =>
    recordedPath(e, isoRecorded, (name) => readerView(assignIsoNames([{ name, isDir: true }], level)[0]), relocatedAs);

  for (const e of entries) {
    const name = e.path[e.path.length - 1];
    const path = join(e.path);

    if (fs.has('iso9660') && inIsoTree(e)) {
      // Root is level 1, so a directory with n components sits at level n + 1; flag the first one past 8.
      if (e.kind === 'dir' && e.path.length + 1 === ISO_MAX_DEPTH + 1) {
        if (fs.has('rockridge')) {
          add({
            code: 'deep-directory',
            severity: 'info',
            path,
            facet: 'iso9660',
            affects: ['players', 'windows'],
            message: `"${path}" is deeper than ECMA-119's ${ISO_MAX_DEPTH} directory levels; the ISO 9660 tree relocates it into the root (Rock Ridge shows it in place, RRIP §4.1.5), plain ISO readers see it there`,
            fix: 'flatten the tree below 8 levels or add --fs udf',
          });
        } else {
          // The writer relocates only with Rock Ridge; without it, it refuses the image (iso9660/tree.ts),
          // whatever other file systems are chosen beside ISO 9660.
          add({
            code: 'deep-directory',
            severity: 'error',
            path,
            facet: 'iso9660',
            affects: ALL,
            message: `"${path}" is deeper than ECMA-119's ${ISO_MAX_DEPTH} directory levels (§6.8.2.1): without Rock Ridge to relocate it the image cannot be built`,
            fix: 'add --fs rockridge (it relocates them), or choose --fs udf alone, or flatten the tree below 8 levels',
          });
        }
      }
      const recordedIso = isoPath(e);
      if (recordedIso !== undefined && recordedIso.join('/').length + 1 > ISO_MAX_PATH) {
        add({ code: 'long-path', severity: 'warning', path, facet: 'iso9660', affects: audiencesOf('iso9660').concat('players'), message: `the ISO 9660 path is ${recordedIso.join('/').length + 1} characters; ECMA-119 §6.8.2.1 allows ${ISO_MAX_PATH}`, fix: `shorten the names along ${path}` });
      }
      if (e.kind === 'file' && e.size > ISO_EXTENT_MAX) {
        if (level < 3) {
          add({
            code: 'file-too-large-for-iso-level',
            severity: 'error',
            path,
            facet: 'iso9660',
            affects: fs.has('udf') ? ALL.filter((a) => seenBy[a] !== 'udf') : ALL,
            message: `${fmtSize(e.size)} is over ISO 9660's 4 GiB extent limit; level ${level} cannot split it (ECMA-119 §9.1.4, §10.3)`,
            fix: fs.has('udf') ? '--iso-level 3 (multi-extent) so ISO-only readers get it too' : '--iso-level 3 and add --fs udf',
          });
        } else if (!fs.has('udf')) {
          add({ code: 'multi-extent-file', severity: 'warning', path, facet: 'iso9660', affects: ['players', 'macos'], message: `${fmtSize(e.size)} needs a level 3 multi-extent file; older readers and many players show only the first 4 GiB section`, fix: 'add --fs udf' });
        }
      }
    }

    // Windows' MAX_PATH is 260 including "D:\\" and the terminating NUL (Microsoft, "Maximum Path Length Limitation").
    // (A link is a path only where the tree read records it: UDF when it records links; Joliet
    // when it shows the link as the file it names.)
    const winFacet = seenBy.windows === 'joliet' || seenBy.windows === 'udf' ? seenBy.windows : undefined;
    const winParts = winFacet === 'joliet' ? jolietPath(e) : winFacet === 'udf' && (udfLinksRecorded || e.kind !== 'symlink') ? udfPath(e) : undefined;
    if (winFacet && winParts) {
      const winPath = winParts.join('\\');
      if (winPath.length + 3 > WINDOWS_MAX_PATH - 1) {
        add({ code: 'long-path', severity: 'warning', path, facet: winFacet, affects: ['windows'], message: `"D:\\${winPath.slice(0, 40)}…" is ${winPath.length + 3} characters; Windows Explorer and most programs stop at ${WINDOWS_MAX_PATH - 1}`, fix: `shorten the names along ${path}` });
      }
    }

    if (e.kind === 'file' && e.size > PLAYER_SAFE_FILE_SIZE) {
      add({ code: 'file-over-2gib', severity: 'info', path, affects: ['players'], message: `${fmtSize(e.size)} is over 2 GiB; many standalone players and car stereos cannot play files this large`, fix: 'split the file below 2 GiB for players' });
    }

    if (fs.has('udf') && (udfLinksRecorded || e.kind !== 'symlink')) {
      const pathBytes = udfPath(e).reduce((s, c) => s + udfNameBytes(c) + 4, 0);
      if (pathBytes > UDF_MAX_PATH_BYTES) {
        add({ code: 'udf-path-too-long', severity: 'warning', path, facet: 'udf', affects: audiencesOf('udf'), message: `path needs ${pathBytes} bytes in UDF; readers may refuse paths over ${UDF_MAX_PATH_BYTES} bytes (OSTA UDF §2.3.12)`, fix: `shorten the names along ${path}` });
      }
    }

    if (fs.has('rockridge') && Buffer.byteLength(name, 'utf8') > RR_MAX_NAME_BYTES) {
      add({ code: 'rr-name-too-long', severity: 'warning', path, facet: 'rockridge', affects: audiencesOf('rockridge'), message: `"${name}" is ${Buffer.byteLength(name, 'utf8')} UTF-8 bytes; Linux and macOS accept at most ${RR_MAX_NAME_BYTES}`, fix: `shorten name "${name}"` });
    }

    if (e.kind === 'symlink') symlinkFindings(e, path);
  }

  // What each reader makes of a link (layout/plan-image.ts, layout/symlinks.ts): Rock Ridge records
  // it; UDF only on request when Rock Ridge is there; Joliet (and ISO 9660 without Rock Ridge)
  // shows a link to a file of the disc as that file and leaves any other out; with Rock Ridge the
  // plain ISO 9660 record of a link is an empty file.
  function symlinkFindings(e: PreflightEntry, path: string): void {
    const rr = fs.has('rockridge');
    const udfLinks = fs.has('udf') && (options.udfSymlinks ?? !rr);
    if (udfLinks && !findings.some((f) => f.code === 'udf-symlink-7zip')) {
      // 7-Zip accepts only file, directory and real-time file entries (ECMA-167 4/14.6.6 file
      // types 4, 5, 249) and rejects the whole volume on a symlink (type 12): measured with 7z 16.02.
      add({ code: 'udf-symlink-7zip', severity: 'warning', path, facet: 'udf', affects: ['windows'], message: `"${path}" is a symbolic link recorded in UDF: 7-Zip (and archive tools built on it) refuse the whole UDF volume when it holds one`, fix: rr ? 'leave links to Rock Ridge (drop udfSymlinks)' : 'follow links when staging (--follow-symlinks), or add --fs rockridge and keep them there' });
    }
    const target = e.target === undefined ? undefined : resolveLink(e, byPath);
    const missing: Audience[] = [];
    const asFile: Audience[] = [];
    const empty: Audience[] = [];
    for (const a of ALL) {
      const facet = seenBy[a];
      if (facet === 'rockridge' || (facet === 'udf' && udfLinks)) continue;
      if (facet === 'iso9660' && rr) empty.push(a);
      else if ((facet === 'joliet' || facet === 'iso9660') && target) asFile.push(a);
      else missing.push(a);
    }
    const kept = [rr ? 'Rock Ridge' : '', udfLinks ? 'UDF' : ''].filter(Boolean).join(' and ');
    const where = kept ? `is recorded only in ${kept}` : 'cannot be recorded in the chosen file systems';
    if (missing.length) {
      const unsure = e.target === undefined && !missing.every((a) => seenBy[a] === 'udf' || seenBy[a] === 'none');
      add({
        code: 'symlink-not-shown', severity: 'warning', path, affects: missing,
        message: `symbolic link "${path}" ${where}; ${missing.join(', ')} will not see it${unsure ? ' (Joliet shows it as its target when that is a file on the disc)' : ''}`,
        fix: fs.has('udf') && !udfLinks ? 'udfSymlinks records links in UDF too (7-Zip then refuses the UDF volume), or replace the link with a copy of its target' : rr ? 'replace the link with a copy of its target for Windows/players' : 'add --fs rockridge or follow links when staging',
      });
    }
    if (empty.length) {
      add({ code: 'symlink-not-shown', severity: 'warning', path, facet: 'iso9660', affects: empty, message: `symbolic link "${path}" is an empty file to readers of plain ISO 9660 (its record carries the Rock Ridge link)`, fix: 'replace the link with a copy of its target for players' });
    }
    if (asFile.length) {
      add({ code: 'symlink-shown-as-file', severity: 'info', path, affects: asFile, shownAs: '/' + target!.path.join('/'), message: `symbolic link "${path}" shows as the file it points to, "/${target!.path.join('/')}", to ${asFile.join(', ')} (no links in ${[...new Set(asFile.map((a) => seenBy[a]))].join(', ')})` });
    }
  }

  // Capacity (ImageSpec.maxSectors): the planned size when the caller has it, else a floor (the
  // file data plus the 16 sectors of system area and descriptors every image has).
  if (options.maxSectors !== undefined) {
    const exact = options.plannedSectors !== undefined;
    const needed = options.plannedSectors ?? 16 + 2 + entries.reduce((s, e) => s + (e.kind === 'file' ? Math.ceil(e.size / 2048) : 0), 0);
    if (needed > options.maxSectors) {
      add({ code: 'over-capacity', severity: 'error', affects: ALL, message: `the image needs ${exact ? '' : 'at least '}${needed} sectors (${fmtSize(needed * 2048)}), more than the capacity of ${options.maxSectors} sectors (${fmtSize(options.maxSectors * 2048)})`, fix: `leave out ${needed - options.maxSectors} sectors (${fmtSize((needed - options.maxSectors) * 2048)}) of files, or choose a larger medium` });
    }
  }

  // Names per directory, exactly as Glassmaster's writer assigns them (layout/plan-image.ts sorts
  // siblings by name, then iso9660/names.ts and joliet/names.ts cut, map and de-duplicate).
  for (const [parent, unsorted] of siblings) {
    const list = byName(unsorted);
    const spec = list.map((e) => ({ name: last(e), isDir: e.kind === 'dir' }));
    const linkFree = linkFreeOf(list);
    const linkFreeSpec = linkFree.map((e) => ({ name: last(e), isDir: e.kind === 'dir' }));
    // Nothing below a link is in any tree: no names to report there.
    const listedBelowLink = list.length > 0 && belowLink(list[0]);
    if (fs.has('iso9660') && !listedBelowLink) {
      const isoList = fs.has('rockridge') ? list : linkFree;
      const isoSpec = fs.has('rockridge') ? spec : linkFreeSpec;
      const ids = isoList.map((e) => isoRecorded.get(e.path.join('/'))!);
      isoList.forEach((e, i) => {
        const name = last(e);
        const solo = readerView(assignIsoNames([isoSpec[i]], level)[0]);
        const path = join(e.path);
        if (solo !== name) {
          add({
            code: 'iso-name-changed',
            severity: isoOnlyNames ? 'warning' : 'info',
            path,
            facet: 'iso9660',
            affects: [...new Set<Audience>(isoOnlyNames ? ALL : ['players', ...audiencesOf('iso9660')])],
            shownAs: ids[i],
            message: `ISO 9660 level ${level} records "${name}" as "${ids[i]}"`,
            fix: isoOnlyNames ? 'add --fs joliet,rockridge (or udf) to keep the real name' : level === 1 ? '--iso-level 3 keeps up to 30 characters for players' : undefined,
          });
        }
        if (ids[i] !== solo) {
          add({ code: 'iso-name-collision', severity: isoOnlyNames ? 'warning' : 'info', path, facet: 'iso9660', affects: isoOnlyNames ? ALL : ['players'], shownAs: ids[i], message: `"${name}" would become "${solo}" like a sibling in ${parent}; ISO 9660 gets "${ids[i]}"`, fix: `rename "${name}" so its first characters differ` });
        }
      });
    }
    if (fs.has('joliet') && !listedBelowLink) {
      const ids = linkFree.map((e) => jolietRecorded.get(e.path.join('/'))!);
      linkFree.forEach((e, i) => {
        const name = last(e);
        const solo = assignJolietNames([linkFreeSpec[i]])[0];
        const path = join(e.path);
        const who = audiencesOf('joliet').length ? audiencesOf('joliet') : (['windows'] as Audience[]);
        const severity: Severity = seenBy.windows === 'joliet' ? 'warning' : 'info';
        if (solo !== name) {
          const truncated = name.length > JOLIET_MAX_CHARS;
          add({
            code: truncated ? 'joliet-name-truncated' : 'joliet-name-chars',
            severity,
            path,
            facet: 'joliet',
            affects: who,
            shownAs: ids[i],
            message: truncated ? `Joliet cuts "${name}" (${name.length} UCS-2 characters) to 64: "${ids[i]}"` : `Joliet cannot store some characters of "${name}": "${ids[i]}"`,
            fix: fs.has('udf') ? undefined : `shorten name "${name}" to 64 characters or add --fs udf`,
          });
        }
        if (ids[i] !== solo) {
          add({ code: 'joliet-name-collision', severity, path, facet: 'joliet', affects: who, shownAs: ids[i], message: `"${name}" would become "${solo}" like a sibling in ${parent}; Joliet gets "${ids[i]}"`, fix: `shorten name "${name}" so the first 64 characters differ` });
        }
      });
    }
    if (fs.has('udf')) {
      for (const e of list) {
        const name = last(e);
        const shown = udfRecorded.get(e.path.join('/'));
        if (shown === undefined || shown === name) continue;
        const who = audiencesOf('udf').length ? audiencesOf('udf') : (['windows'] as Audience[]);
        add({ code: 'udf-name-shortened', severity: 'warning', path: join(e.path), facet: 'udf', affects: who, shownAs: shown, message: `"${name}" needs ${udfNameBytes(name)} bytes as a UDF identifier, more than the ${UDF_MAX_NAME_BYTES} one can hold (ECMA-167 4/14.4.4, OSTA UDF §2.1.1): UDF gets "${shown}"`, fix: `shorten name "${name}" to keep it whole in UDF` });
      }
    }
    // Case-insensitive readers see only one of "A.txt" / "a.txt".
    const ci = CASE_INSENSITIVE.filter((a) => seenBy[a] === 'udf' || seenBy[a] === 'joliet' || seenBy[a] === 'rockridge');
    if (ci.length) {
      const groups = new Map<string, PreflightEntry[]>();
      for (const e of list) {
        const k = last(e).toLowerCase();
        groups.set(k, [...(groups.get(k) ?? []), e]);
      }
      for (const g of groups.values()) {
        if (g.length < 2) continue;
        add({ code: 'case-collision', severity: 'warning', path: join(g[0].path), affects: ci, message: `${g.map((e) => `"${last(e)}"`).join(' and ')} in ${parent} differ only in case; ${ci.join(' and ')} will show one of them`, fix: 'rename one of them' });
      }
    }
  }

  // UDF revision against what each OS reads (mkudffs(8) table); readers that cannot read it fall back.
  if (fs.has('udf')) {
    const rev = revNum(udfRevision);
    const fallback = (a: Audience) => FACET_PREFERENCE[a].find((f) => f !== 'udf' && fs.has(f)) ?? 'none';
    const unreadable = UDF_READ_SUPPORT.filter((s) => revNum(s.maxRead) < rev);
    for (const s of unreadable) {
      const fb = fallback(s.audience);
      add({
        code: 'udf-revision-unreadable',
        severity: fb === 'none' ? 'error' : 'warning',
        facet: 'udf',
        affects: [s.audience],
        message: `${s.os} reads UDF up to ${s.maxRead}, not ${udfRevision}: it ${fb === 'none' ? 'cannot read the disc' : `falls back to the ${fb} tree`}`,
        fix: `--udf-revision ${s.maxRead}${fb === 'none' ? ' or add --fs joliet' : ''}`,
      });
    }
    if (revNum(PLAYER_UDF_MAX) < rev) {
      const fb = fallback('players');
      add({ code: 'udf-revision-unreadable', severity: fb === 'none' ? 'warning' : 'info', facet: 'udf', affects: ['players'], message: `standalone DVD players read UDF ${PLAYER_UDF_MAX} (DVD-Video); UDF ${udfRevision} may not load${fb !== 'none' ? `, they fall back to ${fb}` : ''}`, fix: `--udf-revision ${PLAYER_UDF_MAX} for player compatibility` });
    }
  }

  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  findings.sort((a, b) => order[a.severity] - order[b.severity] || (a.path ?? '').localeCompare(b.path ?? ''));
  // Counts stay per entry (what is affected); the list folds repeats.
  return { ok: counts.error === 0, counts, seenBy, findings: options.group === false ? findings : groupFindings(findings, level) };
}

/**
 * Folds findings of one code and severity about single entries into one finding with a count,
 * the union of audiences and the first GROUP_EXAMPLES entries (findings keep their sorted order).
 */
function groupFindings(findings: PreflightFinding[], level: number): PreflightFinding[] {
  const key = (f: PreflightFinding) => `${f.code}|${f.severity}|${f.facet ?? ''}`;
  const groups = new Map<string, PreflightFinding[]>();
  for (const f of findings) {
    if (f.path === undefined) continue;
    const k = key(f);
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  const out: PreflightFinding[] = [];
  const done = new Set<string>();
  for (const f of findings) {
    const g = f.path === undefined ? undefined : groups.get(key(f));
    if (!g || g.length < 2) { out.push(f); continue; }
    const k = key(f);
    if (done.has(k)) continue;
    done.add(k);
    const examples = g.slice(0, GROUP_EXAMPLES).map((x) => (x.shownAs === undefined ? { path: x.path! } : { path: x.path!, shownAs: x.shownAs }));
    const shown = examples.map((x) => (x.shownAs === undefined ? `"${x.path}"` : `"${x.path}" → "${x.shownAs}"`)).join(', ');
    const affects = ALL.filter((a) => g.some((x) => x.affects.includes(a)));
    const fixes = [...new Set(g.map((x) => x.fix).filter((x): x is string => !!x))];
    out.push({
      code: f.code, severity: f.severity, facet: f.facet, affects,
      message: `${GROUP_SUMMARY[f.code]?.(level, f.severity) ?? f.message.replace(/"[^"]*"/, 'entries')}: ${g.length} entries, e.g. ${shown}`,
      fix: fixes.length === 1 ? fixes[0] : fixes.length ? fixes[0].replace(/"[^"]*"/g, 'the names') : undefined,
      count: g.length,
      examples,
    });
  }
  return out;
}

/** What a group of findings says (the single-entry messages name the entry). */
const GROUP_SUMMARY: Partial<Record<FindingCode, (level: number, severity: Severity) => string>> = {
  'iso-name-changed': (level) => `ISO 9660 level ${level} records names in capitals and d-characters, cut to the level's length (ECMA-119 §7.5-7.6)`,
  'iso-name-collision': () => 'names that map to a sibling\'s ISO 9660 identifier get a counter',
  'joliet-name-truncated': () => 'Joliet cuts names to 64 UCS-2 characters',
  'joliet-name-chars': () => 'Joliet cannot store some characters (Joliet §3.3)',
  'joliet-name-collision': () => 'names that collide after the Joliet cut get a counter',
  'deep-directory': (_, severity) => (severity === 'error'
    ? "directories deeper than ECMA-119's 8 levels: without Rock Ridge to relocate them the image cannot be built"
    : "directories deeper than ECMA-119's 8 levels are relocated for plain ISO 9660 readers"),
  'symlink-not-shown': () => 'symbolic links some readers will not see',
  'symlink-shown-as-file': () => 'symbolic links shown as the files they point to',
  'udf-name-shortened': () => 'UDF cuts names over its 255-byte identifier limit',
  'rr-name-too-long': () => 'names over the 255 bytes Linux and macOS accept',
  'long-path': () => 'paths longer than readers accept',
  'case-collision': () => 'names that differ only in case',
  'file-over-2gib': () => 'files over 2 GiB, too large for many standalone players',
};

/** The file a link names among the entries (relative targets, links followed; none outside the disc). */
function resolveLink(link: PreflightEntry, byPath: Map<string, PreflightEntry>): PreflightEntry | undefined {
  let cur: PreflightEntry = link;
  for (let hops = 0; cur.kind === 'symlink'; hops++) {
    const t = cur.target ?? '';
    if (hops >= 40 || t === '' || t.startsWith('/')) return undefined;
    const raw = t.split('/');
    // A target ending in '/' or '/.' names a folder (the writer leaves such a link out of link-less trees).
    if (raw[raw.length - 1] === '' || raw[raw.length - 1] === '.') return undefined;
    const parts = raw.filter((p) => p !== '' && p !== '.');
    const last = parts.pop();
    if (last === undefined || last === '..') return undefined; // names a directory
    // The directory part, links to directories followed; then the last component itself.
    const dir = resolveDirLink({ ...cur, target: parts.join('/') || '.' }, byPath, hops + 1);
    if (!dir) return undefined;
    const next = byPath.get([...dir, last].join('/'));
    if (!next) return undefined;
    cur = next;
  }
  return cur.kind === 'file' ? cur : undefined;
}

/** The directory (path components) a link names, links along the way followed. */
function resolveDirLink(link: PreflightEntry, byPath: Map<string, PreflightEntry>, hops: number): string[] | undefined {
  const t = link.target ?? '';
  if (hops >= 40 || t === '' || t.startsWith('/')) return undefined;
  const dir = link.path.slice(0, -1);
  for (const part of t.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (dir.length === 0) return undefined;
      dir.pop();
      continue;
    }
    dir.push(part);
    const e = byPath.get(dir.join('/'));
    if (!e) return undefined;
    if (e.kind === 'symlink') {
      const inner = resolveDirLink(e, byPath, hops + 1);
      if (!inner) return undefined;
      dir.splice(0, dir.length, ...inner);
    } else if (e.kind !== 'dir') return undefined;
  }
  return dir;
}

function last(e: PreflightEntry): string {
  return e.path[e.path.length - 1];
}

/** What readers display: ";1" and a bare trailing "." dropped (ECMA-119 §7.5.1 separators). */
function readerView(id: string): string {
  return id.replace(/;\d+$/, '').replace(/\.$/, '');
}

function fmtSize(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : `${n} bytes`;
}
