// The UDF layout pass. planUdf() fixes every size that depends only on the tree (how many sectors
// each region needs); encode() takes the caller's placement plus the file data extents and renders
// all UDF structures. File data itself is never touched here.
import { InternalError, InvalidInputError } from '../../common/errors';
import {
  AED_FIXED,
  encodeAllocationExtent,
  encodeFileEntry,
  encodeFileSet,
  writeFileEntry,
  encodePathComponents,
  FE_FIXED,
  FidChar,
  FileType,
  IcbFlag,
  layoutFids,
  writeFileIdentifier,
} from './file-descriptors';
import { BLOCK, encodeOsta, ExtentType, ostaLength, writeLongAd, writeShortAd } from './primitives';
import { assignUdfNames, recordedLinkTarget, UDF_NAME_MAX_BYTES, type LinkWalkTree } from './names';
import {
  encodeAnchor,
  encodeIntegrity,
  encodeLogicalVolume,
  encodeLvInfo,
  encodePartition,
  encodePrimaryVolume,
  encodeTerminating,
  encodeUnallocatedSpace,
  encodeVolumeStructureDescriptor,
  type UdfFlavour,
} from './volume-descriptors';

export type UdfRevision = '1.02' | '1.50' | '2.00' | '2.01' | '2.50';

/**
 * What the plan records of a node (a staged node has these fields: the plan holds the node itself,
 * not a copy). `size` is read for files only.
 */
export interface UdfSourceNode {
  name: string;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  mtime: Date;
  atime?: Date;
  ctime?: Date;
  mode?: number;
  uid?: number;
  gid?: number;
  hidden?: boolean;
  symlinkTarget?: string;
}

/** Where a file's data is, and a folder's children: how the plan reads a source tree. */
export interface UdfSourceTree<N extends UdfSourceNode> {
  /** The children in the order they are recorded (a folder only; those left out of UDF are not given). */
  children(n: N): readonly N[];
  /** The file's data contiguous from this sector (no per-file extent objects), or undefined: then `extents`. */
  dataLba(n: N): number | undefined;
  /** Absolute image sectors (2048 B) of the file data, in order; lengths as extentsFor(size) gives. */
  extents(n: N): { lba: number; length: number }[];
}

/** A source tree of its own (tests, the multisession merge): children, extents and dataLba as fields. */
export interface UdfNodeInput extends UdfSourceNode {
  /** Absolute image sectors (2048 B) of the file data, in order; lengths as extentsFor(size) gives. */
  extents: { lba: number; length: number }[];
  /** Instead of `extents`: the data is contiguous from this sector (no per-file extent objects). */
  dataLba?: number;
  children?: UdfNodeInput[];
}

export interface UdfVolumeInput {
  label: string;
  revision: UdfRevision;
  recordingTime: Date;
  /** UDF 2.50 only: duplicate the metadata file (the mirror gets its own copy). Default false. */
  metadataMirror?: boolean;
  volumeSetId?: string;
}

/** Sectors each region needs. */
export interface UdfRegions {
  vrs: number;
  mainVds: number;
  reserveVds: number;
  lvid: number;
  /**
   * Blocks placed apart from the metadata region, at the partition start: the File Set Descriptor
   * sequence (some readers, pycdlib among them, look for the FSD there whatever the Logical Volume
   * Descriptor says), or under 2.50 the Metadata File and Mirror File FEs.
   */
  fileSet: number;
  partitionMeta: number;
}

export interface UdfPlacement {
  vrsLba: number;
  mainVdsLba: number;
  reserveVdsLba: number;
  lvidLba: number;
  partitionStartLba: number;
  partitionLength: number;
  partitionMetaLba: number;
  /** Where the partition head (regions.fileSet blocks) goes: the partition start, where readers expect the FSD. */
  fileSetLba: number;
  anchorLbas: number[];
  totalSectors: number;
}

/**
 * Sectors rendered on demand: render() writes sectors [first, first + count) of the piece into
 * dst at dstOffset. The image writer calls it as it reaches the piece, so the UDF metadata (one
 * 2 KiB File Entry per file) is never held in memory as a whole.
 */
export interface LazySectors {
  lba: number;
  sectors: number;
  render(dst: Buffer, dstOffset: number, first: number, count: number): void;
}

export type UdfPiece = { lba: number; data: Buffer } | LazySectors;

export interface UdfPlan {
  regions: UdfRegions;
  /** Every piece as bytes (tests, small volumes). */
  encode(placement: UdfPlacement): { lba: number; data: Buffer }[];
  /** Same content; the metadata space (and its mirror copy) as LazySectors. Placement errors throw here. */
  encodeLazy(placement: UdfPlacement): UdfPiece[];
}

/**
 * ECMA-167 4/14.14.1.1 gives an extent a 30-bit length; OSTA UDF §2.3.10 wants every extent but
 * the last to be a whole number of blocks, so the largest usable extent is 2^30 − 2048 bytes.
 */
export const MAX_EXTENT_BYTES = 2 ** 30 - BLOCK;

/** Byte lengths of the extents a file of `size` bytes is recorded in (none for an empty file). */
export function extentsFor(size: number): number[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new InvalidInputError(`UDF: bad file size ${size}`);
  const out: number[] = [];
  let rest = size;
  while (rest > MAX_EXTENT_BYTES) {
    out.push(MAX_EXTENT_BYTES);
    rest -= MAX_EXTENT_BYTES;
  }
  if (rest > 0) out.push(rest);
  return out;
}

