// ECMA-119 §8.4 primary and §8.5 supplementary (Joliet) volume descriptors and the §8.3 set
// terminator: encoders and a decoder side by side (volume-descriptor.test.ts: decode(encode(x))).
import { SECTOR, writeAscii, writeU16Both, writeU32Both, writeUcs2, writeVolumeDate } from './encoding';
import { decodeDirRecord, FLAG_DIRECTORY, writeDirRecord, type DirRecord } from './directory-record';
import { isoVolumeId } from './names';

export interface VolumeDescriptorInput {
  kind: 'pvd' | 'joliet';
  label: string;
  totalSectors: number;
  pathTableSize: number;
  lPathTable: number;
  mPathTable: number;
  root: { lba: number; size: number; mtime: Date };
  recorded: Date;
}

/** §8.4 (PVD) and §8.5 (SVD; Joliet escape sequence "%/E" = UCS-2 level 3). */
export function encodeVolumeDescriptor(v: VolumeDescriptorInput): Buffer {
  const b = Buffer.alloc(SECTOR);
  const j = v.kind === 'joliet';
  b[0] = j ? 2 : 1;
  b.write('CD001', 1, 'latin1');
  b[6] = 1;
  const text = (off: number, len: number, s: string) => (j ? writeUcs2(b, off, len, s) : writeAscii(b, off, len, s));
  text(8, 32, '');
  if (j) writeUcs2(b, 40, 32, v.label.slice(0, 16));
  else writeAscii(b, 40, 32, isoVolumeId(v.label));
  writeU32Both(b, 80, v.totalSectors);
  if (j) b.write('%/E', 88, 'latin1');
  writeU16Both(b, 120, 1); // volume set size
  writeU16Both(b, 124, 1); // volume sequence number
  writeU16Both(b, 128, SECTOR); // logical block size
  writeU32Both(b, 132, v.pathTableSize);
  b.writeUInt32LE(v.lPathTable, 140);
  b.writeUInt32LE(0, 144);
  b.writeUInt32BE(v.mPathTable, 148);
  b.writeUInt32BE(0, 152);
  writeDirRecord(b, 156, 34, '\x00', false, v.root.lba, v.root.size, v.root.mtime, FLAG_DIRECTORY);
  text(190, 128, j ? v.label.slice(0, 64) : isoVolumeId(v.label)); // volume set identifier
  text(318, 128, ''); // publisher
  text(446, 128, ''); // data preparer
  text(574, 128, 'GLASSMASTER'); // application
  text(702, 37, ''); // copyright file
  text(739, 37, ''); // abstract file
  text(776, 37, ''); // bibliographic file
  writeVolumeDate(b, 813, v.recorded); // creation
  writeVolumeDate(b, 830, v.recorded); // modification
  writeVolumeDate(b, 847, undefined); // expiration
  writeVolumeDate(b, 864, undefined); // effective
  b[881] = 1; // file structure version
  return b;
}

/** §8.3 volume descriptor set terminator. */
export function encodeTerminator(): Buffer {
  const b = Buffer.alloc(SECTOR);
  b[0] = 255;
  b.write('CD001', 1, 'latin1');
  b[6] = 1;
  return b;
}

export interface DecodedVolumeDescriptor {
  type: number;
  joliet: boolean;
  volumeId: string;
  volumeSetId: string;
  application: string;
  totalSectors: number;
  pathTableSize: number;
  lPathTable: number;
  mPathTable: number;
  root: DirRecord;
  /** §8.4.26 creation time as UTC milliseconds (undefined when not specified). */
  created: number | undefined;
}

export function decodeVolumeDescriptor(b: Buffer): DecodedVolumeDescriptor {
  if (b.toString('latin1', 1, 6) !== 'CD001') throw new RangeError('not an ECMA-119 volume descriptor (no CD001)');
  const joliet = b[0] === 2 && b.toString('latin1', 88, 91) === '%/E';
  const text = (off: number, len: number) => {
    if (!joliet) return b.toString('latin1', off, off + len).replace(/ +$/, '');
    let s = '';
    for (let i = 0; i + 1 < len; i += 2) s += String.fromCharCode(b.readUInt16BE(off + i));
    return s.replace(/ +$/, '');
  };
  return {
    type: b[0],
    joliet,
    volumeId: text(40, 32),
    volumeSetId: text(190, 128),
    application: text(574, 128),
    totalSectors: b.readUInt32LE(80),
    pathTableSize: b.readUInt32LE(132),
    lPathTable: b.readUInt32LE(140),
    mPathTable: b.readUInt32BE(148),
    root: decodeDirRecord(b, 156)!,
    created: decodeVolumeDate(b, 813),
  };
}

/** §8.4.26.1: 16 digits (YYYYMMDDhhmmsscc) and a 15-minute offset; all zero digits = not specified. */
function decodeVolumeDate(b: Buffer, off: number): number | undefined {
  const s = b.toString('latin1', off, off + 16);
  if (/^0+$/.test(s)) return undefined;
  const n = (a: number, l: number) => Number(s.slice(a, a + l));
  return Date.UTC(n(0, 4), n(4, 2) - 1, n(6, 2), n(8, 2), n(10, 2), n(12, 2), n(14, 2) * 10) - b.readInt8(off + 16) * 15 * 60_000;
}
