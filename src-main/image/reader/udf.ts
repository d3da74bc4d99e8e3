// UDF reader: ECMA-167 3rd edition volume/file structures as profiled by OSTA UDF 1.02–2.60.
// Handles type 1, virtual (VAT), sparable (with its sparing table) and metadata (with mirror fallback)
// partition maps; FE and EFE; short/long/extended/embedded allocation descriptors.
import { InvalidImageError, throwIfAborted } from '../../common/errors';
import { type BlockReader, SECTOR, cachedBlockReader } from './block-reader';
import { crcItuT, dstring, osta, regid, udfTimestamp } from './bytes';
import { TreeBudget, type ReaderLimits } from './limits';
import { checkEntryName, DirectoryNames } from './names';
import type { Extent, TreeNode, UdfAllocation, UdfEntryDetails, UdfFidDetails, UdfLbAddr, UdfVolumeDetails, UdfVolumeInfo } from './types';

/** ECMA-167 3/7.2.1 and 4/7.2.1 tag identifiers. */
const TAG = { PVD: 1, AVDP: 2, VDP: 3, IUVD: 4, PD: 5, LVD: 6, USD: 7, TD: 8, LVID: 9, FSD: 256, FID: 257, AED: 258, IE: 259, TE: 260, FE: 261, EFE: 266 } as const;

const MAX_VDS_SECTORS = 64;
const MAX_AD_HOPS = 256;
const MAX_EXTENTS = 65_536;
const MAX_INDIRECT = 16;

export interface UdfVolume {
  info: UdfVolumeInfo;
  tree(): Promise<TreeNode>;
  embeddedData(e: Extent): Promise<Buffer>;
}

interface Tag {
  id: number;
  version: number;
  location: number;
}

/**
 * ECMA-167 3/7.2: 16-byte descriptor tag. Checksum = byte sum of bytes 0-3 and 5-15; CRC over
 * `crcLength` bytes after the tag. Throws InvalidImageError on mismatch.
 */
export function decodeTag(buf: Buffer, off: number, what: string, expectLocation?: number): Tag {
  if (off + 16 > buf.length) throw new InvalidImageError(`${what}: descriptor tag truncated`);
  let sum = 0;
  for (let i = 0; i < 16; i++) if (i !== 4) sum += buf[off + i];
  if ((sum & 0xff) !== buf[off + 4]) throw new InvalidImageError(`${what}: descriptor tag checksum mismatch`);
  const id = buf.readUInt16LE(off);
  const crcLen = buf.readUInt16LE(off + 10);
  if (off + 16 + crcLen > buf.length) throw new InvalidImageError(`${what}: descriptor CRC length ${crcLen} runs past its buffer`);
  if (crcItuT(buf, off + 16, crcLen) !== buf.readUInt16LE(off + 8)) throw new InvalidImageError(`${what}: descriptor CRC mismatch (tag ${id})`);
  const location = buf.readUInt32LE(off + 12);
  if (expectLocation !== undefined && location !== expectLocation) throw new InvalidImageError(`${what}: tag location ${location} is not its sector ${expectLocation}`);
  return { id, version: buf.readUInt16LE(off + 2), location };
}

interface LongAd {
  length: number;
  type: number;
  lbn: number;
  partRef: number;
}

/** ECMA-167 4/14.14.2 long_ad: extent length (top 2 bits = type), lb_addr {lbn, partition ref}. */
function longAd(b: Buffer, off: number): LongAd {
  const raw = b.readUInt32LE(off);
  return { length: raw & 0x3fffffff, type: raw >>> 30, lbn: b.readUInt32LE(off + 4), partRef: b.readUInt16LE(off + 8) };
}

// ---------------------------------------------------------------------------------------------
// Per-descriptor decoders: pure, beside the writer's encoders (udf/descriptors.test.ts checks
// decode(encode(x)) with them); the volume reader below reads every descriptor through them.

/** 4/14.14.1-3: one short_ad (adType 0, partition `ref`), long_ad (1) or ext_ad (2) at area[p]. */
export function decodeAllocationDescriptor(area: Buffer, p: number, adType: number, ref: number): UdfAllocation {
  const raw = area.readUInt32LE(p);
  if (adType === 0) return { type: raw >>> 30, length: raw & 0x3fffffff, lbn: area.readUInt32LE(p + 4), partRef: ref };
  // ext_ad: length, recorded length, information length, then its lb_addr.
  const at = adType === 1 ? p + 4 : p + 12;
  return { type: raw >>> 30, length: raw & 0x3fffffff, lbn: area.readUInt32LE(at), partRef: area.readUInt16LE(at + 4) };
}

/** Bytes per allocation descriptor of ICB flags type 0-2 (4/14.6.8). */
export function allocationDescriptorSize(adType: number): number {
  return adType === 0 ? 8 : adType === 1 ? 16 : 20;
}

/** The fixed fields of a File Entry (4/14.9) or Extended File Entry (4/14.17), after its tag. */
export interface FileEntryFields {
  extended: boolean;
  fileType: number;
  icbFlags: number;
  uid: number;
  gid: number;
  permissions: number;
  linkCount: number;
  informationLength: number;
  logicalBlocksRecorded: number;
  uniqueId: number;
  /** ISO 8601 UTC; access and attribute times only with `allTimes`. */
  modificationTime?: string;
  accessTime?: string;
  attributeTime?: string;
  extendedAttributesLength: number;
  allocationDescriptorsLength: number;
  /** Where the allocation descriptors (or embedded data) start: after the extended attributes. */
  descriptorsOffset: number;
}