/** extentsFor(size).length without the array (planning counts the extents of every file). */
function extentCount(size: number): number {
  if (!Number.isSafeInteger(size) || size < 0) throw new InvalidInputError(`UDF: bad file size ${size}`);
  return Math.ceil(size / MAX_EXTENT_BYTES);
}

const REVISIONS: Record<UdfRevision, UdfFlavour> = {
  '1.02': { rev: 0x0102, tagVersion: 2 },
  '1.50': { rev: 0x0150, tagVersion: 2 },
  '2.00': { rev: 0x0200, tagVersion: 3 },
  '2.01': { rev: 0x0201, tagVersion: 3 },
  '2.50': { rev: 0x0250, tagVersion: 3 },
};

const VRS_SECTORS = 3;
/** ECMA-167 3/8.4.2 / OSTA UDF §2.2.3: each VDS extent is at least 16 sectors. */
const VDS_SECTORS = 16;
/** Integrity sequence: the LVID and a Terminating Descriptor. */
const LVID_SECTORS = 2;
/** The volume-structure regions, whose sizes do not depend on the tree. */
export const UDF_VOLUME_REGIONS: Omit<UdfRegions, 'partitionMeta' | 'fileSet'> = { vrs: VRS_SECTORS, mainVds: VDS_SECTORS, reserveVds: VDS_SECTORS, lvid: LVID_SECTORS };
/**
 * Blocks that open the partition, apart from the metadata region (UdfRegions.fileSet): the File
 * Set Descriptor sequence, or under 2.50 the Metadata File and Metadata Mirror File FEs.
 */
export const UDF_PARTITION_HEAD = 2;
/** File Set Descriptor sequence: the FSD and a Terminating Descriptor (ECMA-167 4/8.3.1). */
const FSD_SEQ_BLOCKS = 2;
/**
 * Metadata file allocation and alignment unit (OSTA UDF 2.50 §2.2.10): 32 blocks is one BD ECC
 * cluster and two DVD ECC blocks, so it suits every medium a UDF 2.50 image goes to.
 */
const META_UNIT = 32;
/** Largest metadata-file extent that is both ≤ MAX_EXTENT_BYTES and a whole number of units. */
const META_MAX_EXTENT_BLOCKS = Math.floor(MAX_EXTENT_BYTES / BLOCK / META_UNIT) * META_UNIT;
/** OSTA UDF §3.2.1.1: Unique IDs 1–15 are reserved; the root directory has 0. */
const FIRST_UNIQUE_ID = 16;
/** OSTA UDF §3.3.3.1: 2^32 − 1 means "no user/group id recorded". */
const NO_ID = 0xffffffff;

interface PlanNode {
  input: UdfSourceNode;
  parent: PlanNode | null;
  /** The name as recorded (null for the root): the name given, or its cut (names.ts); nameLen is its OSTA length, wideName its compression. */
  name: string | null;
  nameLen: number;
  wideName: boolean;
  uniqueId: number;
  children: PlanNode[];
  /** Block offsets inside the metadata space (see planUdf). */
  feBlock: number;
  aedBlocks: number[];
  dataBlock: number;
  dataBytes: number;
  symlinkData?: Buffer;
  /** Per FID of a directory (parent first): length of its Implementation Use. */
  fidImplUse?: number[];
  /** Allocation descriptors this node's FE chain must hold (file data or its one metadata extent). */
  adCount: number;
  adSize: 8 | 16;
}

function feCapacity(adSize: number): number {
  return Math.floor((BLOCK - FE_FIXED) / adSize);
}
function aedCapacity(adSize: number): number {
  return Math.floor((BLOCK - AED_FIXED) / adSize);
}
/** AED blocks needed when an FE holds `count` ADs (one slot per full block goes to the continuation AD). */
function aedBlocksFor(count: number, adSize: number): number {
  let rest = count;
  let cap = feCapacity(adSize);
  let n = 0;
  while (rest > cap) {
    rest -= cap - 1;
    n++;
    cap = aedCapacity(adSize);
  }
  return n;
}

/** Refuses a name no file system can hold (names too long for UDF are cut: names.ts). */
function validName(name: string, dir: PlanNode): void {
  if (name.length === 0) throw new InvalidInputError(`UDF: empty name in ${nodePath(dir)}`);
  if (name === '.' || name === '..' || name.includes('/'))
    throw new InvalidInputError(`UDF: illegal file name ${JSON.stringify(name)} in ${nodePath(dir)}`, { name });
}

/** Years 1..9999 (ECMA-167 1/7.3) as milliseconds since the epoch. */
const FIRST_MS = -62135596800000; // 0001-01-01T00:00:00Z
const LAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A node's path, for messages (built only when one is needed: planning runs once per file). */
function nodePath(n: PlanNode): string {
  const parts: string[] = [];
  for (let x: PlanNode | null = n; x && x.name !== null; x = x.parent) parts.unshift(x.name);
  return `/${parts.join('/')}`;
}

/** Every date of a real tree passes this without the calendar; checkDate says what is wrong with the others. */
function dateOk(d: unknown): boolean {
  if (!(d instanceof Date)) return false;
  const t = d.getTime();
  return t >= FIRST_MS && t <= LAST_MS;
}

