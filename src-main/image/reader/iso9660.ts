// ECMA-119 (ISO 9660) volume descriptors, directory records and path tables; Joliet is the same
// structures under a Supplementary Volume Descriptor with UCS-2 names.
import { InvalidImageError, throwIfAborted } from '../../common/errors';
import { type BlockReader, SECTOR, readBytes } from './block-reader';
import { asciiField, both16, both32, both32Consistent, decDateTime, dirDateTime, need, ucs2be } from './bytes';
import { TreeBudget, type ReaderLimits } from './limits';
import { checkEntryName, DirectoryNames } from './names';
import { decodeRockRidge, readSuspEntries, type RockRidgeAttrs } from './rock-ridge';
import type { Extent, IsoLevelEvidence, IsoVolumeInfo, TreeNode } from './types';

/** Volume descriptor set scan limit: real images have a handful (ECMA-119 §6.7.1 allows any number). */
const MAX_DESCRIPTORS = 64;

export { DEFAULT_LIMITS, type ReaderLimits } from './limits';

export interface RawDescriptor {
  lba: number;
  type: number;
  bytes: Buffer;
}

export interface VolumeDescriptorSet {
  all: RawDescriptor[];
  primary?: RawDescriptor;
  joliet?: RawDescriptor;
  bootRecord?: RawDescriptor;
  /** Start of UDF's volume recognition sequence identifiers seen after the ISO set (ECMA-167 2/9.1). */
  vrs: string[];
  terminatorLba?: number;
}

/** ECMA-119 §8.1: descriptors start at sector 16 of the session; type 255 terminates (§8.3). */
export async function readVolumeDescriptors(reader: BlockReader, sessionStart = 0): Promise<VolumeDescriptorSet> {
  const set: VolumeDescriptorSet = { all: [], vrs: [] };
  let lba = sessionStart + 16;
  let terminated = false;
  for (let i = 0; i < MAX_DESCRIPTORS && lba < reader.sectorCount; i++, lba++) {
    const b = await reader.read(lba, 1);
    const ident = b.toString('latin1', 1, 6);
    if (!terminated && ident === 'CD001') {
      const type = b[0];
      const d: RawDescriptor = { lba, type, bytes: b };
      set.all.push(d);
      if (type === 1 && !set.primary) set.primary = d;
      else if (type === 2 && !set.joliet && jolietLevelOf(b)) set.joliet = d;
      else if (type === 0 && !set.bootRecord) set.bootRecord = d;
      else if (type === 255) {
        set.terminatorLba = lba;
        terminated = true;
      }
      continue;
    }
    // ECMA-167 2/9.1: BEA01 … NSR0x … TEA01 may follow the ISO set (UDF bridge) or stand alone.
    if (['BEA01', 'NSR02', 'NSR03', 'TEA01', 'BOOT2', 'CDW02'].includes(ident)) {
      set.vrs.push(ident);
      if (ident === 'TEA01') break;
      continue;
    }
    if (ident === 'CD001') continue; // another ISO descriptor after a terminator: ignore
    break;
  }
  return set;
}

/** Joliet §4: escape sequences %/@, %/C, %/E in the SVD's escape sequences field (BP 89-120). */
export function jolietLevelOf(svd: Buffer): 1 | 2 | 3 | undefined {
  const esc = svd.toString('latin1', 88, 120);
  if (esc.includes('%/@')) return 1;
  if (esc.includes('%/C')) return 2;
  if (esc.includes('%/E')) return 3;
  return undefined;
}

