// Small generators of hostile images, one per class issue 13 found (the reader's regression tests
// and the fuzz corpus build them): every structure is well formed (tags, CRCs, record lengths) so
// the reader's cheap checks pass and the attack reaches the cost it aims at.
import { SECTOR } from '../reader/block-reader';
import { writeDirRecord, recordLength, systemUseOffset, FLAG_DIRECTORY } from '../iso9660/directory-record';
import { encodeTerminator, encodeVolumeDescriptor } from '../iso9660/volume-descriptor';
import { encodeAllocationExtent, encodeFileEntry, encodeFileSet, FidChar, fidSize, FileType, writeFileIdentifier } from '../udf/file-descriptors';
import { BLOCK } from '../udf/primitives';
import { encodeAnchor, encodeLogicalVolume, encodePartition, encodePrimaryVolume, encodeTerminating, encodeVolumeStructureDescriptor, type UdfFlavour } from '../udf/volume-descriptors';

const EPOCH = new Date(Date.UTC(2020, 0, 1));

/** One ISO 9660 directory record to place: raw identifier bytes, extent, flags, System Use. */
export interface IsoRecord {
  id: Buffer;
  lba: number;
  size: number;
  flags?: number;
  systemUse?: Buffer;
}

/** A plain image with a PVD at 16, a terminator at 17 and nothing else; directories are written with writeIsoDirectory. */
export function isoSkeleton(sectors: number, root: { lba: number; size: number }): Buffer {
  const img = Buffer.alloc(sectors * SECTOR);
  encodeVolumeDescriptor({ kind: 'pvd', label: 'HOSTILE', totalSectors: sectors, pathTableSize: 0, lPathTable: 0, mPathTable: 0, root: { ...root, mtime: EPOCH }, recorded: EPOCH }).copy(img, 16 * SECTOR);
  encodeTerminator().copy(img, 17 * SECTOR);
  return img;
}

/**
 * Writes "." and ".." then `records` into the extent at `lba` (records never straddle a sector,
 * ECMA-119 §6.8.1.1); returns the bytes used, rounded to whole sectors. `selfSu`: the "." record's
 * System Use (the root's SP/ER for Rock Ridge).
 */
export function writeIsoDirectory(img: Buffer, lba: number, self: { size: number; parentLba: number; parentSize: number; selfSu?: Buffer }, records: IsoRecord[]): number {
  const all: IsoRecord[] = [
    { id: Buffer.from([0]), lba, size: self.size, flags: FLAG_DIRECTORY, systemUse: self.selfSu },
    { id: Buffer.from([1]), lba: self.parentLba, size: self.parentSize, flags: FLAG_DIRECTORY },
    ...records,
  ];
  let off = lba * SECTOR;
  for (const r of all) {
    const su = r.systemUse ?? Buffer.alloc(0);
    const len = recordLength(r.id.length, su.length);
    if ((off % SECTOR) + len > SECTOR) off = Math.ceil(off / SECTOR) * SECTOR;
    writeDirRecord(img, off, len, '', false, r.lba, r.size, EPOCH, r.flags ?? 0);
    img[off + 32] = r.id.length;
    r.id.copy(img, off + 33);
    su.copy(img, off + systemUseOffset(r.id.length));
    off += len;
  }
  return Math.ceil((off - lba * SECTOR) / SECTOR) * SECTOR;
}

/** SUSP SP + ER naming RRIP_1991A (SUSP §5.3, §5.5): the root "." System Use of a Rock Ridge image. */
export function rockRidgeRootSu(): Buffer {
  const id = Buffer.from('RRIP_1991A', 'latin1');
  const er = Buffer.alloc(8 + id.length);
  er.write('ER', 0, 'latin1');
  er[2] = er.length;
  er[3] = 1;
  er[4] = id.length;
  er[7] = 1;
  id.copy(er, 8);
  return Buffer.concat([Buffer.from([0x53, 0x50, 7, 1, 0xbe, 0xef, 0]), er]);
}

/** RRIP §4.1.4 NM entry carrying `name` (raw bytes: hostile names may hold "/" or NUL). */
export function nmEntry(name: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x4e, 0x4d, 5 + name.length, 1, 0]), name]);
}

/** SUSP §5.1 CE entry: the rest of the System Use is `len` bytes at sector `lba` + `off`. */
export function ceEntry(lba: number, off: number, len: number): Buffer {
  const b = Buffer.alloc(28);
  b.write('CE', 0, 'latin1');
  b[2] = 28;
  b[3] = 1;
  const both = (at: number, v: number) => {
    b.writeUInt32LE(v, at);
    b.writeUInt32BE(v, at + 4);
  };
  both(4, lba);
  both(12, off);
  both(20, len);
  return b;
}

