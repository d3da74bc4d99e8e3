// Volume structures (ECMA-167 part 2 and 3, OSTA UDF §2.2): the Volume Recognition Sequence,
// the anchor, the Volume Descriptor Sequence and the Logical Volume Integrity Descriptor.
// Each encoder returns one 2048-byte sector with its tag filled for the given location.
import {
  BLOCK,
  TagId,
  type UdfRevisionCode,
  writeCharspec,
  writeDomainRegid,
  writeDstring,
  writeEcmaRegid,
  writeExtentAd,
  writeImplRegid,
  writeLongAd,
  writeTag,
  writeTimestamp,
  writeUdfRegid,
} from './primitives';

export interface UdfFlavour {
  rev: UdfRevisionCode;
  /** Descriptor version: 2 for NSR02 (UDF 1.02, 1.50), 3 for NSR03 (UDF ≥ 2.00); OSTA UDF §2.2.1.1. */
  tagVersion: 2 | 3;
}

/**
 * Volume Structure Descriptor (ECMA-167 2/9.1): type 0, 5-byte identifier, version 1. With 2048-byte
 * sectors each descriptor takes a sector (ECMA-167 2/8.3). NSR02 marks ECMA-167 2nd edition (UDF
 * 1.02/1.50), NSR03 the 3rd edition (UDF ≥ 2.00) — OSTA UDF §2.1.7.
 */
export function encodeVolumeStructureDescriptor(identifier: 'BEA01' | 'NSR02' | 'NSR03' | 'TEA01'): Buffer {
  const b = Buffer.alloc(BLOCK);
  b[0] = 0;
  b.write(identifier, 1, 5, 'latin1');
  b[6] = 1;
  return b;
}

/** Anchor Volume Descriptor Pointer (ECMA-167 3/10.2): extents of the main and reserve VDS. */
export function encodeAnchor(f: UdfFlavour, location: number, main: { lba: number; sectors: number }, reserve: { lba: number; sectors: number }): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeExtentAd(b, 16, main.sectors * BLOCK, main.lba);
  writeExtentAd(b, 24, reserve.sectors * BLOCK, reserve.lba);
  return writeTag(b, TagId.AnchorVolumeDescriptorPointer, f.tagVersion, location, 512 - 16);
}

export interface PrimaryVolumeInput {
  vdsNumber: number;
  volumeIdentifier: string;
  volumeSetIdentifier: string;
  recordingTime: Date;
}

/** Primary Volume Descriptor (ECMA-167 3/10.1; OSTA UDF §2.2.2). 512 bytes. */
export function encodePrimaryVolume(f: UdfFlavour, location: number, p: PrimaryVolumeInput): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.writeUInt32LE(p.vdsNumber, 16);
  b.writeUInt32LE(0, 20); // Primary Volume Descriptor Number
  writeDstring(b, 24, 32, p.volumeIdentifier);
  b.writeUInt16LE(1, 56); // Volume Sequence Number
  b.writeUInt16LE(1, 58); // Maximum Volume Sequence Number (OSTA UDF §2.2.2.2: 1 for a single volume)
  b.writeUInt16LE(2, 60); // Interchange Level: 2 = single volume (OSTA UDF §2.2.2.1)
  b.writeUInt16LE(3, 62); // Maximum Interchange Level: 3, no restriction (OSTA UDF §2.2.2.2; mkudffs agrees)
  b.writeUInt32LE(1, 64); // Character Set List: CS0 only (OSTA UDF §2.2.2.3)
  b.writeUInt32LE(1, 68); // Maximum Character Set List
  writeDstring(b, 72, 128, p.volumeSetIdentifier);
  writeCharspec(b, 200); // Descriptor Character Set
  writeCharspec(b, 264); // Explanatory Character Set
  // 328: Volume Abstract, 336: Volume Copyright Notice (extent_ad, none); 344: Application Identifier.
  writeImplRegid(b, 344);
  writeTimestamp(b, 376, p.recordingTime);
  writeImplRegid(b, 388);
  // 420: Implementation Use (64), 484: Predecessor VDS Location (0).
  b.writeUInt16LE(1, 488); // Flags bit 0: the Volume Set Identification is common to the set
  return writeTag(b, TagId.PrimaryVolume, f.tagVersion, location, 512 - 16);
}

