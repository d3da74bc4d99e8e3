// Exact bytes of whole descriptors, each field placed by hand from the ECMA-167 / OSTA UDF layout
// tables (offsets are "RBP" in the spec). The CRC itself is checked in primitives.test.ts against
// the ECMA-167 example, so here it is recomputed with crcItuT.
import { describe, expect, it } from 'vitest';
import { osta } from '../reader/bytes';
import {
  allocationDescriptorSize, decodeAllocationDescriptor, decodeAllocationExtentFields, decodeFileEntryFields, decodeFileIdentifierFields,
  decodeIntegrityFields, decodePrimaryVolumeFields, decodeTag,
} from '../reader/udf';
import { encodeAllocationExtent, encodeFileEntry, encodeFileSet, fidSize, writeFileIdentifier } from './file-descriptors';
import { crcItuT, encodeOsta, writeLongAd, writeShortAd } from './primitives';
import { encodeAnchor, encodeIntegrity, encodeLogicalVolume, encodePartition, encodePrimaryVolume, encodeVolumeStructureDescriptor, type UdfFlavour } from './volume-descriptors';

const NSR03: UdfFlavour = { rev: 0x0250, tagVersion: 3 };
const NSR02: UdfFlavour = { rev: 0x0102, tagVersion: 2 };
const T = new Date(Date.UTC(2001, 1, 3, 4, 5, 6));

function expectTag(b: Buffer, id: number, version: number, location: number, crcLength: number) {
  expect(b.readUInt16LE(0)).toBe(id);
  expect(b.readUInt16LE(2)).toBe(version);
  expect(b.readUInt16LE(6)).toBe(1);
  expect(b.readUInt16LE(10)).toBe(crcLength);
  expect(b.readUInt16LE(8)).toBe(crcItuT(b, 16, 16 + crcLength));
  expect(b.readUInt32LE(12)).toBe(location);
}

describe('Volume Recognition Sequence (ECMA-167 2/9.1)', () => {
  it('BEA01 / NSR03 / TEA01: type 0, identifier, version 1, the rest of the sector zero', () => {
    for (const id of ['BEA01', 'NSR02', 'NSR03', 'TEA01'] as const) {
      const b = encodeVolumeStructureDescriptor(id);
      expect(b.length).toBe(2048);
      expect([...b.subarray(0, 7)]).toEqual([0, ...Buffer.from(id), 1]);
      expect(b.subarray(7).every((x) => x === 0)).toBe(true);
    }
  });
});

describe('Anchor Volume Descriptor Pointer (ECMA-167 3/10.2)', () => {
  it('records main and reserve VDS extents as (length in bytes, sector)', () => {
    const b = encodeAnchor(NSR03, 256, { lba: 32, sectors: 16 }, { lba: 48, sectors: 16 });
    expectTag(b, 2, 3, 256, 496);
    // 16 × 2048 = 32768 = 0x8000; 32 = 0x20; 48 = 0x30.
    expect([...b.subarray(16, 32)]).toEqual([0, 0x80, 0, 0, 0x20, 0, 0, 0, 0, 0x80, 0, 0, 0x30, 0, 0, 0]);
    expect(b.subarray(32).every((x) => x === 0)).toBe(true);
  });
});

describe('Partition Descriptor (ECMA-167 3/10.5)', () => {
  it('partition 0, allocated, "+NSR02" for UDF 1.02, read-only access, start and length', () => {
    const b = encodePartition(NSR02, 34, 2, 257, 1000);
    expectTag(b, 5, 2, 34, 496);
    expect(b.readUInt32LE(16)).toBe(2); // VDS number
    expect(b.readUInt16LE(20)).toBe(1); // flags: allocated
    expect(b.readUInt16LE(22)).toBe(0); // partition number
    expect(b.toString('latin1', 25, 31)).toBe('+NSR02');
    expect(b.subarray(56, 184).every((x) => x === 0)).toBe(true); // empty Partition Header Descriptor
    expect(b.readUInt32LE(184)).toBe(1); // access type 1 = read-only
    expect(b.readUInt32LE(188)).toBe(257);
    expect(b.readUInt32LE(192)).toBe(1000);
    expect(b.toString('latin1', 197, 209)).toBe('*Glassmaster');
  });
});