function checkDate(d: unknown, what: string): void {
  if (dateOk(d)) return;
  if (!(d instanceof Date)) throw new InvalidInputError(`UDF: ${what} is not a valid Date`);
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new InvalidInputError(`UDF: ${what} is not a valid Date`);
  const y = d.getUTCFullYear();
  if (y < 1 || y > 9999) throw new InvalidInputError(`UDF: ${what} year ${y} is outside 1..9999 (ECMA-167 1/7.3)`);
}

function checkId(n: PlanNode, k: 'uid' | 'gid' | 'mode', v: number | undefined, max: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > max)) throw new InvalidInputError(`UDF: ${nodePath(n)} has a bad ${k} ${v}`, { [k]: v });
}

const NO_NODES: PlanNode[] = [];
const NO_INPUTS: readonly UdfNodeInput[] = [];
/** UdfNodeInput's own fields as its source tree. */
const INPUT_TREE: UdfSourceTree<UdfNodeInput> = { children: (n) => n.children ?? NO_INPUTS, dataLba: (n) => n.dataLba, extents: (n) => n.extents };
const NO_BLOCKS: number[] = [];

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** mode (POSIX) → UDF permissions (ECMA-167 4/14.9.5): per class x, w, r, change-attribute, delete. */
export function udfPermissions(mode: number): number {
  // POSIX rwx and UDF r/w/x share bit order within a class (x = bit 0, w = 1, r = 2).
  const other = mode & 7;
  const group = (mode >> 3) & 7;
  const owner = (mode >> 6) & 7;
  // The owner may change attributes when he may write, as Linux records it; nobody gets delete on a
  // read-only medium.
  const ownerChattr = owner & 2 ? 8 : 0;
  return other | (group << 5) | ((owner | ownerChattr) << 10);
}