export function decodeFileEntryFields(b: Buffer, extended: boolean, o: { allTimes?: boolean } = {}): FileEntryFields {
  // FE: times at 72/84/96, unique ID 160, L_EA 168, L_AD 172, descriptors 176; EFE: object size
  // at 64 shifts blocks recorded to 72, times to 84/92/(creation 100)/108, unique ID to 200, L_EA 208.
  const lEa = b.readUInt32LE(extended ? 208 : 168);
  return {
    extended,
    fileType: b[27], // ICB tag (4/14.6) byte 11
    icbFlags: b.readUInt16LE(34),
    uid: b.readUInt32LE(36),
    gid: b.readUInt32LE(40),
    permissions: b.readUInt32LE(44),
    linkCount: b.readUInt16LE(48),
    informationLength: Number(b.readBigUInt64LE(56)),
    logicalBlocksRecorded: Number(b.readBigUInt64LE(extended ? 72 : 64)),
    uniqueId: Number(b.readBigUInt64LE(extended ? 200 : 160)),
    modificationTime: udfTimestamp(b, extended ? 92 : 84),
    ...(o.allTimes ? { accessTime: udfTimestamp(b, extended ? 84 : 72), attributeTime: udfTimestamp(b, extended ? 108 : 96) } : {}),
    extendedAttributesLength: lEa,
    allocationDescriptorsLength: b.readUInt32LE(extended ? 212 : 172),
    descriptorsOffset: (extended ? 216 : 176) + lEa,
  };
}

/** 4/14.5 Allocation Extent Descriptor: previous extent location and the descriptors it holds. */
export function decodeAllocationExtentFields(b: Buffer): { previousLocation: number; descriptors: Buffer } {
  const l = b.readUInt32LE(20);
  if (24 + l > b.length) throw new InvalidImageError(`allocation extent length ${l} overruns its sector`);
  return { previousLocation: b.readUInt32LE(16), descriptors: b.subarray(24, 24 + l) };
}

/** 4/14.4 File Identifier Descriptor at data[p] (its tag already checked). */
export interface FileIdentifierFields {
  fileVersion: number;
  characteristics: number;
  /** The ICB long_ad; `uniqueId` from its implementation use (OSTA UDF §2.3.4.3). */
  icb: UdfLbAddr & { length: number };
  uniqueId: number;
  implUseLength: number;
  /** L_FI and where the OSTA CS0 identifier starts (decode with bytes.ts `osta`). */
  nameLength: number;
  nameOffset: number;
  crcLength: number;
  /** Padded to a multiple of 4 (4/14.4.9). */
  size: number;
}

export function decodeFileIdentifierFields(data: Buffer, p: number): FileIdentifierFields {
  const nameLength = data[p + 19];
  const implUseLength = data.readUInt16LE(p + 36);
  const icb = longAd(data, p + 20);
  return {
    fileVersion: data.readUInt16LE(p + 16),
    characteristics: data[p + 18],
    icb: { partRef: icb.partRef, lbn: icb.lbn, length: icb.length },
    uniqueId: data.readUInt32LE(p + 32), // long_ad implementation use: flags (2), unique ID (4)
    implUseLength,
    nameLength,
    nameOffset: p + 38 + implUseLength,
    crcLength: data.readUInt16LE(p + 10),
    size: (38 + implUseLength + nameLength + 3) & ~3,
  };
}

/** 3/10.10 Logical Volume Integrity Descriptor; OSTA UDF §2.2.6.4 implementation use when present. */
export interface IntegrityFields {
  recordingTime?: string;
  type: number;
  nextUniqueId: number;
  partitions: number;
  implUseLength: number;
  freeSpace: number[];
  size: number[];
  /** OSTA UDF §2.2.6.4 (absent when the implementation use is too short). */
  implementation?: { numFiles: number; numDirs: number; minReadRevision: number; minWriteRevision: number; maxWriteRevision: number };
}

export function decodeIntegrityFields(b: Buffer): IntegrityFields {
  const n = b.readUInt32LE(72);
  const lIu = b.readUInt32LE(76);
  const tables = n < 64 && 80 + 8 * n <= b.length;
  const iu = 80 + 8 * n;
  const f: IntegrityFields = {
    recordingTime: udfTimestamp(b, 16),
    type: b.readUInt32LE(28),
    nextUniqueId: Number(b.readBigUInt64LE(40)), // Logical Volume Header Descriptor (4/14.15)
    partitions: n,
    implUseLength: lIu,
    freeSpace: tables ? Array.from({ length: n }, (_, i) => b.readUInt32LE(80 + 4 * i)) : [],
    size: tables ? Array.from({ length: n }, (_, i) => b.readUInt32LE(80 + 4 * n + 4 * i)) : [],
  };
  if (tables && lIu >= 46 && iu + 46 <= b.length) {
    f.implementation = { numFiles: b.readUInt32LE(iu + 32), numDirs: b.readUInt32LE(iu + 36), minReadRevision: b.readUInt16LE(iu + 40), minWriteRevision: b.readUInt16LE(iu + 42), maxWriteRevision: b.readUInt16LE(iu + 44) };
  }
  return f;
}

/** 3/10.1 Primary Volume Descriptor. */
export function decodePrimaryVolumeFields(b: Buffer): UdfVolumeDetails['primaryVolume'] {
  return {
    tagIdentifier: b.readUInt16LE(0),
    tagVersion: b.readUInt16LE(2),
    vdsNumber: b.readUInt32LE(16),
    volumeId: dstring(b, 24, 32),
    // Interchange levels at 60/62, character set lists at 64/68, flags at 488.
    interchangeLevel: b.readUInt16LE(60),
    maxInterchangeLevel: b.readUInt16LE(62),
    characterSetList: b.readUInt32LE(64),
    maxCharacterSetList: b.readUInt32LE(68),
    volumeSetId: dstring(b, 72, 128),
    recordingTime: udfTimestamp(b, 376),
    flags: b.readUInt16LE(488),
  };
}

type PartitionMap =
  | { kind: 'type1'; partitionNumber: number }
  | { kind: 'virtual'; partitionNumber: number }
  | { kind: 'sparable'; partitionNumber: number; packetLength: number; tableCount: number; tableSize: number; tableLocations: number[] }
  | { kind: 'metadata'; partitionNumber: number; metadataFileLocation: number; mirrorFileLocation: number; allocationUnit: number; alignmentUnit: number; flags: number };

interface IcbInfo {
  fileType: number;
  size: number;
  extents: Extent[];
  mtime?: string;
  uid?: number;
  gid?: number;
  permissions: number;
  linkCount: number;
  embedded?: Buffer;
  /** With `details`: the entry's raw fields. */
  details?: UdfEntryDetails;
}