/** ECMA-119 §8.4 (PVD) / §8.5 (SVD): the same byte layout; Joliet strings are UCS-2. */
export function decodeVolumeDescriptor(d: RawDescriptor, facet: 'iso9660' | 'joliet'): IsoVolumeInfo {
  const b = d.bytes;
  const str = facet === 'joliet' ? (off: number, len: number) => ucs2be(b, off, len).replace(/[\s\0]+$/, '') : (off: number, len: number) => asciiField(b, off, len);
  const blockSize = both16(b, 128);
  if (blockSize !== SECTOR) throw new InvalidImageError(`logical block size ${blockSize} is not supported (only 2048)`, { lba: d.lba });
  if (b[0] !== 1 && b[0] !== 2) throw new InvalidImageError(`sector ${d.lba} is not a primary/supplementary volume descriptor`);
  const root = decodeDirRecord(b, 156, 'root directory record');
  if (!root) throw new InvalidImageError(`volume descriptor at sector ${d.lba} has an empty root directory record`);
  return {
    facet,
    descriptorLba: d.lba,
    systemId: str(8, 32),
    volumeId: str(40, 32),
    volumeSetId: str(190, 128),
    publisherId: str(318, 128),
    dataPreparerId: str(446, 128),
    applicationId: str(574, 128),
    volumeSpaceSize: both32(b, 80),
    logicalBlockSize: blockSize,
    pathTableSize: both32(b, 132),
    creationDate: decDateTime(b, 813),
    modificationDate: decDateTime(b, 830),
    expirationDate: decDateTime(b, 847),
    effectiveDate: decDateTime(b, 864),
    jolietLevel: facet === 'joliet' ? jolietLevelOf(b) : undefined,
    rootLba: root.lba,
    rootSize: root.size,
  };
}

export interface DirRecord {
  recordLength: number;
  lba: number;
  size: number;
  mtime?: string;
  flags: number;
  nameBytes: Buffer;
  systemUse: Buffer;
  bothEndianOk: boolean;
}

/** ECMA-119 §9.1: one directory record at `off`; returns undefined for a zero length byte (sector padding). */
export function decodeDirRecord(buf: Buffer, off: number, what = 'directory record'): DirRecord | undefined {
  const len = buf[off];
  if (len === 0) return undefined;
  if (len < 34) throw new InvalidImageError(`${what}: record length ${len} is below the 34-byte minimum (ECMA-119 §9.1)`);
  need(buf, off, len, what);
  const nameLen = buf[off + 32];
  if (33 + nameLen > len) throw new InvalidImageError(`${what}: identifier length ${nameLen} overruns record length ${len}`);
  const suStart = 33 + nameLen + (nameLen % 2 === 0 ? 1 : 0); // §9.1.12 padding field after even-length identifiers
  return {
    recordLength: len,
    lba: both32(buf, off + 2) + buf[off + 1], // extended attribute record precedes the data (§9.1.2)
    size: both32(buf, off + 10),
    mtime: dirDateTime(buf, off + 18),
    flags: buf[off + 25],
    nameBytes: buf.subarray(off + 33, off + 33 + nameLen),
    systemUse: buf.subarray(off + Math.min(suStart, len), off + len),
    bothEndianOk: both32Consistent(buf, off + 2) && both32Consistent(buf, off + 10),
  };
}

/** Iterates the records of a directory extent; records never straddle a sector (ECMA-119 §6.8.1.1). */
export function* iterateDirRecords(data: Buffer, lba: number): Generator<DirRecord> {
  let off = 0;
  while (off < data.length) {
    const rec = decodeDirRecord(data, off, `directory record in sector ${lba + Math.floor(off / SECTOR)}`);
    if (!rec) {
      off = (Math.floor(off / SECTOR) + 1) * SECTOR;
      continue;
    }
    if ((off % SECTOR) + rec.recordLength > SECTOR) throw new InvalidImageError(`directory record crosses a sector boundary at sector ${lba + Math.floor(off / SECTOR)}`);
    yield rec;
    off += rec.recordLength;
  }
}

const D_CHARS = /^[A-Z0-9_]*$/;

export interface WalkOptions {
  facet: 'iso9660' | 'joliet' | 'rockridge';
  rootLba: number;
  rootSize: number;
  limits: ReaderLimits;
  /** SUSP LEN_SKP (from the root's SP entry), Rock Ridge only. */
  suspSkip?: number;
  warnings: string[];
  /** Checked once per directory (cooperative cancel). */
  signal?: AbortSignal;
}

export interface WalkResult {
  root: TreeNode;
  evidence: IsoLevelEvidence;
  /** Directory extents in the order seen, keyed by path (for the path table check). */
  dirs: { path: string[]; lba: number }[];
}

