// File structures (ECMA-167 part 4, OSTA UDF §2.3): File Set Descriptor, File Entry, File
// Identifier Descriptor, Allocation Extent Descriptor and symlink path components. Locations in
// these tags are logical block numbers in the partition the descriptor is recorded in.
import { udfLinkTarget } from './names';
import { InvalidInputError } from '../../common/errors';
import {
  BLOCK,
  encodeOsta,
  TagId,
  writeCharspec,
  writeDomainRegid,
  writeDstring,
  writeImplRegid,
  writeLongAd,
  writeTag,
  writeTagAt,
  writeOsta,
  writeTimestamp,
} from './primitives';
import type { UdfFlavour } from './volume-descriptors';

export interface LongAdRef {
  lbn: number;
  partRef: number;
  length: number;
  uniqueId?: number;
}

export interface FileSetInput {
  recordingTime: Date;
  lvIdentifier: string;
  fileSetIdentifier: string;
  root: LongAdRef;
}

/** File Set Descriptor (ECMA-167 4/14.1; OSTA UDF §2.3.2). 512 bytes. */
export function encodeFileSet(f: UdfFlavour, location: number, p: FileSetInput): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeTimestamp(b, 16, p.recordingTime);
  b.writeUInt16LE(3, 28); // Interchange Level (OSTA UDF §2.3.2.1)
  b.writeUInt16LE(3, 30); // Maximum Interchange Level
  b.writeUInt32LE(1, 32); // Character Set List: CS0
  b.writeUInt32LE(1, 36);
  b.writeUInt32LE(0, 40); // File Set Number
  b.writeUInt32LE(0, 44); // File Set Descriptor Number
  writeCharspec(b, 48);
  writeDstring(b, 112, 128, p.lvIdentifier);
  writeCharspec(b, 240);
  writeDstring(b, 304, 32, p.fileSetIdentifier);
  // 336: Copyright File Identifier, 368: Abstract File Identifier (empty dstrings)
  writeLongAd(b, 400, p.root.length, p.root.lbn, p.root.partRef, p.root.uniqueId ?? 0);
  writeDomainRegid(b, 416, f.rev);
  // 448: Next Extent (none); 464: System Stream Directory ICB (UDF ≥ 2.00, none)
  return writeTag(b, TagId.FileSet, f.tagVersion, location, 512 - 16);
}

/** ICB file types (ECMA-167 4/14.6.6; OSTA UDF 2.50 §2.3.5.2 for 250/251). */
export const FileType = { Directory: 4, File: 5, Symlink: 12, Metadata: 250, MetadataMirror: 251 } as const;

/** ICB tag flags (ECMA-167 4/14.6.8). */
export const IcbFlag = { ShortAd: 0, LongAd: 1, SetUid: 1 << 6, SetGid: 1 << 7, Sticky: 1 << 8 } as const;

export const FE_FIXED = 176;

export interface FileEntryInput {
  fileType: number;
  icbFlags: number;
  uid: number;
  gid: number;
  permissions: number;
  linkCount: number;
  informationLength: number;
  blocksRecorded: number;
  atime: Date;
  mtime: Date;
  attrTime: Date;
  uniqueId: number;
  /** Encoded allocation descriptors (short_ad or long_ad as icbFlags says). */
  ads: Buffer;
}

/**
 * File Entry (ECMA-167 4/14.9; OSTA UDF §2.3.6). We record the classic File Entry for every
 * revision: OSTA UDF 2.00+ allows it alongside the Extended File Entry, and every reader knows it.
 * ICB strategy 4 with one entry (ECMA-167 4/A.5; OSTA UDF §2.3.5.1). The entry fits one block.
 */
export function encodeFileEntry(f: UdfFlavour, location: number, p: FileEntryInput): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeFileEntry(f, b, 0, location, p);
  return b;
}

/**
 * encodeFileEntry into `out` at `off`, whose block must be zero (the image writer streams FEs
 * straight into its chunk). `adsLength` (default ads.length) lets a caller pass a scratch buffer;
 * `dateScratch` is the writer's own calendar fields (writeTimestamp), reused from entry to entry.
 */