export function planUdf(root: UdfNodeInput, vol: UdfVolumeInput): UdfPlan;
export function planUdf<N extends UdfSourceNode>(root: N, vol: UdfVolumeInput, source: UdfSourceTree<N>): UdfPlan;
export function planUdf<N extends UdfSourceNode>(root: N, vol: UdfVolumeInput, source: UdfSourceTree<N> = INPUT_TREE as unknown as UdfSourceTree<N>): UdfPlan {
  const flavour = REVISIONS[vol.revision];
  if (!flavour) throw new InvalidInputError(`UDF: unsupported revision ${String(vol.revision)}`);
  if (root.kind !== 'dir') throw new InvalidInputError('UDF: the root node must be a directory');
  // Fail here, not in encode(): labels and times must be recordable (OSTA CS0, ECMA-167 1/7.3).
  encodeOsta(vol.label ?? '');
  if (vol.volumeSetId !== undefined) encodeOsta(vol.volumeSetId);
  checkDate(vol.recordingTime, 'recordingTime');
  const useMetadataPartition = vol.revision === '2.50';
  const duplicate = useMetadataPartition && vol.metadataMirror === true;
  // File data lives in the physical partition. Under UDF 2.50 the FEs are in the metadata
  // partition, so file ADs must name partition 0 explicitly: long_ad (OSTA UDF 2.50 §2.2.13).
  const fileAdSize: 8 | 16 = useMetadataPartition ? 16 : 8;

  // 1. Build the tree, assign Unique IDs in depth-first order.
  let nextId = FIRST_UNIQUE_ID;
  let files = 0;
  let dirs = 0;
  const build = (input: N, name: string | null, nameLen: number, parent: PlanNode | null): PlanNode => {
    const n: PlanNode = {
      input,
      parent,
      name,
      nameLen,
      wideName: name !== null && nameLen !== 1 + name.length,
      uniqueId: name === null ? 0 : nextId++,
      children: input.kind === 'dir' ? [] : NO_NODES,
      feBlock: -1,
      aedBlocks: NO_BLOCKS,
      dataBlock: -1,
      dataBytes: 0,
      adCount: 0,
      adSize: 8,
    };
    if (!dateOk(input.mtime)) checkDate(input.mtime, `${nodePath(n)} mtime`);
    if (input.atime !== undefined && !dateOk(input.atime)) checkDate(input.atime, `${nodePath(n)} atime`);
    if (input.ctime !== undefined && !dateOk(input.ctime)) checkDate(input.ctime, `${nodePath(n)} ctime`);
    checkId(n, 'uid', input.uid, 0xffffffff);
    checkId(n, 'gid', input.gid, 0xffffffff);
    checkId(n, 'mode', input.mode, 0o177777);
    if (input.kind === 'dir') {
      dirs++;
      const seen = new Set<string>();
      const children = source.children(input);
      let ids: string[] | undefined;
      for (let i = 0; i < children.length; i++) {
        const c = children[i];
        if (seen.has(c.name)) throw new InvalidInputError(`UDF: duplicate name ${JSON.stringify(c.name)} in ${nodePath(n)}`, { name: c.name });
        seen.add(c.name);
        validName(c.name, n);
        let name = c.name;
        let len = ostaLength(name);
        if (len > UDF_NAME_MAX_BYTES) {
          // Cut to fit L_FI, unique among the siblings (computed once per directory that needs it).
          ids ??= assignUdfNames(children);
          name = ids[i];
          len = ostaLength(name);
        }
        n.children.push(build(c, name, len, n));
      }
      // The parent FID (L_FI 0, ECMA-167 4/8.6) comes first.
      const fids = layoutFids([0, ...n.children.map((c) => c.nameLen)]);
      n.fidImplUse = fids.implUse;
      const bytes = fids.bytes;
      n.dataBytes = bytes;
      n.adCount = 1;
      if (bytes > MAX_EXTENT_BYTES) throw new InvalidInputError(`UDF: directory ${nodePath(n)} is too large`);
    } else if (input.kind === 'file') {
      files++;
      n.adCount = extentCount(input.size);
      n.adSize = fileAdSize;
    } else if (input.kind === 'symlink') {
      files++;
      if (typeof input.symlinkTarget !== 'string') throw new InvalidInputError(`UDF: symlink ${nodePath(n)} has no target`);
      // Encoded once the whole tree is built: a target in a folder built later is named as recorded.
      links.push(n);
      n.adCount = 1;
    } else {
      throw new InvalidInputError(`UDF: unknown node kind at ${nodePath(n)}`);
    }
    return n;
  };
  const links: PlanNode[] = [];
  const tree = build(root, null, 0, null);
  // A folder's children by their given names, built for the folders links walk through (once each).
  const byName = new Map<PlanNode, Map<string, PlanNode>>();
  const childNamed = (dir: PlanNode, name: string) => {
    let m = byName.get(dir);
    if (!m) byName.set(dir, (m = new Map(dir.children.map((c) => [c.input.name, c]))));
    return m.get(name);
  };
  const planTree: LinkWalkTree<PlanNode> = {
    child: (dir, name) => {
      const c = childNamed(dir, name);
      return c && { recorded: c.name!, folder: c.input.kind === 'dir' ? c : undefined };
    },
    parent: (dir) => dir.parent ?? undefined,
  };
  for (const n of links) {
    // A target names what the tree records (a link to the second of two names that cut alike, its "~1").
    n.symlinkData = encodePathComponents(recordedLinkTarget(n.input.symlinkTarget!, n.parent ?? undefined, planTree));
    n.dataBytes = n.symlinkData.length;
  }

  // 2. Metadata space: FSD, TD, then per directory its FE and data, its files' FEs (+AEDs, symlink
  //    data), then its subdirectories. Sizes only; no LBA is known yet.
  let cursor = FSD_SEQ_BLOCKS;
  const all: PlanNode[] = [];
  const place = (n: PlanNode) => {
    all.push(n);
    n.feBlock = cursor++;
    const aeds = aedBlocksFor(n.adCount, n.adSize);
    if (aeds) n.aedBlocks = [];
    for (let i = 0; i < aeds; i++) n.aedBlocks.push(cursor++);
    if (n.input.kind !== 'file') {
      n.dataBlock = cursor;
      cursor += Math.ceil(n.dataBytes / BLOCK);
    }
  };
  const walk = (d: PlanNode) => {
    for (const c of d.children) if (c.input.kind !== 'dir') place(c);
    for (const c of d.children) if (c.input.kind === 'dir') {
      place(c);
      walk(c);
    }
  };
  place(tree);
  walk(tree);
  const metaBlocks = cursor;

  // 3. Region sizes. Under 2.50 the partition-meta region holds the metadata FE, the mirror FE,
  //    up to META_UNIT-1 blocks to reach an aligned start, and the metadata file (twice if mirrored).
  const metaFileBlocks = useMetadataPartition ? Math.ceil(metaBlocks / META_UNIT) * META_UNIT : 0;
  // Below 2.50 the FSD sequence (metadata-space blocks 0-1) is placed on its own.
  // The head (FSD sequence = metadata-space blocks 0-1, or the 2.50 metadata FEs) is placed apart.
  const head = UDF_PARTITION_HEAD;
  const partitionMeta = useMetadataPartition ? (META_UNIT - 1) + metaFileBlocks * (duplicate ? 2 : 1) : metaBlocks - head;
  const regions: UdfRegions = { ...UDF_VOLUME_REGIONS, fileSet: head, partitionMeta };

  const encodeLazy = (p: UdfPlacement): UdfPiece[] => {
    const spans = checkPlacement(p, regions);
    const f = flavour;
    const partStart = p.partitionStartLba;
    const partEnd = p.partitionStartLba + p.partitionLength;
    const regionLbn = p.partitionMetaLba - partStart;
    const metaRef = useMetadataPartition ? 1 : 0;
    // Where metadata-space block r lives: its address in the partition it is addressed through
    // (physical partition, or the metadata partition whose block r is block r of the metadata file).
    const metaContentLbn = useMetadataPartition ? Math.ceil(regionLbn / META_UNIT) * META_UNIT : regionLbn;
    const fileSetLbn = p.fileSetLba! - partStart;
    // Under 2.50 metadata-space block r is block r of the metadata partition; below it, blocks 0-1
    // (the FSD sequence) open the physical partition and the rest is the metadata region.
    const lbn = useMetadataPartition ? (r: number) => r : (r: number) => (r < head ? fileSetLbn + r : regionLbn - head + r);
    // Every file's extents are checked now, before the first byte is written.
    // (Read now, not when planned: a caller may place the data after learning the region sizes.)
    const src = source as unknown as UdfSourceTree<UdfSourceNode>;
    for (const n of all) if (n.input.kind === 'file') checkExtents(n.input, src, partStart, partEnd, spans);

    // File Set Descriptor sequence: metadata-space blocks 0 and 1.
    const rootRef = { lbn: lbn(tree.feBlock), partRef: metaRef, length: BLOCK, uniqueId: 0 };
    const fsdSeq = Buffer.concat([
      encodeFileSet(f, lbn(0), { recordingTime: vol.recordingTime, lvIdentifier: vol.label, fileSetIdentifier: vol.label, root: rootRef }),
      encodeTerminating(f, lbn(1)),
    ]);

    const icbOf = (n: PlanNode) => ({ lbn: lbn(n.feBlock), partRef: metaRef, length: BLOCK, uniqueId: n.uniqueId });
    const adScratch = Buffer.alloc(BLOCK);
    const dateScratch = new Int32Array(7);

    /** Node n's File Entry at byte `at` of zeroed dst. */
    const writeNodeEntry = (n: PlanNode, dst: Buffer, at: number, icbFlags: number, blocksRecorded: number, infoLength: number, ads: Buffer, adsLength: number) => {
      const inp = n.input;
      const isDir = inp.kind === 'dir';
      // File-type bits (S_IFMT) may come along with a stat() mode; `kind` already says the type.
      const mode = (inp.mode ?? (isDir ? 0o755 : inp.kind === 'symlink' ? 0o777 : 0o644)) & 0o7777;
      if (mode & 0o4000) icbFlags |= IcbFlag.SetUid;
      if (mode & 0o2000) icbFlags |= IcbFlag.SetGid;
      if (mode & 0o1000) icbFlags |= IcbFlag.Sticky;
      let subdirs = 0;
      if (isDir) for (const c of n.children) if (c.input.kind === 'dir') subdirs++;
      writeFileEntry(f, dst, at, lbn(n.feBlock), {
        fileType: isDir ? FileType.Directory : inp.kind === 'symlink' ? FileType.Symlink : FileType.File,
        icbFlags,
        uid: inp.uid ?? NO_ID,
        gid: inp.gid ?? NO_ID,
        permissions: udfPermissions(mode),
        // ECMA-167 4/14.9.6: the number of FIDs naming this entry; a directory is also named by
        // the parent FID of each subdirectory.
        linkCount: 1 + subdirs,
        informationLength: infoLength,
        blocksRecorded,
        atime: inp.atime ?? inp.mtime,
        mtime: inp.mtime,
        attrTime: inp.ctime ?? inp.mtime,
        uniqueId: n.uniqueId,
        ads,
      }, adsLength, dateScratch);
    };

    /** Writes node n's blocks (FE, AEDs, directory/symlink data) into zeroed dst from byte `at` (= block n.feBlock). */
    const renderNode = (n: PlanNode, dst: Buffer, at: number) => {
      const off = (r: number) => at + (r - n.feBlock) * BLOCK;
      const inp = n.input;
      const isDir = inp.kind === 'dir';
      let ads: Buffer[];
      let icbFlags = 0;
      let blocksRecorded = 0;
      let infoLength: number;
      const dataLba = inp.kind === 'file' ? src.dataLba(inp) : undefined;
      if (dataLba !== undefined && inp.size <= MAX_EXTENT_BYTES && n.aedBlocks.length === 0) {
        // The common case, one extent or none, written without per-extent objects.
        icbFlags = n.adSize === 16 ? IcbFlag.LongAd : IcbFlag.ShortAd;
        let adLen = 0;
        if (inp.size > 0) {
          if (n.adSize === 16) writeLongAd(adScratch, 0, inp.size, dataLba - partStart, 0);
          else writeShortAd(adScratch, 0, inp.size, dataLba - partStart);
          adLen = n.adSize;
          blocksRecorded = Math.ceil(inp.size / BLOCK);
        }
        writeNodeEntry(n, dst, at, icbFlags, blocksRecorded, inp.size, adScratch, adLen);
        return;
      }
      if (inp.kind === 'file') {
        icbFlags = n.adSize === 16 ? IcbFlag.LongAd : IcbFlag.ShortAd;
        // A list longer than one FE holds (AEDs follow) gets its own buffer.
        const extents = extentsOf(inp, src);
        const adBuf = n.aedBlocks.length === 0 ? adScratch : Buffer.alloc(extents.length * n.adSize);
        ads = extents.map((e, i) => {
          const b = adBuf.subarray(i * n.adSize, (i + 1) * n.adSize);
          if (n.adSize === 16) writeLongAd(b, 0, e.length, e.lba - partStart, 0);
          else writeShortAd(b, 0, e.length, e.lba - partStart);
          blocksRecorded += Math.ceil(e.length / BLOCK);
          return b;
        });
        infoLength = inp.size;
      } else {
        // Directory FIDs and symlink path components are in the same partition as the FE.
        const b = adScratch.subarray(0, 8);
        writeShortAd(b, 0, n.dataBytes, lbn(n.dataBlock));
        ads = [b];
        blocksRecorded = Math.ceil(n.dataBytes / BLOCK);
        infoLength = n.dataBytes;
      }
      let feAds: Buffer;
      if (n.aedBlocks.length === 0) {
        feAds = ads.length === 1 ? ads[0] : adScratch.subarray(0, ads.length * n.adSize);
      } else {
        // Split the AD list over the FE and its AEDs (ECMA-167 4/12: a type-3 AD continues the list).
        const chunks = chainAds(ads, n.aedBlocks.length, n.adSize);
        const nextAd = (i: number): Buffer => {
          const b = Buffer.alloc(n.adSize);
          if (n.adSize === 16) writeLongAd(b, 0, BLOCK, lbn(n.aedBlocks[i]), metaRef, 0, ExtentType.NextExtentOfAds);
          else writeShortAd(b, 0, BLOCK, lbn(n.aedBlocks[i]), ExtentType.NextExtentOfAds);
          return b;
        };
        for (let i = 0; i < n.aedBlocks.length; i++) {
          const body = i + 1 < n.aedBlocks.length ? Buffer.concat([...chunks[i + 1], nextAd(i + 1)]) : Buffer.concat(chunks[i + 1]);
          encodeAllocationExtent(f, lbn(n.aedBlocks[i]), body).copy(dst, off(n.aedBlocks[i]));
        }
        feAds = Buffer.concat([...chunks[0], nextAd(0)]);
      }
      writeNodeEntry(n, dst, off(n.feBlock), icbFlags, blocksRecorded, infoLength, feAds, feAds.length);

      if (isDir) {
        const base = off(n.dataBlock);
        let o = 0;
        const parent = n.parent ?? n; // the root's parent is itself (ECMA-167 4/8.6)
        const loc = () => lbn(n.dataBlock + Math.floor(o / BLOCK));
        const liu = n.fidImplUse!;
        o += writeFileIdentifier(f, dst, base + o, loc(), { characteristics: FidChar.Directory | FidChar.Parent, icb: icbOf(parent), name: null, implUse: liu[0] });
        n.children.forEach((c, i) => {
          let ch = c.input.kind === 'dir' ? FidChar.Directory : 0;
          if (c.input.hidden) ch |= FidChar.Hidden;
          o += writeFileIdentifier(f, dst, base + o, loc(), { characteristics: ch, icb: icbOf(c), name: c.name, nameLen: c.nameLen, wideName: c.wideName, implUse: liu[i + 1] });
        });
        if (o !== n.dataBytes) throw new InternalError(`UDF: FID layout mismatch (${o} != ${n.dataBytes})`);
      } else if (n.symlinkData) {
        n.symlinkData.copy(dst, off(n.dataBlock));
      }
    };

    // Under 2.50 the metadata file is padded to whole allocation units; the padding stays zero.
    const spaceBlocks = useMetadataPartition ? metaFileBlocks : metaBlocks;
    const firstBlocks = Int32Array.from(all, (n) => n.feBlock); // ascending: place() runs in order
    const endOf = (i: number) => (i + 1 < all.length ? firstBlocks[i + 1] : metaBlocks);
    const renderSpace = (dst: Buffer, dstOffset: number, first: number, count: number) => {
      if (first < 0 || count < 0 || first + count > spaceBlocks) throw new InternalError(`UDF: render ${first}+${count} outside ${spaceBlocks} blocks`);
      const last = first + count;
      dst.fill(0, dstOffset, dstOffset + count * BLOCK);
      if (first < FSD_SEQ_BLOCKS) fsdSeq.copy(dst, dstOffset, first * BLOCK, Math.min(last, FSD_SEQ_BLOCKS) * BLOCK);
      // First node whose blocks reach past `first`.
      let lo = 0, hi = all.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (endOf(mid) <= first) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < all.length && firstBlocks[i] < last; i++) {
        const s = firstBlocks[i], e = endOf(i);
        if (s >= first && e <= last) {
          renderNode(all[i], dst, dstOffset + (s - first) * BLOCK);
        } else {
          // The node straddles the requested range (a chunk boundary, or a large directory).
          const tmp = Buffer.alloc((e - s) * BLOCK);
          renderNode(all[i], tmp, 0);
          const from = Math.max(s, first), to = Math.min(e, last);
          tmp.copy(dst, dstOffset + (from - first) * BLOCK, (from - s) * BLOCK, (to - s) * BLOCK);
        }
      }
    };

    // Volume structures.
    const out: UdfPiece[] = [];
    const nsr = f.tagVersion === 2 ? 'NSR02' : 'NSR03';
    out.push({
      lba: p.vrsLba,
      data: Buffer.concat([encodeVolumeStructureDescriptor('BEA01'), encodeVolumeStructureDescriptor(nsr), encodeVolumeStructureDescriptor('TEA01')]),
    });
    const vsid = vol.volumeSetId ?? defaultVolumeSetId(vol);
    const metaMap = useMetadataPartition
      ? { metadataFileLbn: fileSetLbn, mirrorFileLbn: fileSetLbn + 1, allocationUnit: META_UNIT, alignmentUnit: META_UNIT, duplicate }
      : undefined;
    const vds = (base: number): Buffer => {
      const secs = [
        encodePrimaryVolume(f, base, { vdsNumber: 0, volumeIdentifier: vol.label, volumeSetIdentifier: vsid, recordingTime: vol.recordingTime }),
        encodeLvInfo(f, base + 1, 1, vol.label),
        encodePartition(f, base + 2, 2, partStart, p.partitionLength),
        encodeLogicalVolume(f, base + 3, {
          vdsNumber: 3,
          lvIdentifier: vol.label,
          fsd: { lbn: lbn(0), partRef: metaRef, length: FSD_SEQ_BLOCKS * BLOCK },
          integrity: { lba: p.lvidLba, sectors: LVID_SECTORS },
          metadata: metaMap,
        }),
        encodeUnallocatedSpace(f, base + 4, 4),
        encodeTerminating(f, base + 5),
      ];
      const b = Buffer.alloc(VDS_SECTORS * BLOCK);
      secs.forEach((s, i) => s.copy(b, i * BLOCK));
      return b;
    };
    out.push({ lba: p.mainVdsLba, data: vds(p.mainVdsLba) });
    out.push({ lba: p.reserveVdsLba, data: vds(p.reserveVdsLba) });
    out.push({
      lba: p.lvidLba,
      data: Buffer.concat([
        encodeIntegrity(f, p.lvidLba, {
          recordingTime: vol.recordingTime,
          nextUniqueId: nextId,
          partitionSizes: useMetadataPartition ? [p.partitionLength, metaFileBlocks] : [p.partitionLength],
          files,
          dirs,
        }),
        encodeTerminating(f, p.lvidLba + 1),
      ]),
    });
    for (const a of p.anchorLbas) {
      out.push({
        lba: a,
        data: encodeAnchor(f, a, { lba: p.mainVdsLba, sectors: VDS_SECTORS }, { lba: p.reserveVdsLba, sectors: VDS_SECTORS }),
      });
    }

    const lazySpace = (lba: number): LazySectors => ({ lba, sectors: spaceBlocks, render: renderSpace });
    if (!useMetadataPartition) {
      out.push({ lba: p.fileSetLba!, data: fsdSeq });
      out.push({ lba: p.partitionMetaLba, sectors: spaceBlocks - head, render: (dst, o, first, count) => renderSpace(dst, o, first + head, count) });
    } else {
      // OSTA UDF 2.50 §2.2.13: the Metadata File (type 250) and Metadata Mirror File (type 251) are
      // FEs in the physical partition. Without duplication both describe the same extents.
      const mirrorLbn = duplicate ? metaContentLbn + metaFileBlocks : metaContentLbn;
      const metaFe = (type: number, at: number, contentLbn: number) => {
        const ads: Buffer[] = [];
        for (let done = 0; done < metaFileBlocks; ) {
          const n = Math.min(META_MAX_EXTENT_BLOCKS, metaFileBlocks - done);
          const b = Buffer.alloc(8);
          writeShortAd(b, 0, n * BLOCK, contentLbn + done);
          ads.push(b);
          done += n;
        }
        const adBuf = Buffer.concat(ads);
        if (FE_FIXED + adBuf.length > BLOCK) throw new InvalidInputError('UDF: metadata file too large');
        return encodeFileEntry(f, at, {
          fileType: type,
          icbFlags: IcbFlag.ShortAd,
          uid: NO_ID,
          gid: NO_ID,
          permissions: 0,
          linkCount: 1,
          informationLength: metaFileBlocks * BLOCK,
          blocksRecorded: metaFileBlocks,
          atime: vol.recordingTime,
          mtime: vol.recordingTime,
          attrTime: vol.recordingTime,
          uniqueId: 0,
          ads: adBuf,
        });
      };
      out.push({ lba: p.fileSetLba!, data: Buffer.concat([metaFe(FileType.Metadata, fileSetLbn, metaContentLbn), metaFe(FileType.MetadataMirror, fileSetLbn + 1, mirrorLbn)]) });
      out.push(lazySpace(partStart + metaContentLbn));
      if (duplicate) out.push(lazySpace(partStart + mirrorLbn));
    }
    out.sort((a, b) => a.lba - b.lba);
    return out;
  };

  const encode = (p: UdfPlacement): { lba: number; data: Buffer }[] =>
    encodeLazy(p).map((piece) => {
      if ('data' in piece) return piece;
      const data = Buffer.alloc(piece.sectors * BLOCK);
      piece.render(data, 0, 0, piece.sectors);
      return { lba: piece.lba, data };
    });

  return { regions, encode, encodeLazy };
}