/** Reads the whole directory hierarchy of one facet. Bounded: visit set, node, depth and byte limits. */
export async function walkIsoTree(reader: BlockReader, o: WalkOptions): Promise<WalkResult> {
  const evidence: IsoLevelEvidence = { maxNameLength: 0, all83: true, nonDCharacters: false, multiExtentFiles: 0, largestFile: 0, maxDepth: 1, levelGuess: 1 };
  const visited = new Set<number>();
  const dirs: WalkResult['dirs'] = [];
  const budget = new TreeBudget(o.facet, o.limits, reader.sectorCount);
  const rr = o.facet === 'rockridge';

  const root: TreeNode = { name: '', kind: 'dir', size: o.rootSize, extents: [{ lba: o.rootLba, length: o.rootSize }], children: [] };

  async function readDir(node: TreeNode, lba: number, size: number, path: string[], depth: number): Promise<void> {
    throwIfAborted(o.signal);
    if (visited.has(lba)) throw new InvalidImageError(`directory loop: extent at sector ${lba} is reachable twice (${'/' + path.join('/')})`, { lba });
    visited.add(lba);
    if (depth > o.limits.maxDepth) throw new InvalidImageError(`${o.facet}: directory nesting deeper than ${o.limits.maxDepth} at /${path.join('/')}`, { facet: o.facet });
    dirs.push({ path, lba });
    evidence.maxDepth = Math.max(evidence.maxDepth, depth);
    if (size > o.limits.maxDirBytes) throw new InvalidImageError(`${o.facet}: directory /${path.join('/')}: length ${size} exceeds the limit of ${o.limits.maxDirBytes} bytes`, { facet: o.facet, lba, length: size });
    budget.directory(lba, size, `/${path.join('/')}`);
    const data = await readBytes(reader, lba, size, o.limits.maxDirBytes, `directory /${path.join('/')}`);
    const children: TreeNode[] = [];
    const names = new DirectoryNames(o.facet, `/${path.join('/')}`, o.warnings);
    let pending: TreeNode | undefined; // a multi-extent file still collecting sections (§6.5.1)
    let first = true;
    const subdirs: { node: TreeNode; lba: number; size: number }[] = [];
    for (const rec of iterateDirRecords(data, lba)) {
      if (!rec.bothEndianOk) o.warnings.push(`${o.facet}: both-byte-order fields disagree in a record of /${path.join('/')}`);
      const isSelf = rec.nameBytes.length === 1 && rec.nameBytes[0] === 0;
      const isParent = rec.nameBytes.length === 1 && rec.nameBytes[0] === 1;
      if (first && !isSelf) o.warnings.push(`${o.facet}: directory /${path.join('/')} does not start with its "." record`);
      first = false;
      if (isSelf) {
        if (depth === 1 && node.mtime === undefined) node.mtime = rec.mtime;
        if (rr && depth === 1) {
          const attrs = await rrAttrs(rec);
          // The root is a directory (ECMA-119 §6.8.1) whatever its "." says: keep its owner,
          // permissions and dates, never a symlink target or another file type.
          if (attrs) applyRr(node, { ...attrs, symlinkTarget: undefined, mode: attrs.mode === undefined ? undefined : (attrs.mode & 0o7777) | 0o040000 });
        }
        continue;
      }
      if (isParent) continue;
      // §9.1.6 bit 2: an associated file (e.g. a Mac resource fork) shares its main file's name;
      // readers list only the main file (Linux isofs without "showassoc" does the same).
      if (rec.flags & 0x04) continue;
      budget.entry(1, `/${path.join('/')}`);
      const isDir = (rec.flags & 0x02) !== 0;
      const rawName = o.facet === 'joliet' ? ucs2be(rec.nameBytes, 0, rec.nameBytes.length) : rec.nameBytes.toString('latin1');
      const attrs = rr ? await rrAttrs(rec) : undefined;
      if (attrs?.relocated) continue; // RRIP §4.1.5.3: shown where its CL placeholder is
      let name = stripVersion(rawName, isDir);
      if (o.facet === 'iso9660') noteName(name, isDir);
      if (attrs?.name !== undefined) name = attrs.name;

      if (pending) {
        if (pending.isoName !== rawName) throw new InvalidImageError(`multi-extent file ${pending.name} is followed by a different name in /${path.join('/')}`);
        pending.extents.push({ lba: rec.lba, length: rec.size });
        pending.size += rec.size;
        if (!(rec.flags & 0x80)) {
          evidence.multiExtentFiles++;
          evidence.largestFile = Math.max(evidence.largestFile, pending.size);
          pending = undefined;
        }
        continue;
      }

      checkEntryName(name, o.facet, `/${path.join('/')}`);
      name = names.claim(name);
      const child: TreeNode = { name, kind: isDir ? 'dir' : 'file', size: isDir ? rec.size : rec.size, extents: [{ lba: rec.lba, length: rec.size }], mtime: rec.mtime, isoName: rawName };
      if (rec.flags & 0x01) child.hidden = true; // §9.1.6 bit 0 "Existence"
      if (attrs) applyRr(child, attrs);
      if (attrs?.childLink !== undefined) {
        // RRIP §4.1.5.1: the real directory sits at the CL sector; its "." record gives the size.
        budget.charge(SECTOR, `relocated directory of ${name}`);
        const clSector = await readBytes(reader, attrs.childLink, SECTOR, SECTOR, `relocated directory of ${name}`);
        const dot = decodeDirRecord(clSector, 0, `relocated directory of ${name}`);
        if (!dot) throw new InvalidImageError(`RR child link of ${name} points to sector ${attrs.childLink} without a directory`);
        child.kind = 'dir';
        child.size = dot.size;
        child.extents = [{ lba: attrs.childLink, length: dot.size }];
      }
      if (child.kind === 'dir') {
        child.children = [];
        subdirs.push({ node: child, lba: child.extents[0].lba, size: child.extents[0].length });
      } else if (child.kind === 'file') {
        evidence.largestFile = Math.max(evidence.largestFile, child.size);
        if (rec.flags & 0x80) pending = child;
      }
      children.push(child);
    }
    if (pending) throw new InvalidImageError(`multi-extent file ${pending.name} has no final section in /${path.join('/')}`);
    node.children = children;
    for (const s of subdirs) {
      if (s.size === 0) continue;
      await readDir(s.node, s.lba, s.size, [...path, s.node.name], depth + 1);
    }
  }

  async function rrAttrs(rec: DirRecord): Promise<RockRidgeAttrs | undefined> {
    const area = rec.systemUse.subarray(Math.min(o.suspSkip ?? 0, rec.systemUse.length));
    if (area.length < 4) return undefined;
    return decodeRockRidge(await readSuspEntries(reader, area, budget));
  }

  function noteName(name: string, isDir: boolean): void {
    evidence.maxNameLength = Math.max(evidence.maxNameLength, name.length);
    const dot = name.lastIndexOf('.');
    const base = isDir || dot < 0 ? name : name.slice(0, dot);
    const ext = isDir || dot < 0 ? '' : name.slice(dot + 1);
    if (!D_CHARS.test(base) || !D_CHARS.test(ext)) evidence.nonDCharacters = true;
    if (base.length > 8 || ext.length > 3 || (!isDir && base.includes('.'))) evidence.all83 = false;
  }

  await readDir(root, o.rootLba, o.rootSize, [], 1);
  evidence.levelGuess = evidence.multiExtentFiles > 0 || evidence.largestFile >= 2 ** 32 ? 3 : evidence.all83 ? 1 : 2;
  return { root, evidence, dirs };
}