/**
 * A Rock Ridge image whose root holds one file per name in `names` (NM entries exactly as given),
 * each one byte of data at sector 40. `--import` of it would stage these names.
 */
export function rockRidgeNamesImage(names: Buffer[]): Buffer {
  const sectors = 48;
  const rootLba = 20;
  const records: IsoRecord[] = names.map((n, i) => ({ id: Buffer.from(`F${i};1`, 'latin1'), lba: 40, size: 1, systemUse: nmEntry(n) }));
  const img = isoSkeleton(sectors, { lba: rootLba, size: SECTOR });
  const used = writeIsoDirectory(img, rootLba, { size: SECTOR, parentLba: rootLba, parentSize: SECTOR, selfSu: rockRidgeRootSu() }, records);
  if (used > SECTOR) throw new Error('too many names for one root sector');
  img[40 * SECTOR] = 0x41;
  return img;
}

/**
 * The "time" attack: the root holds `dirs` directories at consecutive sectors, each claiming the
 * rest of the image, and every sector after the root is full of associated-file records (ECMA-119
 * §9.1.6 bit 2), which the reader parses but lists nothing for. Without an overlap rule a walk
 * parses about dirs²/2 sectors; a bounded one parses each sector once.
 */
export function overlappingDirectoriesImage(dirs: number): Buffer {
  const rootLba = 18;
  const rootRecords: IsoRecord[] = [];
  // Root records are ~40 bytes: about 50 a sector.
  const rootSectors = Math.ceil((dirs + 2) / 50);
  const first = rootLba + rootSectors;
  const sectors = first + dirs;
  for (let i = 0; i < dirs; i++) rootRecords.push({ id: Buffer.from(`D${i}`, 'latin1'), lba: first + i, size: (sectors - first - i) * SECTOR, flags: FLAG_DIRECTORY });
  const img = isoSkeleton(sectors, { lba: rootLba, size: rootSectors * SECTOR });
  writeIsoDirectory(img, rootLba, { size: rootSectors * SECTOR, parentLba: rootLba, parentSize: rootSectors * SECTOR }, rootRecords);
  // Filler: 60 associated-file records of 34 bytes per sector.
  for (let s = first; s < sectors; s++) {
    for (let off = s * SECTOR; off + 34 <= (s + 1) * SECTOR; off += 34) {
      writeDirRecord(img, off, 34, 'A', false, 0, 0, EPOCH, 0x04);
    }
  }
  return img;
}

/**
 * The "memory" attack: a UDF 1.02 volume whose root directory holds `names` file identifiers that
 * all name one file entry, and that entry lists `aeds` × 252 one-block extents through a chain of
 * allocation extent descriptors (ECMA-167 4/14.5). Decoded per name, the extent list is
 * multiplied by the number of names.
 */