/** Splits ADs into the FE's share and each AED's share (each but the last keeps a slot for the continuation AD). */
function chainAds(ads: Buffer[], aeds: number, adSize: number): Buffer[][] {
  if (aeds === 0) return [ads];
  const out: Buffer[][] = [];
  let i = 0;
  let cap = feCapacity(adSize);
  for (let k = 0; k <= aeds; k++) {
    const take = k < aeds ? cap - 1 : ads.length - i;
    out.push(ads.slice(i, i + take));
    i += take;
    cap = aedCapacity(adSize);
  }
  return out;
}

function defaultVolumeSetId(vol: UdfVolumeInput): string {
  // OSTA UDF §2.2.2.5: the first 16 characters should be unique; the first 8 a hex time value.
  const secs = Math.floor(vol.recordingTime.getTime() / 1000) >>> 0;
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  return `${hex(secs)}${hex(fnv1a(`${vol.label}\u0000${vol.revision}`))}${vol.label ? ` ${vol.label}` : ''}`;
}

/** A file's extents: as given, or contiguous from dataLba. */
function extentsOf(inp: UdfSourceNode, src: UdfSourceTree<UdfSourceNode>): { lba: number; length: number }[] {
  const dataLba = src.dataLba(inp);
  if (dataLba === undefined) return src.extents(inp);
  let lba = dataLba;
  return extentsFor(inp.size).map((length) => {
    const e = { lba, length };
    lba += Math.ceil(length / BLOCK);
    return e;
  });
}