export function writeFileEntry(f: UdfFlavour, out: Buffer, off: number, location: number, p: FileEntryInput, adsLength = p.ads.length, dateScratch?: Int32Array): void {
  if (FE_FIXED + adsLength > BLOCK) throw new InvalidInputError('UDF File Entry overflows one block');
  // Offsets are absolute (no subarray per entry: this runs once per file).
  const b = out;
  // ICB tag at 16 (ECMA-167 4/14.6)
  b.writeUInt32LE(0, off + 16); // Prior Recorded Number of Direct Entries
  b.writeUInt16LE(4, off + 20); // Strategy Type 4
  b.writeUInt16LE(0, off + 22);
  b.writeUInt16LE(1, off + 24); // Maximum Number of Entries
  b[off + 27] = p.fileType;
  // 28: Parent ICB Location (lb_addr, zero: OSTA UDF §2.3.5.3 makes it optional)
  b.writeUInt16LE(p.icbFlags, off + 34);
  b.writeUInt32LE(p.uid >>> 0, off + 36);
  b.writeUInt32LE(p.gid >>> 0, off + 40);
  b.writeUInt32LE(p.permissions >>> 0, off + 44);
  b.writeUInt16LE(p.linkCount, off + 48);
  // 50: Record Format, 51: Record Display Attributes, 52: Record Length — 0 (OSTA UDF §2.3.6.1–3)
  writeU64(b, off + 56, p.informationLength);
  writeU64(b, off + 64, p.blocksRecorded);
  writeTimestamp(b, off + 72, p.atime, dateScratch);
  // Equal times encode equally: copy instead of re-deriving the calendar fields.
  if (p.mtime.getTime() === p.atime.getTime()) b.copyWithin(off + 84, off + 72, off + 84);
  else writeTimestamp(b, off + 84, p.mtime, dateScratch);
  if (p.attrTime.getTime() === p.mtime.getTime()) b.copyWithin(off + 96, off + 84, off + 96);
  else writeTimestamp(b, off + 96, p.attrTime, dateScratch);
  b.writeUInt32LE(1, off + 108); // Checkpoint
  // 112: Extended Attribute ICB (none)
  writeImplRegid(b, off + 128);
  writeU64(b, off + 160, p.uniqueId);
  b.writeUInt32LE(0, off + 168); // Length of Extended Attributes
  b.writeUInt32LE(adsLength, off + 172);
  p.ads.copy(b, off + FE_FIXED, 0, adsLength);
  writeTagAt(b, off, TagId.FileEntry, f.tagVersion, location, FE_FIXED + adsLength - 16);
}

/** Uint64 LE of a safe integer without a BigInt per field (hot: once per file). */
function writeU64(b: Buffer, off: number, v: number): void {
  b.writeUInt32LE(v % 0x100000000, off);
  b.writeUInt32LE(Math.floor(v / 0x100000000), off + 4);
}

export const AED_FIXED = 24;

/** Allocation Extent Descriptor (ECMA-167 4/14.5; OSTA UDF §2.3.11): continuation of an FE's ADs. */
export function encodeAllocationExtent(f: UdfFlavour, location: number, ads: Buffer): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.writeUInt32LE(0, 16); // Previous Allocation Extent Location: 0 (OSTA UDF §2.3.11.1)
  b.writeUInt32LE(ads.length, 20);
  ads.copy(b, AED_FIXED);
  return writeTag(b, TagId.AllocationExtent, f.tagVersion, location, AED_FIXED + ads.length - 16);
}

/** File characteristics (ECMA-167 4/14.4.3). */
export const FidChar = { Hidden: 1, Directory: 2, Deleted: 4, Parent: 8 } as const;

/** Size of a File Identifier Descriptor: 38 + L_IU + L_FI, padded to a multiple of 4 (ECMA-167 4/14.4.9). */
export function fidSize(encodedNameLength: number, implUseLength = 0): number {
  return (38 + implUseLength + encodedNameLength + 3) & ~3;
}

