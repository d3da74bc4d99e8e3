// The system area (sectors 0-15, ECMA-119 §6.2.1) of hybrid images: an MBR (with isohybrid
// partitions) and/or a GPT (UEFI 2.10 §5.2-5.3) in 512-byte units.
import { InvalidImageError } from '../../common/errors';
import type { BlockReader } from './block-reader';
import { crc32 } from './bytes';

export interface MbrPartition {
  index: number;
  bootable: boolean;
  type: number;
  typeName: string;
  /** In 512-byte sectors. */
  start: number;
  sectors: number;
}

export interface GptPartition {
  index: number;
  typeGuid: string;
  typeName: string;
  guid: string;
  name: string;
  /** In 512-byte sectors (inclusive range). */
  firstLba: number;
  lastLba: number;
  attributes: string;
}

export interface GptInfo {
  /** Byte offset where the header was found (512 for 512-byte logical blocks, 2048 for 2048). */
  headerOffset: number;
  blockSize: number;
  revision: string;
  diskGuid: string;
  headerCrcOk: boolean;
  entriesCrcOk: boolean;
  currentLba: number;
  backupLba: number;
  firstUsableLba: number;
  lastUsableLba: number;
  entriesLba: number;
  entryCount: number;
  entrySize: number;
  backup: 'ok' | 'missing' | 'bad-crc' | 'outside-image';
  partitions: GptPartition[];
}

export interface MbrInfo {
  diskSignature: number;
  partitions: MbrPartition[];
  /** True when partition type 0xEE covers the disk: a protective MBR in front of a GPT. */
  protective: boolean;
}

// Common MBR partition types (values from the de-facto registry used by fdisk).
const MBR_TYPES: Record<number, string> = {
  0x00: 'empty',
  0x01: 'FAT12',
  0x04: 'FAT16 <32M',
  0x06: 'FAT16',
  0x07: 'NTFS/exFAT/HPFS',
  0x0b: 'FAT32',
  0x0c: 'FAT32 (LBA)',
  0x0e: 'FAT16 (LBA)',
  0x17: 'Hidden NTFS/IFS',
  0x83: 'Linux',
  0x96: 'ISO 9660 (CHRP)',
  0xcd: 'ISO 9660 (isohybrid)',
  0xee: 'GPT protective',
  0xef: 'EFI System (FAT)',
};

// UEFI 2.10 Table 5.7 and widely used vendor GUIDs.
const GPT_TYPES: Record<string, string> = {
  'C12A7328-F81F-11D2-BA4B-00A0C93EC93B': 'EFI System',
  'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7': 'Basic data',
  '21686148-6449-6E6F-744E-656564454649': 'BIOS boot',
  'E3C9E316-0B5C-4DB8-817D-F92DF00215AE': 'Microsoft reserved',
  '0FC63DAF-8483-4772-8E79-3D69D8477DE4': 'Linux filesystem',
  '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F': 'Linux swap',
  '48465300-0000-11AA-AA11-00306543ECAC': 'Apple HFS+',
  '7C3457EF-0000-11AA-AA11-00306543ECAC': 'Apple APFS',
  '024DEE41-33E7-11D3-9D69-0008C781F39F': 'MBR partition scheme',
};