describe('Logical Volume Descriptor (ECMA-167 3/10.6; OSTA UDF 2.50 §2.2.10)', () => {
  it('UDF 2.50: a Type 1 map then the 64-byte Metadata Partition map', () => {
    const b = encodeLogicalVolume(NSR03, 35, {
      vdsNumber: 3,
      lvIdentifier: 'LV',
      fsd: { lbn: 0, partRef: 1, length: 4096 },
      integrity: { lba: 64, sectors: 2 },
      metadata: { metadataFileLbn: 7, mirrorFileLbn: 8, allocationUnit: 32, alignmentUnit: 32, duplicate: true },
    });
    expectTag(b, 6, 3, 35, 440 + 70 - 16);
    expect(b.readUInt32LE(212)).toBe(2048); // logical block size
    expect(b.toString('latin1', 217, 236)).toBe('*OSTA UDF Compliant');
    expect(b.readUInt16LE(240)).toBe(0x0250); // domain suffix: UDF revision
    // LV Contents Use = long_ad of the FSD: 4096 bytes at block 0 of partition reference 1.
    expect([...b.subarray(248, 258)]).toEqual([0, 0x10, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(b.readUInt32LE(264)).toBe(70); // map table length: 6 + 64
    expect(b.readUInt32LE(268)).toBe(2); // number of maps
    expect([...b.subarray(432, 440)]).toEqual([0, 0x10, 0, 0, 64, 0, 0, 0]); // integrity sequence extent
    expect([...b.subarray(440, 446)]).toEqual([1, 6, 1, 0, 0, 0]); // type 1: vol seq 1, partition 0
    const m = b.subarray(446, 510);
    expect([m[0], m[1], m[2], m[3]]).toEqual([2, 64, 0, 0]);
    expect(m.toString('latin1', 5, 28)).toBe('*UDF Metadata Partition');
    expect([m[28], m[29]]).toEqual([0x50, 0x02]); // UDF identifier suffix: revision 2.50
    expect(m.readUInt16LE(36)).toBe(1);
    expect(m.readUInt16LE(38)).toBe(0);
    expect(m.readUInt32LE(40)).toBe(7);
    expect(m.readUInt32LE(44)).toBe(8);
    expect(m.readUInt32LE(48)).toBe(0xffffffff); // no metadata bitmap on read-only media
    expect(m.readUInt32LE(52)).toBe(32);
    expect(m.readUInt16LE(56)).toBe(32);
    expect(m[58]).toBe(1); // duplicate metadata flag
    expect(m.subarray(59).every((x) => x === 0)).toBe(true);
  });
});

describe('Logical Volume Integrity Descriptor (ECMA-167 3/10.10; OSTA UDF §2.2.6.4)', () => {
  it('closed, next Unique ID, free/size tables, then the UDF implementation use', () => {
    const b = encodeIntegrity(NSR03, 64, { recordingTime: T, nextUniqueId: 99, partitionSizes: [5000, 64], files: 7, dirs: 3 });
    // 80 fixed + 2 × 4 free + 2 × 4 size + 46 implementation use = 142 bytes.
    expectTag(b, 9, 3, 64, 142 - 16);
    expect(b.readUInt32LE(28)).toBe(1); // close
    expect(b.readBigUInt64LE(40)).toBe(99n);
    expect(b.readUInt32LE(72)).toBe(2);
    expect(b.readUInt32LE(76)).toBe(46);
    expect([b.readUInt32LE(80), b.readUInt32LE(84), b.readUInt32LE(88), b.readUInt32LE(92)]).toEqual([0, 0, 5000, 64]);
    expect(b.toString('latin1', 97, 109)).toBe('*Glassmaster');
    expect([b.readUInt32LE(128), b.readUInt32LE(132)]).toEqual([7, 3]);
    expect([b.readUInt16LE(136), b.readUInt16LE(138), b.readUInt16LE(140)]).toEqual([0x0250, 0x0250, 0x0250]);
  });
});

describe('File Set Descriptor (ECMA-167 4/14.1)', () => {
  it('interchange level 3, CS0, identifiers and the root ICB', () => {
    const b = encodeFileSet(NSR02, 10, { recordingTime: T, lvIdentifier: 'LV', fileSetIdentifier: 'FS', root: { lbn: 12, partRef: 0, length: 2048 } });
    expectTag(b, 256, 2, 10, 496);
    expect([b.readUInt16LE(28), b.readUInt16LE(30), b.readUInt32LE(32), b.readUInt32LE(36)]).toEqual([3, 3, 1, 1]);
    expect(b.toString('latin1', 49, 72)).toBe('OSTA Compressed Unicode');
    expect([...b.subarray(112, 115)]).toEqual([8, 0x4c, 0x56]);
    expect(b[239]).toBe(3);
    expect([...b.subarray(304, 307)]).toEqual([8, 0x46, 0x53]);
    expect(b[335]).toBe(3);
    expect([...b.subarray(400, 410)]).toEqual([0, 8, 0, 0, 12, 0, 0, 0, 0, 0]);
    expect(b.readUInt16LE(440)).toBe(0x0102);
  });
});

describe('File Entry (ECMA-167 4/14.9)', () => {
  it('places ICB tag, ids, permissions, sizes, times, unique ID and ADs at their RBPs', () => {
    const ad = Buffer.from([5, 0, 0, 0, 0x2a, 0, 0, 0]); // short_ad: 5 bytes at block 42
    const b = encodeFileEntry(NSR03, 20, {
      fileType: 5,
      icbFlags: 0,
      uid: 1000,
      gid: 100,
      permissions: 0x1084,
      linkCount: 1,
      informationLength: 5,
      blocksRecorded: 1,
      atime: T,
      mtime: T,
      attrTime: T,
      uniqueId: 16,
      ads: ad,
    });
    expectTag(b, 261, 3, 20, 176 + 8 - 16);
    // ICB tag (ECMA-167 4/14.6): prior entries 0, strategy 4, parameter 0, max entries 1, type 5.
    expect([...b.subarray(16, 28)]).toEqual([0, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 5]);
    expect(b.subarray(28, 34).every((x) => x === 0)).toBe(true); // parent ICB location unused
    expect([b.readUInt32LE(36), b.readUInt32LE(40), b.readUInt32LE(44), b.readUInt16LE(48)]).toEqual([1000, 100, 0x1084, 1]);
    expect([b.readBigUInt64LE(56), b.readBigUInt64LE(64)]).toEqual([5n, 1n]);
    // Modification time at 84: 2001-02-03 04:05:06 UTC.
    expect([...b.subarray(84, 96)]).toEqual([0, 0x10, 0xd1, 0x07, 2, 3, 4, 5, 6, 0, 0, 0]);
    expect(b.readUInt32LE(108)).toBe(1); // checkpoint
    expect(b.toString('latin1', 129, 141)).toBe('*Glassmaster');
    expect(b.readBigUInt64LE(160)).toBe(16n);
    expect([b.readUInt32LE(168), b.readUInt32LE(172)]).toEqual([0, 8]);
    expect([...b.subarray(176, 184)]).toEqual([...ad]);
  });
});

describe('File Identifier Descriptor (ECMA-167 4/14.4)', () => {
  it('parent FID: 38 bytes padded to 40, characteristics directory|parent, CRC over the padding too', () => {
    const out = Buffer.alloc(64);
    const n = writeFileIdentifier(NSR02, out, 0, 9, { characteristics: 0x0a, icb: { lbn: 3, partRef: 0, length: 2048, uniqueId: 0 }, name: null });
    expect(n).toBe(40);
    expect(fidSize(0)).toBe(40);
    const b = out.subarray(0, 40);
    expectTag(b, 257, 2, 9, 24);
    expect([...b.subarray(16, 40)]).toEqual([1, 0, 0x0a, 0, 0, 8, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
  it('named FID with an Implementation Use: EntityID first, then the name', () => {
    const out = Buffer.alloc(128);
    const name = Buffer.from([8, 0x61]);
    const n = writeFileIdentifier(NSR03, out, 0, 5, { characteristics: 0, icb: { lbn: 4, partRef: 1, length: 2048, uniqueId: 17 }, name, implUse: 32 });
    expect(n).toBe((38 + 32 + 2 + 3) & ~3); // 72
    expect(out[19]).toBe(2); // L_FI
    expect(out.readUInt16LE(36)).toBe(32); // L_IU
    expect(out.toString('latin1', 39, 51)).toBe('*Glassmaster');
    expect([...out.subarray(70, 72)]).toEqual([8, 0x61]);
    expect(out.readUInt32LE(32)).toBe(17); // UDF Unique ID in the long_ad implementation use
  });
});

// decode(encode(x)) per descriptor through the image reader's decoders (reader/udf.ts): the one
// UDF decoder, which also reads every image the writer's other tests build.
describe('decode(encode(x)) through the reader (reader/udf.ts)', () => {
  const T2 = new Date(Date.UTC(2024, 4, 17, 12, 34, 56, 780));
  const iso = (d: Date) => d.toISOString();

  it('File Entry: every field, the three times and short_ad/long_ad descriptors', () => {
    for (const [f, adType] of [[NSR02, 0], [NSR03, 1]] as const) {
      const size = allocationDescriptorSize(adType);
      const ads = Buffer.alloc(3 * size);
      const want = [
        { type: 0, length: 2048, lbn: 42, partRef: adType ? 0 : 1 },
        { type: 1, length: 4096, lbn: 0, partRef: adType ? 0 : 1 },
        { type: 3, length: 2048, lbn: 77, partRef: 1 },
      ];
      for (const [i, a] of want.entries()) {
        if (adType === 0) writeShortAd(ads, i * size, a.length, a.lbn, a.type);
        else writeLongAd(ads, i * size, a.length, a.lbn, a.partRef, 0, a.type);
      }
      const input = {
        fileType: 4, icbFlags: adType | (1 << 6) | (1 << 8), uid: 0xffffffff, gid: 100, permissions: 0x14a5, linkCount: 3,
        informationLength: 2 ** 40 + 5, blocksRecorded: 2 ** 29 + 1, atime: T, mtime: T2, attrTime: new Date(T2.getTime() + 10), uniqueId: 2 ** 33 + 16, ads,
      };
      const b = encodeFileEntry(f, 20, input);
      expect(decodeTag(b, 0, 'FE', 20)).toEqual({ id: 261, version: f.tagVersion, location: 20 });
      const fe = decodeFileEntryFields(b, false, { allTimes: true });
      expect(fe).toEqual({
        extended: false, fileType: 4, icbFlags: input.icbFlags, uid: input.uid, gid: 100, permissions: 0x14a5, linkCount: 3,
        informationLength: input.informationLength, logicalBlocksRecorded: input.blocksRecorded, uniqueId: input.uniqueId,
        accessTime: iso(T), modificationTime: iso(T2), attributeTime: iso(input.attrTime),
        extendedAttributesLength: 0, allocationDescriptorsLength: ads.length, descriptorsOffset: 176,
      });
      // short_ads take the partition of their ICB (here 1); long_ads name theirs.
      const got = [0, 1, 2].map((i) => decodeAllocationDescriptor(b, fe.descriptorsOffset + i * size, adType, 1));
      expect(got).toEqual(want);
    }
  });

  it('Allocation Extent Descriptor: its descriptors and previous location', () => {
    const ads = Buffer.alloc(32);
    writeLongAd(ads, 0, 1 << 29, 1000, 0);
    writeLongAd(ads, 16, 300, 5000, 0);
    const b = encodeAllocationExtent(NSR03, 88, ads);
    expect(decodeTag(b, 0, 'AED', 88)).toMatchObject({ id: 258, location: 88 });
    const aed = decodeAllocationExtentFields(b);
    expect(aed.previousLocation).toBe(0);
    expect(aed.descriptors.equals(ads)).toBe(true);
    expect(decodeAllocationDescriptor(aed.descriptors, 16, 1, 9)).toEqual({ type: 0, length: 300, lbn: 5000, partRef: 0 });
  });

  it('File Identifier Descriptor: characteristics, ICB, unique ID, implementation use, name, padding', () => {
    for (const [name, implUse] of [['a', 0], ['Ünïcödé ✓', 32], ['', 0]] as const) {
      const out = Buffer.alloc(200);
      const enc = name ? encodeOsta(name) : null;
      const n = writeFileIdentifier(NSR03, out, 4, 7, { characteristics: name ? 0x03 : 0x0a, icb: { lbn: 12, partRef: 1, length: 2048, uniqueId: 123456 }, name: enc, implUse });
      expect(decodeTag(out, 4, 'FID', 7)).toMatchObject({ id: 257, location: 7 });
      const f = decodeFileIdentifierFields(out, 4);
      expect(f).toEqual({
        fileVersion: 1, characteristics: name ? 0x03 : 0x0a, icb: { lbn: 12, partRef: 1, length: 2048 }, uniqueId: 123456, implUseLength: implUse,
        nameLength: enc?.length ?? 0, nameOffset: 4 + 38 + implUse, crcLength: n - 16, size: n,
      });
      expect(osta(out, f.nameOffset, f.nameLength)).toBe(name);
    }
  });

  it('Logical Volume Integrity Descriptor: type, next unique ID, tables, implementation use', () => {
    const b = encodeIntegrity(NSR02, 64, { recordingTime: T2, nextUniqueId: 2 ** 40 + 3, partitionSizes: [5000, 64], files: 7, dirs: 3 });
    expect(decodeTag(b, 0, 'LVID', 64)).toMatchObject({ id: 9, version: 2 });
    expect(decodeIntegrityFields(b)).toEqual({
      recordingTime: iso(T2), type: 1, nextUniqueId: 2 ** 40 + 3, partitions: 2, implUseLength: 46, freeSpace: [0, 0], size: [5000, 64],
      implementation: { numFiles: 7, numDirs: 3, minReadRevision: 0x0102, minWriteRevision: 0x0102, maxWriteRevision: 0x0102 },
    });
  });

  it('Primary Volume Descriptor: identifiers, levels, character sets, recording time, flags', () => {
    const b = encodePrimaryVolume(NSR03, 32, { vdsNumber: 1, volumeIdentifier: 'MY DISC', volumeSetIdentifier: '0123456789ABCDEFset', recordingTime: T2 });
    expect(decodeTag(b, 0, 'PVD', 32)).toMatchObject({ id: 1, version: 3 });
    expect(decodePrimaryVolumeFields(b)).toEqual({
      tagIdentifier: 1, tagVersion: 3, vdsNumber: 1, volumeId: 'MY DISC', interchangeLevel: 2, maxInterchangeLevel: 3, characterSetList: 1, maxCharacterSetList: 1,
      volumeSetId: '0123456789ABCDEFset', recordingTime: iso(T2), flags: 1,
    });
  });
});