function applyRr(node: TreeNode, a: RockRidgeAttrs): void {
  if (a.mode !== undefined) {
    node.mode = a.mode;
    // RRIP §4.1.1: POSIX file type bits in PX mode.
    const fmt = a.mode & 0o170000;
    if (fmt === 0o120000) node.kind = 'symlink';
  }
  if (a.nlink !== undefined) node.nlink = a.nlink;
  if (a.uid !== undefined) node.uid = a.uid;
  if (a.gid !== undefined) node.gid = a.gid;
  if (a.mtime !== undefined) node.mtime = a.mtime;
  if (a.symlinkTarget !== undefined) {
    node.kind = 'symlink';
    node.symlinkTarget = a.symlinkTarget;
    node.size = a.symlinkTarget.length;
    node.extents = [];
  }
}

/** ECMA-119 §7.5.1: "NAME.EXT;1" → "NAME.EXT"; a bare trailing separator dot is dropped too. */
export function stripVersion(raw: string, isDir: boolean): string {
  if (isDir) return raw;
  let n = raw;
  const semi = n.lastIndexOf(';');
  if (semi >= 0) n = n.slice(0, semi);
  if (n.endsWith('.')) n = n.slice(0, -1);
  return n;
}

export interface PathTableRecord {
  name: string;
  lba: number;
  parent: number;
}

