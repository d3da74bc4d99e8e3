// ECMA-119 §9.1 directory record: encoder and decoder side by side (decode(encode(x)) is tested in
// directory-record.test.ts). Used by the ISO 9660 and Joliet directory writers and the volume
// descriptors' root record.
import { type DirDates, writeDirDate, writeU16Both, writeU32Both } from './encoding';

/** §9.1: bytes before the identifier. */
export const DIR_RECORD_FIXED = 33;

/** §9.1.12: the identifier is followed by a pad byte when its length is even. */
export function systemUseOffset(idLen: number): number {
  return DIR_RECORD_FIXED + idLen + (idLen % 2 === 0 ? 1 : 0);
}

/** A record's length with `suLen` bytes of System Use (§9.1.13), padded to even (§9.1.1). */
export function recordLength(idLen: number, suLen: number): number {
  const n = systemUseOffset(idLen) + suLen;
  return n + (n % 2);
}

/** §9.1.6 file flags. */
export const FLAG_HIDDEN = 0x01;
export const FLAG_DIRECTORY = 0x02;
export const FLAG_MULTI_EXTENT = 0x80;

/**
 * Writes a record's fixed part and identifier at buf[off..] (`len` from recordLength). `id` is
 * latin1 bytes, or UCS-2 BE characters when `wide` (Joliet). The System Use field is the caller's.
 * `dates`: the encoding run's date writer (a tree's records), else the date is derived afresh.
 */
export function writeDirRecord(buf: Buffer, off: number, len: number, id: string, wide: boolean, lba: number, length: number, mtime: Date, flags: number, dates?: DirDates): void {
  buf[off] = len;
  buf[off + 1] = 0; // extended attribute record length
  writeU32Both(buf, off + 2, lba);
  writeU32Both(buf, off + 10, length);
  if (dates) dates.write(buf, off + 18, mtime);
  else writeDirDate(buf, off + 18, mtime);
  buf[off + 25] = flags;
  buf[off + 26] = 0; // file unit size (not interleaved)
  buf[off + 27] = 0; // interleave gap
  writeU16Both(buf, off + 28, 1); // volume sequence number
  if (wide) {
    buf[off + 32] = id.length * 2;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      buf[off + 33 + i * 2] = c >> 8;
      buf[off + 34 + i * 2] = c & 0xff;
    }
  } else {
    buf[off + 32] = id.length;
    // Byte by byte (as latin1): identifiers are short, and this runs once per record.
    for (let i = 0; i < id.length; i++) buf[off + 33 + i] = id.charCodeAt(i);
  }
}

export interface DirRecord {
  length: number;
  lba: number;
  dataLength: number;
  /** §9.1.5 recording time, as UTC milliseconds (the 7-byte form carries its own offset). */
  recorded: number;
  flags: number;
  /** Identifier: latin1, or UCS-2 decoded when `wide`. */
  id: string;
  systemUse: Buffer;
}

/** Decodes the record at buf[off..]; undefined for a zero length byte (the rest of the sector is free). */
export function decodeDirRecord(buf: Buffer, off: number, wide = false): DirRecord | undefined {
  const length = buf[off];
  if (length === 0) return undefined;
  if (length < DIR_RECORD_FIXED || off + length > buf.length) throw new RangeError(`directory record at ${off}: length ${length} out of bounds`);
  const lba = buf.readUInt32LE(off + 2);
  const dataLength = buf.readUInt32LE(off + 10);
  if (buf.readUInt32BE(off + 6) !== lba || buf.readUInt32BE(off + 14) !== dataLength) throw new RangeError(`directory record at ${off}: both-byte-order fields disagree`);
  const d = off + 18;
  const recorded = Date.UTC(1900 + buf[d], buf[d + 1] - 1, buf[d + 2], buf[d + 3], buf[d + 4], buf[d + 5]) - buf.readInt8(d + 6) * 15 * 60_000;
  const idLen = buf[off + 32];
  if (DIR_RECORD_FIXED + idLen > length) throw new RangeError(`directory record at ${off}: identifier overruns the record`);
  const raw = buf.subarray(off + 33, off + 33 + idLen);
  let id = '';
  if (wide && !(idLen === 1 && raw[0] <= 1)) for (let i = 0; i + 1 < idLen; i += 2) id += String.fromCharCode(raw.readUInt16BE(i));
  else id = raw.toString('latin1');
  return { length, lba, dataLength, recorded, flags: buf[off + 25], id, systemUse: buf.subarray(off + systemUseOffset(idLen), off + length) };
}