/** Implementation Use Volume Descriptor carrying "*UDF LV Info" (ECMA-167 3/10.4; OSTA UDF §2.2.7). */
export function encodeLvInfo(f: UdfFlavour, location: number, vdsNumber: number, lvIdentifier: string): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.writeUInt32LE(vdsNumber, 16);
  writeUdfRegid(b, 20, '*UDF LV Info', f.rev);
  // Implementation Use (460 bytes) = LVInformation (OSTA UDF §2.2.7.2).
  writeCharspec(b, 52); // LVI Charset
  writeDstring(b, 116, 128, lvIdentifier); // Logical Volume Identifier
  // 244, 280, 316: LV Info 1–3 (dstring 36, empty)
  writeImplRegid(b, 352); // Implementation ID
  // 384: Implementation Use (128)
  return writeTag(b, TagId.ImplementationUseVolume, f.tagVersion, location, 512 - 16);
}

/**
 * Partition Descriptor (ECMA-167 3/10.5; OSTA UDF §2.2.14). Partition number 0, allocated, access
 * type 1 = read-only (ECMA-167 3/10.5.7), so the Partition Header Descriptor (ECMA-167 4/14.3) in
 * Partition Contents Use names no space tables or bitmaps and stays zero.
 */
export function encodePartition(f: UdfFlavour, location: number, vdsNumber: number, start: number, length: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.writeUInt32LE(vdsNumber, 16);
  b.writeUInt16LE(1, 20); // Partition Flags bit 0: space is allocated
  b.writeUInt16LE(0, 22); // Partition Number
  writeEcmaRegid(b, 24, f.tagVersion === 2 ? '+NSR02' : '+NSR03');
  // 56: Partition Contents Use (128) = Partition Header Descriptor, all zero for read-only media.
  b.writeUInt32LE(1, 184); // Access Type: read-only
  b.writeUInt32LE(start, 188);
  b.writeUInt32LE(length, 192);
  writeImplRegid(b, 196);
  return writeTag(b, TagId.Partition, f.tagVersion, location, 512 - 16);
}

export interface MetadataPartitionMap {
  metadataFileLbn: number;
  mirrorFileLbn: number;
  allocationUnit: number;
  alignmentUnit: number;
  duplicate: boolean;
}

export interface LogicalVolumeInput {
  vdsNumber: number;
  lvIdentifier: string;
  /** File Set Descriptor sequence extent: logical block, partition reference, length in bytes. */
  fsd: { lbn: number; partRef: number; length: number };
  integrity: { lba: number; sectors: number };
  metadata?: MetadataPartitionMap;
}

/**
 * Logical Volume Descriptor (ECMA-167 3/10.6; OSTA UDF §2.2.4). Partition map 0 is a Type 1 map of
 * partition 0 (ECMA-167 3/10.7.2); UDF 2.50 adds a Type 2 "*UDF Metadata Partition" map
 * (OSTA UDF 2.50 §2.2.10) through which all file structures are addressed.
 */