/** ECMA-119 §9.4: path table records; `le` selects type L (little-endian) or type M. */
export function decodePathTable(buf: Buffer, le: boolean, joliet: boolean): PathTableRecord[] {
  const out: PathTableRecord[] = [];
  let p = 0;
  while (p + 8 <= buf.length) {
    const nameLen = buf[p];
    if (nameLen === 0) break;
    need(buf, p, 8 + nameLen, 'path table record');
    const lba = (le ? buf.readUInt32LE(p + 2) : buf.readUInt32BE(p + 2)) + buf[p + 1];
    const parent = le ? buf.readUInt16LE(p + 6) : buf.readUInt16BE(p + 6);
    const nb = buf.subarray(p + 8, p + 8 + nameLen);
    const name = nameLen === 1 && nb[0] === 0 ? '' : joliet ? ucs2be(nb, 0, nb.length) : nb.toString('latin1');
    out.push({ name, lba, parent });
    p += 8 + nameLen + (nameLen & 1);
  }
  return out;
}

/**
 * Cross-checks both path tables (ECMA-119 §6.9) against the directories found by walking the tree:
 * same count, and each record's extent equals the directory reached by its name under its parent.
 */
export async function checkPathTables(reader: BlockReader, vd: RawDescriptor, dirs: { path: string[]; lba: number }[], facet: string): Promise<string[]> {
  const b = vd.bytes;
  const size = both32(b, 132);
  const issues: string[] = [];
  if (size === 0) return [`${facet}: path table size is 0`];
  const byPath = new Map(dirs.map((d) => [d.path.join('/'), d.lba]));
  for (const [le, off] of [[true, 140], [false, 148]] as const) {
    const loc = le ? b.readUInt32LE(off) : b.readUInt32BE(off);
    const kind = le ? 'L' : 'M';
    let table: PathTableRecord[];
    try {
      table = decodePathTable(await readBytes(reader, loc, size, 16 * 1024 * 1024, `type ${kind} path table`), le, facet === 'joliet');
    } catch (err) {
      issues.push(`${facet}: type ${kind} path table unreadable: ${(err as Error).message}`);
      continue;
    }
    const paths: string[] = [];
    let bad = 0;
    table.forEach((r, i) => {
      const parentPath = i === 0 ? undefined : paths[r.parent - 1];
      const path = i === 0 ? '' : parentPath === undefined ? '\0' : parentPath === '' ? r.name : `${parentPath}/${r.name}`;
      paths.push(path);
      if (i === 0 ? r.parent !== 1 : r.parent < 1 || r.parent > i) bad++;
      else if (byPath.get(path) !== r.lba) bad++;
    });
    if (table.length !== dirs.length) issues.push(`${facet}: type ${kind} path table lists ${table.length} directories, the tree has ${dirs.length}`);
    if (bad) issues.push(`${facet}: ${bad} type ${kind} path table record(s) disagree with the directory tree`);
  }
  return issues;
}

export function extentsEnd(extents: Extent[]): number {
  return extents.reduce((m, e) => Math.max(m, e.lba + Math.ceil(e.length / SECTOR)), 0);
}