function checkExtents(inp: UdfSourceNode, src: UdfSourceTree<UdfSourceNode>, partStart: number, partEnd: number, spans: Span[]): void {
  const dataLba = src.dataLba(inp);
  if (dataLba !== undefined && inp.size <= MAX_EXTENT_BYTES) {
    // One extent (the common case), checked without building it.
    if (inp.size === 0) return;
    const lba = dataLba, end = lba + Math.ceil(inp.size / BLOCK);
    if (!Number.isSafeInteger(lba) || lba < partStart || end > partEnd)
      throw new InvalidInputError(`UDF: ${inp.name} extent 0 at sector ${lba} lies outside the partition`, { name: inp.name, lba });
    for (const [k, s, n] of spans)
      if (lba < s + n && s < end) throw new InvalidInputError(`UDF: ${inp.name} extent 0 overlaps the UDF ${k}`, { name: inp.name, lba });
    return;
  }
  const want = extentsFor(inp.size);
  const ex = extentsOf(inp, src);
  if (!Array.isArray(ex) || ex.length !== want.length)
    throw new InvalidInputError(`UDF: ${inp.name} needs ${want.length} extent(s) as extentsFor(${inp.size}) says, got ${ex?.length}`, { name: inp.name });
  for (let i = 0; i < ex.length; i++) {
    const e = ex[i];
    if (e.length !== want[i]) throw new InvalidInputError(`UDF: ${inp.name} extent ${i} is ${e.length} bytes, expected ${want[i]}`, { name: inp.name });
    if (!Number.isSafeInteger(e.lba) || e.lba < partStart || e.lba + Math.ceil(e.length / BLOCK) > partEnd)
      throw new InvalidInputError(`UDF: ${inp.name} extent ${i} at sector ${e.lba} lies outside the partition`, { name: inp.name, lba: e.lba });
    const end = e.lba + Math.ceil(e.length / BLOCK);
    for (const [k, s, n] of spans)
      if (e.lba < s + n && s < end) throw new InvalidInputError(`UDF: ${inp.name} extent ${i} overlaps the UDF ${k}`, { name: inp.name, lba: e.lba });
  }
}