export function sharedEntryUdfImage(names: number, aeds = 255, nameOf: (i: number) => string = (i) => `f${String(i).padStart(6, '0')}`): Buffer {
  const f: UdfFlavour = { rev: 0x0102, tagVersion: 2 };
  const partStart = 257;
  // Partition blocks: 0 FSD, 1 root FE, 2 shared FE, 3 data block, 4.. AEDs, then the root's FIDs.
  const encoded = Array.from({ length: names }, (_, i) => Buffer.from(`\u0008${nameOf(i)}`, 'latin1')); // OSTA CS0, 8-bit
  const fidBytes = encoded.reduce((sum, n) => sum + fidSize(n.length), fidSize(0));
  const dirBlocks = Math.ceil(fidBytes / BLOCK);
  const aedStart = 4;
  const dirStart = aedStart + aeds;
  const partLength = dirStart + dirBlocks;
  const sectors = partStart + partLength + 1;
  const img = Buffer.alloc(sectors * SECTOR);
  const put = (lba: number, b: Buffer) => b.copy(img, lba * SECTOR);
  put(16, encodeVolumeStructureDescriptor('BEA01'));
  put(17, encodeVolumeStructureDescriptor('NSR02'));
  put(18, encodeVolumeStructureDescriptor('TEA01'));
  put(32, encodePrimaryVolume(f, 32, { vdsNumber: 0, volumeIdentifier: 'HOSTILE', volumeSetIdentifier: 'HOSTILE', recordingTime: EPOCH }));
  put(33, encodePartition(f, 33, 1, partStart, partLength));
  put(34, encodeLogicalVolume(f, 34, { vdsNumber: 2, lvIdentifier: 'HOSTILE', fsd: { lbn: 0, partRef: 0, length: BLOCK }, integrity: { lba: 0, sectors: 0 } }));
  put(35, encodeTerminating(f, 35));
  put(256, encodeAnchor(f, 256, { lba: 32, sectors: 4 }, { lba: 32, sectors: 4 }));
  put(sectors - 1, encodeAnchor(f, sectors - 1, { lba: 32, sectors: 4 }, { lba: 32, sectors: 4 }));
  put(partStart, encodeFileSet(f, 0, { recordingTime: EPOCH, lvIdentifier: 'HOSTILE', fileSetIdentifier: 'HOSTILE', root: { lbn: 1, partRef: 0, length: BLOCK } }));
  const shortAd = (length: number, lbn: number, type = 0) => {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(((type << 30) | length) >>> 0, 0);
    b.writeUInt32LE(lbn, 4);
    return b;
  };
  const fe = (loc: number, fileType: number, size: number, ads: Buffer) =>
    encodeFileEntry(f, loc, { fileType, icbFlags: 0, uid: 0, gid: 0, permissions: 0x1fff, linkCount: 1, informationLength: size, blocksRecorded: 0, atime: EPOCH, mtime: EPOCH, attrTime: EPOCH, uniqueId: loc, ads });
  // Root directory: parent FID then `names` FIDs, all pointing at the shared entry (lbn 2).
  const dir = Buffer.alloc(dirBlocks * BLOCK);
  let off = writeFileIdentifier(f, dir, 0, dirStart, { characteristics: FidChar.Directory | FidChar.Parent, icb: { lbn: 1, partRef: 0, length: BLOCK }, name: null });
  for (let i = 0; i < names; i++) {
    const name = encoded[i];
    off += writeFileIdentifier(f, dir, off, dirStart + Math.floor(off / BLOCK), { characteristics: 0, icb: { lbn: 2, partRef: 0, length: BLOCK }, name });
  }
  const dirSize = off;
  if (dirSize > dir.length) throw new Error('FIDs overran the directory');
  put(partStart + 1, fe(1, FileType.Directory, dirSize, shortAd(dirSize, dirStart)));
  for (let b = 0; b < dirBlocks; b++) put(partStart + dirStart + b, dir.subarray(b * BLOCK, (b + 1) * BLOCK));
  // The shared entry: every AED holds 252 one-block extents of block 3 and a pointer to the next AED.
  const perAed = Math.floor((BLOCK - 24) / 8) - 1;
  for (let a = 0; a < aeds; a++) {
    const ads: Buffer[] = [];
    for (let k = 0; k < perAed; k++) ads.push(shortAd(BLOCK, 3));
    if (a + 1 < aeds) ads.push(shortAd(BLOCK, aedStart + a + 1, 3));
    put(partStart + aedStart + a, encodeAllocationExtent(f, aedStart + a, Buffer.concat(ads)));
  }
  put(partStart + 2, fe(2, FileType.File, aeds * perAed * BLOCK, shortAd(BLOCK, aedStart, 3)));
  return img;
}

/**
 * A Joliet volume (ISO 9660 root empty) whose root holds one file per name, identifiers written as
 * UCS-2 BE exactly as given (Joliet §3.1 forbids "/", "*", ":" … but a hostile image has them).
 */
export function jolietNamesImage(names: string[]): Buffer {
  const sectors = 48;
  const img = Buffer.alloc(sectors * SECTOR);
  const root = { lba: 20, size: SECTOR, mtime: EPOCH };
  encodeVolumeDescriptor({ kind: 'pvd', label: 'HOSTILE', totalSectors: sectors, pathTableSize: 0, lPathTable: 0, mPathTable: 0, root, recorded: EPOCH }).copy(img, 16 * SECTOR);
  encodeVolumeDescriptor({ kind: 'joliet', label: 'HOSTILE', totalSectors: sectors, pathTableSize: 0, lPathTable: 0, mPathTable: 0, root: { ...root, lba: 21 }, recorded: EPOCH }).copy(img, 17 * SECTOR);
  encodeTerminator().copy(img, 18 * SECTOR);
  writeIsoDirectory(img, 20, { size: SECTOR, parentLba: 20, parentSize: SECTOR }, []);
  const ucs2 = (n: string) => {
    const b = Buffer.alloc(n.length * 2);
    for (let i = 0; i < n.length; i++) b.writeUInt16BE(n.charCodeAt(i), i * 2);
    return b;
  };
  writeIsoDirectory(img, 21, { size: SECTOR, parentLba: 21, parentSize: SECTOR }, names.map((n) => ({ id: ucs2(n), lba: 40, size: 1 })));
  return img;
}