/**
 * `details`: also record every File Entry's and FID's raw fields on its TreeNode (`udf`) and the
 * volume's (PVD, LVID, FSD, metadata files) on `info.details`, for tests and deep inspection.
 */
export async function openUdf(rawReader: BlockReader, o: { limits: ReaderLimits; nsr?: string; signal?: AbortSignal; treeWarnings?: string[]; details?: boolean }): Promise<UdfVolume> {
  const limits = o.limits;
  const reader = cachedBlockReader(rawReader);
  let treeWarningCount = 0; // caps repeated per-entry warnings
  const read = async (lba: number, count: number, what: string): Promise<Buffer> => {
    if (!Number.isInteger(lba) || lba < 0 || count < 0 || lba + count > reader.sectorCount) throw new InvalidImageError(`${what}: sectors ${lba}..${lba + count - 1} lie outside the image (${reader.sectorCount} sectors)`, { lba });
    return reader.read(lba, count);
  };

  // ECMA-167 3/8.4.2.1 + OSTA UDF §2.2.3: an AVDP at 256, N-1 or N-256 (512 also used by some writers).
  const avdpLocations: number[] = [];
  let avdp: Buffer | undefined;
  const N = reader.sectorCount;
  for (const loc of [256, N - 1, N - 257, 512]) {
    if (loc < 0 || loc >= N || avdpLocations.includes(loc)) continue;
    let b: Buffer;
    try {
      // A candidate may be unrecorded on a disc (a gap between sessions, a run-out): no anchor there.
      b = await reader.read(loc, 1);
      if (decodeTag(b, 0, `AVDP at ${loc}`, loc).id !== TAG.AVDP) continue;
    } catch {
      continue;
    }
    avdpLocations.push(loc);
    avdp ??= b;
  }
  if (!avdp) throw new InvalidImageError('no UDF anchor volume descriptor pointer at sector 256, N-1 or N-257');

  // 3/10.2: main (offset 16) and reserve (offset 24) VDS extents.
  const vdsExtents = [16, 24].map((off) => ({ length: avdp!.readUInt32LE(off), lba: avdp!.readUInt32LE(off + 4) }));
  let vds: Vds | undefined;
  let vdsLba = 0;
  let lastErr: unknown;
  for (const ext of vdsExtents) {
    try {
      vds = await readVds(ext.lba, ext.length);
      vdsLba = ext.lba;
      break;
    } catch (err) {
      if (!(err instanceof InvalidImageError)) throw err;
      lastErr = err;
    }
  }
  if (!vds) throw lastErr instanceof Error ? lastErr : new InvalidImageError('no usable UDF volume descriptor sequence');
  const { pvd, lvd, partitions } = vds;

  // 3/10.6: logical volume descriptor.
  const blockSize = lvd.readUInt32LE(212);
  if (blockSize !== SECTOR) throw new InvalidImageError(`UDF logical block size ${blockSize} is not supported (only 2048)`);
  const domain = regid(lvd, 216);
  // OSTA UDF §2.1.5.3: domain identifier suffix starts with the UDF revision as BCD-like 16-bit (0x0250).
  const revWord = domain.suffix.readUInt16LE(0);
  const revision = rev(revWord);
  const fsdAd = longAd(lvd, 248);
  const mapTableLength = lvd.readUInt32LE(264);
  const mapCount = lvd.readUInt32LE(268);
  if (440 + mapTableLength > lvd.length || mapCount > 64) throw new InvalidImageError(`UDF partition map table (${mapCount} maps, ${mapTableLength} bytes) overruns the LVD`);
  const maps: PartitionMap[] = [];
  for (let i = 0, p = 440; i < mapCount; i++) {
    if (p + 2 > 440 + mapTableLength) throw new InvalidImageError('UDF partition map table truncated');
    const type = lvd[p];
    const len = lvd[p + 1];
    if (len < 6 || p + len > 440 + mapTableLength) throw new InvalidImageError(`UDF partition map ${i} has bad length ${len}`);
    if (type === 1) {
      maps.push({ kind: 'type1', partitionNumber: lvd.readUInt16LE(p + 4) }); // 3/10.7.2
    } else if (type === 2 && len >= 64) {
      // 3/10.7.3 type 2 maps, identified by OSTA UDF §2.2.8-2.2.10 regids.
      const ident = regid(lvd, p + 4).id;
      const partitionNumber = lvd.readUInt16LE(p + 38);
      if (ident === '*UDF Virtual Partition') maps.push({ kind: 'virtual', partitionNumber });
      else if (ident === '*UDF Sparable Partition') {
        // OSTA UDF §2.2.9: packet length, number of sparing tables, their size and locations.
        const tableCount = Math.min(4, lvd[p + 42]);
        const tableLocations = Array.from({ length: tableCount }, (_, k) => lvd.readUInt32LE(p + 48 + 4 * k));
        maps.push({ kind: 'sparable', partitionNumber, packetLength: lvd.readUInt16LE(p + 40), tableCount, tableSize: lvd.readUInt32LE(p + 44), tableLocations });
      }
      else if (ident === '*UDF Metadata Partition') {
        // UDF 2.50 §2.2.10: file locations, bitmap (48), allocation unit (52), alignment unit (56), flags (58).
        maps.push({
          kind: 'metadata', partitionNumber, metadataFileLocation: lvd.readUInt32LE(p + 40), mirrorFileLocation: lvd.readUInt32LE(p + 44),
          allocationUnit: lvd.readUInt32LE(p + 52), alignmentUnit: lvd.readUInt16LE(p + 56), flags: lvd[p + 58],
        });
      }
      else throw new InvalidImageError(`unknown UDF partition map "${ident}"`);
    } else {
      throw new InvalidImageError(`unknown UDF partition map type ${type}`);
    }
    p += len;
  }
  if (maps.length === 0) throw new InvalidImageError('UDF logical volume has no partition maps');

  const partStart = (num: number) => {
    const pd = partitions.get(num);
    if (!pd) throw new InvalidImageError(`UDF partition ${num} has no partition descriptor`);
    return pd;
  };

  let vat: Uint32Array | undefined;
  let sparing: Map<number, number> | undefined;
  let metaExtents: { lbn: number; count: number; phys: number }[] | undefined;

  /** Logical block (lbn in partition reference `ref`) → image sector. */
  const toSector = (ref: number, lbn: number): number => {
    const m = maps[ref];
    if (!m) throw new InvalidImageError(`UDF partition reference ${ref} does not exist`);
    switch (m.kind) {
      case 'type1':
        return checkIn(partStart(m.partitionNumber), lbn);
      case 'sparable': {
        const sector = checkIn(partStart(m.partitionNumber), lbn);
        // OSTA UDF §2.2.12: a packet listed in the sparing table was relocated to its mapped sector.
        const packet = lbn - (lbn % (m.packetLength || 1));
        const mapped = sparing?.get(packet);
        return mapped === undefined ? sector : mapped + (lbn - packet);
      }
      case 'virtual': {
        // OSTA UDF §2.2.10: virtual block → VAT entry → block of the physical partition.
        if (!vat || lbn >= vat.length) throw new InvalidImageError(`UDF virtual block ${lbn} is not in the VAT`);
        const phys = vat[lbn];
        if (phys === 0xffffffff) throw new InvalidImageError(`UDF virtual block ${lbn} is unused in the VAT`);
        return checkIn(partStart(m.partitionNumber), phys);
      }
      case 'metadata': {
        if (!metaExtents) throw new InvalidImageError('UDF metadata partition is not loaded');
        for (const e of metaExtents) if (lbn >= e.lbn && lbn < e.lbn + e.count) return e.phys + (lbn - e.lbn);
        throw new InvalidImageError(`UDF metadata block ${lbn} lies outside the metadata file`);
      }
    }
  };

  function checkIn(pd: { start: number; length: number }, lbn: number): number {
    if (lbn >= pd.length) throw new InvalidImageError(`UDF block ${lbn} lies past its partition (${pd.length} blocks)`);
    return pd.start + lbn;
  }

  /** The physical partition reference a virtual/metadata map sits on. */
  const physicalRef = (ref: number): number => {
    const num = maps[ref].partitionNumber;
    const i = maps.findIndex((m) => m.partitionNumber === num && (m.kind === 'type1' || m.kind === 'sparable'));
    return i >= 0 ? i : ref;
  };

  async function readIcb(ref: number, lbn: number, what: string): Promise<{ sector: number; info: IcbInfo }> {
    let sector = toSector(ref, lbn);
    let at = lbn;
    for (let hop = 0; hop <= MAX_INDIRECT; hop++) {
      const b = await read(sector, 1, what);
      const tag = decodeTag(b, 0, what);
      if (tag.id === TAG.IE) {
        // 4/14.7: indirect entry → the ICB continues elsewhere.
        const ad = longAd(b, 36);
        sector = toSector(ad.partRef, ad.lbn);
        ref = ad.partRef;
        at = ad.lbn;
        continue;
      }
      if (tag.id !== TAG.FE && tag.id !== TAG.EFE) throw new InvalidImageError(`${what}: expected a file entry, found tag ${tag.id}`, { lba: sector });
      return { sector, info: await decodeFileEntry(b, tag.id === TAG.EFE, ref, what, o.details ? { lbn: at, tag } : undefined) };
    }
    throw new InvalidImageError(`${what}: more than ${MAX_INDIRECT} indirect entries`);
  }

  /** 4/14.9 FE and 4/14.17 EFE: attributes, then allocation descriptors after the extended attributes. */
  async function decodeFileEntry(b: Buffer, ext: boolean, ref: number, what: string, detailsOf?: { lbn: number; tag: Tag }): Promise<IcbInfo> {
    const fe = decodeFileEntryFields(b, ext);
    const { fileType, uid, gid } = fe;
    const adType = fe.icbFlags & 7;
    const size = fe.informationLength;
    const lEa = fe.extendedAttributesLength;
    const lAd = fe.allocationDescriptorsLength;
    const adStart = fe.descriptorsOffset;
    if (adStart + lAd > b.length) throw new InvalidImageError(`${what}: extended attributes (${lEa}) + descriptors (${lAd}) overrun the entry`);
    const info: IcbInfo = {
      fileType,
      size,
      extents: [],
      mtime: fe.modificationTime,
      uid: uid === 0xffffffff ? undefined : uid,
      gid: gid === 0xffffffff ? undefined : gid,
      permissions: fe.permissions,
      linkCount: fe.linkCount,
    };
    const details: UdfEntryDetails | undefined = detailsOf && {
      icb: { partRef: ref, lbn: detailsOf.lbn },
      tagVersion: detailsOf.tag.version,
      tagLocation: detailsOf.tag.location,
      extended: ext,
      fileType,
      icbFlags: fe.icbFlags,
      uid,
      gid,
      permissions: fe.permissions,
      linkCount: fe.linkCount,
      informationLength: size,
      logicalBlocksRecorded: fe.logicalBlocksRecorded,
      uniqueId: fe.uniqueId,
      allocation: [],
      aeds: [],
    };
    info.details = details;
    if (size > Number.MAX_SAFE_INTEGER) throw new InvalidImageError(`${what}: absurd information length`);
    if (adType === 3) {
      // 4/14.6.8: data embedded in the descriptor itself.
      if (size > lAd) throw new InvalidImageError(`${what}: embedded data length ${size} exceeds its ${lAd}-byte area`);
      info.embedded = Buffer.from(b.subarray(adStart, adStart + size));
      info.extents = [{ lba: -1, length: size, embedded: true }];
      return info;
    }
    if (adType > 2) throw new InvalidImageError(`${what}: unknown allocation descriptor type ${adType}`);
    let area = b.subarray(adStart, adStart + lAd);
    let hops = 0;
    let remaining = size;
    const raw_: { type: number; pref: number; lbn: number; len: number }[] = [];
    while (area) {
      const step = allocationDescriptorSize(adType);
      let next: Buffer | undefined;
      for (let p = 0; p + step <= area.length; p += step) {
        // 4/14.14.1 short_ad: same partition as the ICB; long_ad and ext_ad name theirs.
        const ad = decodeAllocationDescriptor(area, p, adType, ref);
        if (ad.length === 0) break; // 4/12: a zero length ends the sequence
        const { type, partRef: pref, lbn, length: len } = ad;
        if (type === 3) {
          // Next extent of allocation descriptors: an AED (4/14.5) with more ADs.
          if (++hops > MAX_AD_HOPS) throw new InvalidImageError(`${what}: allocation descriptor chain too long or looping`);
          const s = toSector(pref, lbn);
          const ab = await read(s, 1, `${what} allocation extent`);
          const aedTag = decodeTag(ab, 0, `${what} allocation extent`);
          if (aedTag.id !== TAG.AED) throw new InvalidImageError(`${what}: allocation extent descriptor expected at sector ${s}`);
          details?.aeds.push({ partRef: pref, lbn, tagLocation: aedTag.location });
          const l = ab.readUInt32LE(20);
          if (24 + l > ab.length) throw new InvalidImageError(`${what}: allocation extent length ${l} overruns its sector`);
          next = decodeAllocationExtentFields(ab).descriptors;
          break;
        }
        if (raw_.length >= MAX_EXTENTS) throw new InvalidImageError(`${what}: more than ${MAX_EXTENTS} extents`);
        raw_.push({ type, pref, lbn, len });
        details?.allocation.push(ad);
      }
      area = next as Buffer;
      if (!next) break;
    }
    // 4/12.1: only a file's last extent may end inside a block. Linux has been seen writing a short
    // length mid-file and reads every extent as whole blocks, so do the same (and say so).
    for (let k = 0; k < raw_.length - 1; k++) {
      if (raw_[k].len % SECTOR !== 0) {
        if (treeWarningCount++ < 3) o.treeWarnings?.push(`udf: ${what} has a non-final extent of ${raw_[k].len} bytes (ECMA-167 4/12.1 wants whole blocks); read as whole blocks like Linux`);
        raw_[k].len = Math.ceil(raw_[k].len / SECTOR) * SECTOR;
      }
    }
    for (const { type, pref, lbn, len } of raw_) {
      const take = Math.min(len, remaining);
      if (take <= 0) break;
      // type 0 = recorded; 1/2 = not recorded (reads as zeros, 4/14.14.1.1).
      if (type === 0) pushRecorded(info, pref, lbn, take, what);
      else info.extents.push({ lba: -1, length: take, sparse: true });
      remaining -= take;
    }
    if (remaining > 0) throw new InvalidImageError(`${what}: allocation descriptors cover ${size - remaining} of ${size} bytes`);
    return info;
  }

  /** Maps a recorded extent to image sectors; virtual/metadata blocks may be scattered, so runs are split. */
  function pushRecorded(info: IcbInfo, pref: number, lbn: number, bytes: number, what: string): void {
    const sectors = Math.ceil(bytes / SECTOR);
    const direct = maps[pref]?.kind === 'type1' || (maps[pref]?.kind === 'sparable' && !sparing?.size);
    if (direct) toSector(pref, lbn + sectors - 1); // bounds of the whole run
    let left = bytes;
    for (let k = 0; k < sectors; ) {
      const sec = toSector(pref, lbn + k);
      let run = 1;
      if (direct) run = sectors - k;
      else while (k + run < sectors && toSector(pref, lbn + k + run) === sec + run) run++;
      if (sec + run > reader.sectorCount) throw new InvalidImageError(`${what}: extent at sector ${sec} (+${run}) lies outside the image`, { lba: sec });
      if (info.extents.length >= MAX_EXTENTS) throw new InvalidImageError(`${what}: more than ${MAX_EXTENTS} extents`);
      const len = Math.min(left, run * SECTOR);
      info.extents.push({ lba: sec, length: len });
      left -= len;
      k += run;
    }
  }

  async function readData(icb: IcbInfo, max: number, what: string): Promise<Buffer> {
    if (icb.size > max) throw new InvalidImageError(`${what}: ${icb.size} bytes exceeds the limit of ${max}`);
    if (icb.embedded) return icb.embedded;
    const parts: Buffer[] = [];
    for (const e of icb.extents) {
      if (e.sparse) parts.push(Buffer.alloc(e.length));
      else parts.push((await read(e.lba, Math.ceil(e.length / SECTOR), what)).subarray(0, e.length));
    }
    return Buffer.concat(parts);
  }

  // 3/10.10 LVID: integrity state and OSTA UDF §2.2.6.4 implementation use (file/dir counts, revisions).
  let lvidInfo: Partial<UdfVolumeInfo> | undefined;
  let lvidDetails: UdfVolumeDetails['integrity'];
  const lvidExt = { length: lvd.readUInt32LE(432), lba: lvd.readUInt32LE(436) };
  if (lvidExt.length >= SECTOR && lvidExt.lba < N) {
    try {
      const b = await read(lvidExt.lba, 1, 'UDF LVID');
      const tag = decodeTag(b, 0, 'UDF LVID');
      if (tag.id === TAG.LVID) {
        const f = decodeIntegrityFields(b);
        lvidInfo = { integrity: f.type === 1 ? 'closed' : 'open' };
        const iu = f.implementation;
        if (iu) {
          Object.assign(lvidInfo, { numFiles: iu.numFiles, numDirs: iu.numDirs, minReadRevision: rev(iu.minReadRevision), minWriteRevision: rev(iu.minWriteRevision), maxWriteRevision: rev(iu.maxWriteRevision) });
          if (o.details) lvidDetails = { lba: lvidExt.lba, tagLocation: tag.location, type: f.type, nextUniqueId: f.nextUniqueId, partitions: f.partitions, implUseLength: f.implUseLength, ...iu };
        }
      }
    } catch (err) {
      if (!(err instanceof InvalidImageError)) throw err;
    }
  }
  let vatInfo: Partial<UdfVolumeInfo> | undefined;

  const sparable = maps.find((m) => m.kind === 'sparable');
  if (sparable && sparable.kind === 'sparable') sparing = await loadSparingTable(sparable);

  async function loadSparingTable(m: Extract<PartitionMap, { kind: 'sparable' }>): Promise<Map<number, number>> {
    const errors: string[] = [];
    for (const loc of m.tableLocations) {
      try {
        if (m.tableSize > 64 * 1024) throw new InvalidImageError(`sparing table size ${m.tableSize} is absurd`);
        const b = await read(loc, Math.max(1, Math.ceil(m.tableSize / SECTOR)), 'UDF sparing table');
        decodeTag(b, 0, `UDF sparing table at ${loc}`);
        if (regid(b, 16).id !== '*UDF Sparing Table') throw new InvalidImageError(`sector ${loc} is not a sparing table`);
        const count = b.readUInt16LE(48);
        if (56 + 8 * count > b.length) throw new InvalidImageError(`sparing table at ${loc} has ${count} entries past its end`);
        const map = new Map<number, number>();
        for (let k = 0; k < count; k++) {
          const original = b.readUInt32LE(56 + 8 * k);
          const mapped = b.readUInt32LE(60 + 8 * k);
          // 0xFFFFFFFF = available spare, 0xFFFFFFF0 = defective (§2.2.12).
          if (original >= 0xfffffff0) continue;
          if (mapped + m.packetLength > N) throw new InvalidImageError(`sparing table maps packet ${original} outside the image`);
          map.set(original, mapped);
        }
        return map;
      } catch (err) {
        if (!(err instanceof InvalidImageError)) throw err;
        errors.push(err.message);
      }
    }
    throw new InvalidImageError(`no usable UDF sparing table: ${errors.join('; ')}`);
  }

  // Virtual partition: the VAT's file entry is the last recorded sector (OSTA UDF §2.2.11, §6.10.1).
  if (maps.some((m) => m.kind === 'virtual')) vat = await loadVat();

  async function loadVat(): Promise<Uint32Array> {
    const vref = maps.findIndex((m) => m.kind === 'virtual');
    const pref = physicalRef(vref);
    for (let s = N - 1; s >= Math.max(0, N - 300); s--) {
      const b = await reader.read(s, 1);
      let tag: Tag;
      try {
        tag = decodeTag(b, 0, `VAT candidate ${s}`);
      } catch {
        continue;
      }
      if (tag.id !== TAG.FE && tag.id !== TAG.EFE) continue;
      const icb = await decodeFileEntry(b, tag.id === TAG.EFE, pref, `VAT at ${s}`);
      const data = await readData(icb, 64 * 1024 * 1024, 'VAT');
      if (icb.fileType === 248) {
        // UDF 2.00+ §2.2.11: header (length, impl use length, …) then 32-bit entries.
        if (data.length < 152) throw new InvalidImageError('UDF VAT header truncated');
        const hdr = data.readUInt16LE(0);
        if (hdr < 152 || hdr > data.length) throw new InvalidImageError(`UDF VAT header length ${hdr} is invalid`);
        // A VAT stands in for a closed LVID on write-once media (OSTA UDF §2.2.6.4 / §2.2.11).
        vatInfo = { integrity: 'closed', numFiles: data.readUInt32LE(136), numDirs: data.readUInt32LE(140), minReadRevision: rev(data.readUInt16LE(144)), minWriteRevision: rev(data.readUInt16LE(146)), maxWriteRevision: rev(data.readUInt16LE(148)) };
        return toU32(data.subarray(hdr));
      }
      // UDF 1.50 §2.2.10: entries, then "*UDF Virtual Alloc Tbl" regid and the previous VAT ICB.
      if (data.length >= 36 && regid(data, data.length - 36).id === '*UDF Virtual Alloc Tbl') {
        vatInfo = { integrity: 'closed' };
        return toU32(data.subarray(0, data.length - 36));
      }
    }
    throw new InvalidImageError('UDF virtual partition: no VAT found near the end of the image');
  }

  // Metadata partition (UDF 2.50 §2.2.10): the metadata file maps metadata blocks onto the physical partition; the mirror is the fallback.
  const metaRef = maps.findIndex((m) => m.kind === 'metadata');
  const warnings: string[] = [];
  let metadataDetails: Pick<UdfVolumeDetails, 'metadataFile' | 'metadataMirrorFile'> = {};
  if (metaRef >= 0) {
    const mm = maps[metaRef] as Extract<PartitionMap, { kind: 'metadata' }>;
    const pref = physicalRef(metaRef);
    let loaded = false;
    for (const [which, loc] of [['metadata file', mm.metadataFileLocation], ['metadata mirror file', mm.mirrorFileLocation]] as const) {
      try {
        const { info } = await readIcb(pref, loc, `UDF ${which}`);
        let lbn = 0;
        metaExtents = [];
        for (const e of info.extents) {
          if (e.sparse || e.embedded) throw new InvalidImageError(`UDF ${which} has unrecorded extents`);
          const count = Math.ceil(e.length / SECTOR);
          metaExtents.push({ lbn, count, phys: e.lba });
          lbn += count;
        }
        loaded = true;
        break;
      } catch (err) {
        if (!(err instanceof InvalidImageError)) throw err;
        warnings.push(`${which}: ${err.message}`);
      }
    }
    if (!loaded) throw new InvalidImageError(`UDF metadata partition unreadable: ${warnings.join('; ')}`);
    if (o.details) {
      // Both entries, whichever one maps the partition; one that cannot be read is left out.
      const entry = async (loc: number, which: string) => (await readIcb(pref, loc, `UDF ${which}`).catch((err: unknown) => {
        if (err instanceof InvalidImageError) return undefined;
        throw err;
      }))?.info.details;
      metadataDetails = { metadataFile: await entry(mm.metadataFileLocation, 'metadata file'), metadataMirrorFile: await entry(mm.mirrorFileLocation, 'metadata mirror file') };
    }
  }

  // 4/14.1 file set descriptor.
  const fsdSector = toSector(fsdAd.partRef, fsdAd.lbn);
  const fsd = await read(fsdSector, 1, 'UDF file set descriptor');
  const fsdTag = decodeTag(fsd, 0, 'UDF file set descriptor');
  if (fsdTag.id !== TAG.FSD) throw new InvalidImageError('UDF file set descriptor expected', { lba: fsdSector });
  const rootAd = longAd(fsd, 400);

  const info: UdfVolumeInfo = {
    facet: 'udf',
    revision,
    nsr: o.nsr,
    volumeId: dstring(pvd, 24, 32),
    volumeSetId: dstring(pvd, 72, 128),
    logicalVolumeId: dstring(lvd, 84, 128),
    fileSetId: dstring(fsd, 304, 32),
    recordingDate: udfTimestamp(pvd, 376),
    logicalBlockSize: blockSize,
    partitions: [...partitions.entries()].map(([number, p]) => ({ number, start: p.start, length: p.length, accessType: p.accessType })),
    partitionMaps: maps.map((m) => ({
      type: m.kind,
      partitionNumber: m.partitionNumber,
      ...(m.kind === 'metadata'
        ? { metadataFileLocation: m.metadataFileLocation, mirrorFileLocation: m.mirrorFileLocation, allocationUnit: m.allocationUnit, alignmentUnit: m.alignmentUnit, flags: m.flags }
        : {}),
    })),
    avdpLocations,
    applicationId: regid(pvd, 344).id,
    implementationId: regid(pvd, 388).id,
  };
  Object.assign(info, lvidInfo ?? {}, vatInfo ?? {});
  if (warnings.length) info.warnings = warnings;
  if (o.details) {
    info.details = {
      vdsLba,
      primaryVolume: decodePrimaryVolumeFields(pvd),
      domainRevision: revWord,
      fileSet: { partRef: fsdAd.partRef, lbn: fsdAd.lbn, tagLocation: fsdTag.location, rootIcb: { partRef: rootAd.partRef, lbn: rootAd.lbn } },
      integrity: lvidDetails,
      ...metadataDetails,
    };
  }

  let embeddedSeq = 0;
  const embeddedById = new Map<number, Buffer>();

  async function tree(): Promise<TreeNode> {
    const visited = new Set<number>();
    const budget = new TreeBudget('udf', limits, reader.sectorCount);
    // Several FIDs may name one file entry (hard links, or a hostile image naming one entry with
    // 65,536 extents thousands of times): each entry is decoded once, its extents shared by the
    // nodes, and the budget charges every name for what it adds to the tree.
    const entries = new Map<string, Promise<{ sector: number; info: IcbInfo; symlinkTarget?: string }>>();
    const entryAt = (ref: number, lbn: number, what: string, name: string) => {
      const key = `${ref}:${lbn}`;
      let p = entries.get(key);
      if (!p) {
        p = readIcb(ref, lbn, what).then(async (icb) => (icb.info.fileType === 12 ? { ...icb, symlinkTarget: decodeSymlink(await readData(icb.info, 64 * 1024, `UDF symlink ${name}`)) } : icb));
        entries.set(key, p);
      }
      return p;
    };
    const root = await readIcb(rootAd.partRef, rootAd.lbn, 'UDF root directory');
    const rootNode = toNode('', root.info);
    if (rootNode.kind !== 'dir') throw new InvalidImageError('UDF root ICB is not a directory');
    await readDir(rootNode, root, 1, []);
    return rootNode;

    async function readDir(node: TreeNode, icb: { sector: number; info: IcbInfo }, depth: number, path: string[]): Promise<void> {
      throwIfAborted(o.signal);
      if (visited.has(icb.sector)) throw new InvalidImageError(`UDF directory loop at sector ${icb.sector} (/${path.join('/')})`, { lba: icb.sector });
      visited.add(icb.sector);
      if (depth > limits.maxDepth) throw new InvalidImageError(`udf: directory nesting deeper than ${limits.maxDepth} at /${path.join('/')}`, { facet: 'udf' });
      if (icb.info.size <= limits.maxDirBytes) {
        // readData refuses larger ones; charge what it is about to read (extents must not overlap a directory read before).
        const where = `/${path.join('/')}`;
        if (icb.info.embedded) budget.charge(icb.info.size, where);
        else for (const e of icb.info.extents) if (e.sparse) budget.charge(e.length, where); else budget.directory(e.lba, e.length, where);
      }
      const data = await readData(icb.info, limits.maxDirBytes, `UDF directory /${path.join('/')}`);
      const children: TreeNode[] = [];
      const names = new DirectoryNames('udf', `/${path.join('/')}`, o.treeWarnings);
      const subdirs: { node: TreeNode; icb: { sector: number; info: IcbInfo } }[] = [];
      let p = 0;
      while (p + 38 <= data.length) {
        // 4/14.4 file identifier descriptor.
        const tag = decodeTag(data, p, `UDF FID in /${path.join('/')}`);
        if (tag.id !== TAG.FID) throw new InvalidImageError(`UDF directory /${path.join('/')}: tag ${tag.id} where a FID belongs`);
        const f = decodeFileIdentifierFields(data, p);
        const chars = f.characteristics;
        const lFi = f.nameLength;
        const icbAd = f.icb;
        const nameStart = f.nameOffset;
        if (nameStart + lFi > data.length) throw new InvalidImageError(`UDF FID in /${path.join('/')} overruns its directory`);
        const padded = f.size;
        // 3/7.2.6 + 4/14.4: the CRC covers the whole padded FID; Linux refuses directories where it does not.
        const crcLen = f.crcLength;
        if (crcLen !== padded - 16 && treeWarningCount++ < 3) o.treeWarnings?.push(`udf: FID in /${path.join('/')} has CRC length ${crcLen}, not ${padded - 16} (Linux rejects such directory entries)`);
        const fid = o.details ? fidDetails(f, p, tag, icb.info) : undefined;
        p += padded;
        if (chars & 0x08 && fid && node.udf) node.udf.parentFid = fid;
        if (chars & 0x08 || chars & 0x04) continue; // parent / deleted
        budget.entry(0, `/${path.join('/')}`);
        const recorded = osta(data, nameStart, lFi);
        checkEntryName(recorded, 'udf', `/${path.join('/')}`);
        const name = names.claim(recorded);
        const child = await entryAt(icbAd.partRef, icbAd.lbn, `UDF entry /${[...path, name].join('/')}`, name);
        budget.extents(child.info.extents.length, `/${[...path, name].join('/')}`);
        const n = toNode(name, child.info);
        if (fid && n.udf) n.udf.fid = fid;
        if (chars & 0x01) n.hidden = true;
        if (n.kind === 'symlink') n.symlinkTarget = child.symlinkTarget;
        if (n.kind === 'dir') subdirs.push({ node: n, icb: child });
        children.push(n);
      }
      node.children = children;
      for (const s of subdirs) await readDir(s.node, s.icb, depth + 1, [...path, s.node.name]);
    }
  }

  /** 4/14.4 fields of the FID at data[p]; `block`: the logical block its tag lies in (4/7.2.8). */
  function fidDetails(f: FileIdentifierFields, p: number, tag: Tag, dir: IcbInfo): UdfFidDetails {
    return {
      tagVersion: tag.version,
      tagLocation: tag.location,
      block: logicalBlockAt(dir, p),
      crcLength: f.crcLength,
      fileVersion: f.fileVersion,
      characteristics: f.characteristics,
      icb: { partRef: f.icb.partRef, lbn: f.icb.lbn },
      uniqueId: f.uniqueId,
      size: f.size,
    };
  }

  /** The logical block holding byte `offset` of an entry's data (readData's concatenation). */
  function logicalBlockAt(icb: IcbInfo, offset: number): number {
    const d = icb.details!;
    if (icb.embedded) return d.icb.lbn;
    const ads: UdfAllocation[] = d.allocation;
    for (let k = 0; k < ads.length; k++) {
      // Non-final extents are read as whole blocks (see decodeFileEntry).
      const len = k < ads.length - 1 ? Math.ceil(ads[k].length / SECTOR) * SECTOR : ads[k].length;
      if (offset < len) return ads[k].lbn + Math.floor(offset / SECTOR);
      offset -= len;
    }
    return -1;
  }

  function toNode(name: string, icb: IcbInfo): TreeNode {
    // 4/14.6.6 file types: 4 directory, 5 byte sequence, 12 symbolic link.
    const kind = icb.fileType === 4 ? 'dir' : icb.fileType === 12 ? 'symlink' : 'file';
    const p = icb.permissions;
    // 4/14.9.5: other bits 0-4, group 5-9, owner 10-14 (execute, write, read, …) → POSIX rwx.
    const mode = (((p >> 10) & 7) << 6) | (((p >> 5) & 7) << 3) | (p & 7);
    const n: TreeNode = {
      name,
      kind,
      size: icb.size,
      extents: icb.extents, // shared by every name of the entry; nothing writes to a tree's extents
      mtime: icb.mtime,
      mode: (kind === 'dir' ? 0o040000 : kind === 'symlink' ? 0o120000 : 0o100000) | mode,
      uid: icb.uid,
      gid: icb.gid,
      nlink: icb.linkCount,
    };
    if (icb.details) n.udf = { ...icb.details }; // per name: its own fid
    if (icb.embedded) {
      const id = ++embeddedSeq;
      embeddedById.set(id, icb.embedded);
      n.extents = [{ lba: -id, length: icb.size, embedded: true }];
    }
    return n;
  }

  return {
    info,
    tree,
    async embeddedData(e) {
      const d = embeddedById.get(-e.lba);
      if (!d) throw new InvalidImageError('embedded UDF data is not loaded (read the tree first)');
      return d;
    },
  };

  interface Vds {
    pvd: Buffer;
    lvd: Buffer;
    partitions: Map<number, { start: number; length: number; accessType: number }>;
  }

  /** 3/8.4.2: descriptors until a terminating descriptor or the end of the extent. */
  async function readVds(lba: number, length: number): Promise<Vds> {
    const count = Math.min(MAX_VDS_SECTORS, Math.floor(length / SECTOR));
    if (count === 0) throw new InvalidImageError('UDF volume descriptor sequence extent is empty');
    const buf = await read(lba, count, 'UDF volume descriptor sequence');
    let pvd: Buffer | undefined;
    let lvd: Buffer | undefined;
    const partitions = new Map<number, { start: number; length: number; accessType: number }>();
    for (let i = 0; i < count; i++) {
      const d = buf.subarray(i * SECTOR, (i + 1) * SECTOR);
      const tag = decodeTag(d, 0, `UDF volume descriptor at ${lba + i}`, lba + i);
      if (tag.id === TAG.TD) break;
      // 3/8.4.3: the descriptor with the highest VDS number wins; first-found is enough for images.
      if (tag.id === TAG.PVD) pvd ??= d;
      else if (tag.id === TAG.LVD) lvd ??= d;
      else if (tag.id === TAG.PD) {
        // 3/10.5: partition number at 22, access type at 184, start at 188, length at 192.
        const num = d.readUInt16LE(22);
        if (!partitions.has(num)) partitions.set(num, { start: d.readUInt32LE(188), length: d.readUInt32LE(192), accessType: d.readUInt32LE(184) });
      }
    }
    if (!pvd || !lvd || partitions.size === 0) throw new InvalidImageError('UDF volume descriptor sequence lacks a PVD, LVD or partition descriptor');
    return { pvd, lvd, partitions };
  }
}

/** UDF revisions are BCD words: 0x0250 → "2.50" (OSTA UDF §1.3.1). */
function rev(w: number): string {
  return `${(w >> 8).toString(16)}.${(w & 0xff).toString(16).padStart(2, '0')}`;
}

function toU32(b: Buffer): Uint32Array {
  const n = Math.floor(b.length / 4);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = b.readUInt32LE(i * 4);
  return out;
}

/** ECMA-167 4/14.16.1 path components: 1/2 root, 3 parent, 4 current, 5 named (OSTA CS0). */
function decodeSymlink(b: Buffer): string {
  const parts: string[] = [];
  let abs = false;
  let p = 0;
  while (p + 4 <= b.length) {
    const type = b[p];
    const len = b[p + 1];
    if (p + 4 + len > b.length) throw new InvalidImageError('UDF symlink path component overruns its data');
    if (type === 1 || type === 2) {
      abs = true;
      parts.length = 0;
    } else if (type === 3) parts.push('..');
    else if (type === 4) parts.push('.');
    else if (type === 5) parts.push(osta(b, p + 4, len));
    else throw new InvalidImageError(`UDF symlink path component type ${type} is invalid`);
    p += 4 + len;
  }
  return (abs ? '/' : '') + parts.join('/');
}