type Span = [what: string, start: number, sectors: number];

/** Validates the caller's placement; returns the spans we write, for the file-extent overlap check. */
function checkPlacement(p: UdfPlacement, r: UdfRegions): Span[] {
  const nums: [string, number][] = [
    ['vrsLba', p.vrsLba],
    ['mainVdsLba', p.mainVdsLba],
    ['reserveVdsLba', p.reserveVdsLba],
    ['lvidLba', p.lvidLba],
    ['partitionStartLba', p.partitionStartLba],
    ['partitionLength', p.partitionLength],
    ['partitionMetaLba', p.partitionMetaLba],
    ['totalSectors', p.totalSectors],
    ...p.anchorLbas.map((a, i): [string, number] => [`anchorLbas[${i}]`, a]),
  ];
  for (const [k, v] of nums) if (!Number.isSafeInteger(v) || v < 0 || v > 0xffffffff) throw new InvalidInputError(`UDF placement: bad ${k} ${v}`);
  if (p.anchorLbas.length === 0) throw new InvalidInputError('UDF placement: no anchor');
  if ((!Number.isSafeInteger(p.fileSetLba) || p.fileSetLba! < p.partitionStartLba || p.fileSetLba! + r.fileSet > p.partitionStartLba + p.partitionLength))
    throw new InvalidInputError('UDF placement: the partition head (fileSetLba) must lie inside the partition');
  const spans: Span[] = [
    ['VRS', p.vrsLba, r.vrs],
    ['main VDS', p.mainVdsLba, r.mainVds],
    ['reserve VDS', p.reserveVdsLba, r.reserveVds],
    ['LVID', p.lvidLba, r.lvid],
    ['partition metadata', p.partitionMetaLba, r.partitionMeta],
    ['partition head', p.fileSetLba!, r.fileSet],
    ...p.anchorLbas.map((a, i): Span => [`anchor ${i}`, a, 1]),
  ];
  for (const [k, s, n] of spans) if (s + n > p.totalSectors) throw new InvalidInputError(`UDF placement: ${k} ends past the image`);
  for (let i = 0; i < spans.length; i++)
    for (let j = i + 1; j < spans.length; j++) {
      const [a, as, an] = spans[i];
      const [b, bs, bn] = spans[j];
      if (as < bs + bn && bs < as + an) throw new InvalidInputError(`UDF placement: ${a} overlaps ${b}`);
    }
  if (p.partitionStartLba + p.partitionLength > p.totalSectors) throw new InvalidInputError('UDF placement: partition ends past the image');
  if (p.partitionMetaLba < p.partitionStartLba || p.partitionMetaLba + r.partitionMeta > p.partitionStartLba + p.partitionLength)
    throw new InvalidInputError('UDF placement: the partition metadata region must lie inside the partition');
  return spans;
}