/** A non-empty Implementation Use starts with an implementation EntityID (OSTA UDF §2.3.4.5). */
export const FID_IMPL_USE = 32;

/**
 * Lays out a directory's FIDs from the start of its first block: returns each FID's L_IU and the
 * total size. OSTA UDF §2.3.4.4: on write-once media no FID tag may span a block boundary, so a FID
 * that would leave fewer than 16 bytes in its block grows by an Implementation Use field.
 */
export function layoutFids(encodedNameLengths: number[]): { implUse: number[]; bytes: number } {
  const implUse: number[] = [];
  let off = 0;
  for (const n of encodedNameLengths) {
    let size = fidSize(n);
    const rest = BLOCK - ((off + size) % BLOCK);
    let liu = 0;
    if (rest < 16 && rest !== BLOCK) {
      liu = FID_IMPL_USE;
      size = fidSize(n, liu);
    }
    implUse.push(liu);
    off += size;
  }
  return { implUse, bytes: off };
}
/**
 * File Identifier Descriptor (ECMA-167 4/14.4; OSTA UDF §2.3.4), written into `out` at `off`.
 * The ICB long_ad carries the target's UDF Unique ID (OSTA UDF §2.3.4.3). The CRC covers the whole
 * descriptor after the tag, padding included. `location` is the block holding the FID's tag.
 */
export function writeFileIdentifier(
  f: UdfFlavour,
  out: Buffer,
  off: number,
  location: number,
  p: { characteristics: number; icb: LongAdRef; name: Buffer | string | null; nameLen?: number; wideName?: boolean; implUse?: number },
): number {
  // A string name comes with its OSTA length and compression (from ostaLength) and is written in place.
  const nameLen = typeof p.name === 'string' ? p.nameLen! : p.name ? p.name.length : 0;
  const liu = p.implUse ?? 0;
  const size = fidSize(nameLen, liu);
  // Offsets are absolute (no subarray per FID: this runs once per file).
  const b = out;
  if (off + size > b.length) throw new RangeError('UDF File Identifier Descriptor overruns its buffer');
  b.fill(0, off, off + size);
  b.writeUInt16LE(1, off + 16); // File Version Number (OSTA UDF §2.3.4.1)
  b[off + 18] = p.characteristics;
  b[off + 19] = nameLen;
  writeLongAd(b, off + 20, p.icb.length, p.icb.lbn, p.icb.partRef, p.icb.uniqueId ?? 0);
  b.writeUInt16LE(liu, off + 36); // Length of Implementation Use
  if (liu > 0) writeImplRegid(b, off + 38);
  if (typeof p.name === 'string') writeOsta(b, off + 38 + liu, p.name, p.wideName ?? false);
  else if (p.name) p.name.copy(b, off + 38 + liu);
  writeTagAt(b, off, TagId.FileIdentifier, f.tagVersion, location, size - 16);
  return size;
}

/**
 * Symlink target → path components (ECMA-167 4/14.16.1; OSTA UDF §2.3.12). An absolute target
 * starts with type 2 (root of the directory hierarchy); "." is type 4, ".." type 3, a name type 5
 * with an OSTA-compressed identifier. Type 1 is avoided: its meaning is agreed outside the medium.
 */
export function encodePathComponents(target: string): Buffer {
  if (target.length === 0) throw new InvalidInputError('UDF symlink target is empty');
  const parts: Buffer[] = [];
  let rest = udfLinkTarget(target);
  if (rest.startsWith('/')) {
    parts.push(Buffer.from([2, 0, 0, 0]));
    rest = rest.replace(/^\/+/, '');
  }
  for (const comp of rest.split('/')) {
    if (comp === '') continue; // "a//b" and a trailing slash name no extra component
    if (comp === '.') parts.push(Buffer.from([4, 0, 0, 0]));
    else if (comp === '..') parts.push(Buffer.from([3, 0, 0, 0]));
    else {
      const id = encodeOsta(comp); // fits: udfLinkTarget cut what was too long
      const h = Buffer.from([5, id.length, 0, 0]);
      parts.push(h, id);
    }
  }
  return Buffer.concat(parts);
}