/** UEFI §A: GUIDs are stored with the first three fields little-endian. */
export function guidToString(b: Buffer, off: number): string {
  const h = (s: number, e: number) => b.subarray(off + s, off + e).toString('hex');
  const le = (s: number, e: number) => Buffer.from(b.subarray(off + s, off + e)).reverse().toString('hex');
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${h(8, 10)}-${h(10, 16)}`.toUpperCase();
}

export function gptTypeName(guid: string): string {
  return GPT_TYPES[guid] ?? 'unknown';
}

/** MBR at byte 0: four 16-byte entries at 446 and the 55 AA signature at 510. */
export function decodeMbr(sector0: Buffer): MbrInfo | undefined {
  if (sector0[510] !== 0x55 || sector0[511] !== 0xaa) return undefined;
  const partitions: MbrPartition[] = [];
  for (let i = 0; i < 4; i++) {
    const o = 446 + 16 * i;
    const type = sector0[o + 4];
    const start = sector0.readUInt32LE(o + 8);
    const sectors = sector0.readUInt32LE(o + 12);
    if (type === 0 && start === 0 && sectors === 0) continue;
    partitions.push({ index: i + 1, bootable: sector0[o] === 0x80, type, typeName: MBR_TYPES[type] ?? 'unknown', start, sectors });
  }
  return { diskSignature: sector0.readUInt32LE(440), partitions, protective: partitions.some((p) => p.type === 0xee) };
}

/** Reads `len` bytes at byte offset `off` of the image, clamped to it. */
async function readAt(reader: BlockReader, off: number, len: number): Promise<Buffer | undefined> {
  const first = Math.floor(off / 2048);
  const last = Math.floor((off + len - 1) / 2048);
  if (off < 0 || last >= reader.sectorCount) return undefined;
  const b = await reader.read(first, last - first + 1);
  return b.subarray(off - first * 2048, off - first * 2048 + len);
}

const MAX_ENTRY_BYTES = 1024 * 1024;

/** GPT header (UEFI §5.3.2) at LBA 1, trying 512-byte then 2048-byte logical blocks. */
export async function readGpt(reader: BlockReader): Promise<GptInfo | undefined> {
  for (const bs of [512, 2048]) {
    const h = await readAt(reader, bs, 512);
    if (!h || h.toString('latin1', 0, 8) !== 'EFI PART') continue;
    const headerSize = h.readUInt32LE(12);
    if (headerSize < 92 || headerSize > 512) throw new InvalidImageError(`GPT header size ${headerSize} is invalid`);
    const entriesLba = Number(h.readBigUInt64LE(72));
    const entryCount = h.readUInt32LE(80);
    const entrySize = h.readUInt32LE(84);
    if (entrySize < 128 || entrySize % 8 !== 0 || entryCount * entrySize > MAX_ENTRY_BYTES) throw new InvalidImageError(`GPT entry array (${entryCount} × ${entrySize}) is invalid`);
    const copy = Buffer.from(h.subarray(0, headerSize));
    copy.writeUInt32LE(0, 16);
    const headerCrcOk = crc32(copy) === h.readUInt32LE(16);
    const entries = await readAt(reader, entriesLba * bs, entryCount * entrySize);
    if (!entries) throw new InvalidImageError(`GPT entry array at LBA ${entriesLba} lies outside the image`);
    const entriesCrcOk = crc32(entries) === h.readUInt32LE(88);
    const partitions: GptPartition[] = [];
    for (let i = 0; i < entryCount; i++) {
      const o = i * entrySize;
      const typeGuid = guidToString(entries, o);
      if (typeGuid === '00000000-0000-0000-0000-000000000000') continue; // unused entry (§5.3.3)
      partitions.push({
        index: i + 1,
        typeGuid,
        typeName: gptTypeName(typeGuid),
        guid: guidToString(entries, o + 16),
        firstLba: Number(entries.readBigUInt64LE(o + 32)),
        lastLba: Number(entries.readBigUInt64LE(o + 40)),
        attributes: '0x' + entries.readBigUInt64LE(o + 48).toString(16).padStart(16, '0'),
        name: entries.toString('utf16le', o + 56, o + 128).replace(/\0.*$/s, ''),
      });
    }
    const backupLba = Number(h.readBigUInt64LE(32));
    let backup: GptInfo['backup'] = 'outside-image';
    const bh = await readAt(reader, backupLba * bs, 512);
    if (bh) {
      if (bh.toString('latin1', 0, 8) !== 'EFI PART') backup = 'missing';
      else {
        const bsz = Math.min(512, Math.max(92, bh.readUInt32LE(12)));
        const bc = Buffer.from(bh.subarray(0, bsz));
        bc.writeUInt32LE(0, 16);
        backup = crc32(bc) === bh.readUInt32LE(16) ? 'ok' : 'bad-crc';
      }
    }
    const rev = h.readUInt32LE(8);
    return {
      headerOffset: bs,
      blockSize: bs,
      revision: `${rev >>> 16}.${rev & 0xffff}`,
      diskGuid: guidToString(h, 56),
      headerCrcOk,
      entriesCrcOk,
      currentLba: Number(h.readBigUInt64LE(24)),
      backupLba,
      firstUsableLba: Number(h.readBigUInt64LE(40)),
      lastUsableLba: Number(h.readBigUInt64LE(48)),
      entriesLba,
      entryCount,
      entrySize,
      backup,
      partitions,
    };
  }
  return undefined;
}