export function encodeLogicalVolume(f: UdfFlavour, location: number, p: LogicalVolumeInput): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.writeUInt32LE(p.vdsNumber, 16);
  writeCharspec(b, 20);
  writeDstring(b, 84, 128, p.lvIdentifier);
  b.writeUInt32LE(BLOCK, 212); // Logical Block Size
  writeDomainRegid(b, 216, f.rev);
  writeLongAd(b, 248, p.fsd.length, p.fsd.lbn, p.fsd.partRef); // Logical Volume Contents Use
  const maps: Buffer[] = [];
  const type1 = Buffer.alloc(6);
  type1[0] = 1;
  type1[1] = 6;
  type1.writeUInt16LE(1, 2); // Volume Sequence Number
  type1.writeUInt16LE(0, 4); // Partition Number
  maps.push(type1);
  if (p.metadata) {
    const m = Buffer.alloc(64);
    m[0] = 2;
    m[1] = 64;
    writeUdfRegid(m, 4, '*UDF Metadata Partition', f.rev);
    m.writeUInt16LE(1, 36); // Volume Sequence Number
    m.writeUInt16LE(0, 38); // Partition Number of the physical partition holding the metadata files
    m.writeUInt32LE(p.metadata.metadataFileLbn, 40);
    m.writeUInt32LE(p.metadata.mirrorFileLbn, 44);
    m.writeUInt32LE(0xffffffff, 48); // Metadata Bitmap File: none on read-only media (OSTA UDF 2.50 §2.2.10)
    m.writeUInt32LE(p.metadata.allocationUnit, 52);
    m.writeUInt16LE(p.metadata.alignmentUnit, 56);
    m[58] = p.metadata.duplicate ? 1 : 0; // Flags bit 0: Duplicate Metadata Flag
    maps.push(m);
  }
  const mapBytes = Buffer.concat(maps);
  b.writeUInt32LE(mapBytes.length, 264); // Map Table Length
  b.writeUInt32LE(maps.length, 268);
  writeImplRegid(b, 272);
  // 304: Implementation Use (128)
  writeExtentAd(b, 432, p.integrity.sectors * BLOCK, p.integrity.lba);
  mapBytes.copy(b, 440);
  return writeTag(b, TagId.LogicalVolume, f.tagVersion, location, 440 + mapBytes.length - 16);
}

/** Unallocated Space Descriptor (ECMA-167 3/10.8) with no extents: the volume is fully used. */
export function encodeUnallocatedSpace(f: UdfFlavour, location: number, vdsNumber: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.writeUInt32LE(vdsNumber, 16);
  b.writeUInt32LE(0, 20);
  return writeTag(b, TagId.UnallocatedSpace, f.tagVersion, location, 24 - 16);
}

/** Terminating Descriptor (ECMA-167 3/10.9, 4/14.2): a tag and 496 reserved bytes. */
export function encodeTerminating(f: UdfFlavour, location: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  return writeTag(b, TagId.Terminating, f.tagVersion, location, 512 - 16);
}

export interface IntegrityInput {
  recordingTime: Date;
  nextUniqueId: number;
  /** One entry per partition map: [size in blocks]. Free space is 0 everywhere on a closed image. */
  partitionSizes: number[];
  files: number;
  dirs: number;
}

/**
 * Logical Volume Integrity Descriptor (ECMA-167 3/10.10; OSTA UDF §2.2.6), integrity type 1 =
 * close. Contents Use is the Logical Volume Header Descriptor (ECMA-167 4/14.15: next Unique ID);
 * Implementation Use (OSTA UDF §2.2.6.4) carries file/directory counts and the UDF revisions.
 */
export function encodeIntegrity(f: UdfFlavour, location: number, p: IntegrityInput): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeTimestamp(b, 16, p.recordingTime);
  b.writeUInt32LE(1, 28); // Integrity Type: close
  // 32: Next Integrity Extent (none)
  b.writeBigUInt64LE(BigInt(p.nextUniqueId), 40);
  const n = p.partitionSizes.length;
  const liu = 46;
  b.writeUInt32LE(n, 72);
  b.writeUInt32LE(liu, 76);
  let o = 80;
  for (let i = 0; i < n; i++, o += 4) b.writeUInt32LE(0, o); // Free Space Table
  for (let i = 0; i < n; i++, o += 4) b.writeUInt32LE(p.partitionSizes[i], o); // Size Table
  writeImplRegid(b, o);
  b.writeUInt32LE(p.files, o + 32);
  b.writeUInt32LE(p.dirs, o + 36);
  b.writeUInt16LE(f.rev, o + 40); // Minimum UDF Read Revision
  b.writeUInt16LE(f.rev, o + 42); // Minimum UDF Write Revision
  b.writeUInt16LE(f.rev, o + 44); // Maximum UDF Write Revision
  return writeTag(b, TagId.LogicalVolumeIntegrity, f.tagVersion, location, o + liu - 16);
}
