// Small decoders shared by the ISO 9660, UDF and boot parsers.
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crcItuT as udfCrc } from '../udf/primitives';
import { InvalidImageError } from '../../common/errors';

export function need(buf: Buffer, off: number, len: number, what: string): void {
  if (off < 0 || off + len > buf.length) throw new InvalidImageError(`${what} is truncated (needs bytes ${off}..${off + len - 1} of ${buf.length})`);
}

/** ECMA-119 §7.3.3: 32-bit both-byte-order; the little-endian half is authoritative here, mismatches are reported by callers. */
export function both32(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off);
}
export function both32Consistent(buf: Buffer, off: number): boolean {
  return buf.readUInt32LE(off) === buf.readUInt32BE(off + 4);
}
/** ECMA-119 §7.2.3: 16-bit both-byte-order. */
export function both16(buf: Buffer, off: number): number {
  return buf.readUInt16LE(off);
}

/** a-/d-character fields are space padded (ECMA-119 §7.4). */
export function asciiField(buf: Buffer, off: number, len: number): string {
  return buf.toString('latin1', off, off + len).replace(/[\s\0]+$/, '');
}

/** Joliet names and fields are UCS-2 big-endian (Joliet spec §3). Odd trailing byte ignored. */
export function ucs2be(buf: Buffer, off: number, len: number): string {
  const n = len & ~1;
  const sw = Buffer.from(buf.subarray(off, off + n));
  sw.swap16();
  return sw.toString('utf16le');
}

/**
 * ECMA-119 §8.4.26.1: 17-byte volume date "YYYYMMDDHHMMSScc" + offset in 15-minute units.
 * All-zero digits mean "not specified".
 */
export function decDateTime(buf: Buffer, off: number): string | undefined {
  const s = buf.toString('latin1', off, off + 16);
  if (!/^\d{16}$/.test(s) || /^0+$/.test(s)) return undefined;
  const tz = buf.readInt8(off + 16);
  const ms = Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14), +s.slice(14, 16) * 10);
  return validDate(ms - tz * 15 * 60_000);
}

/** ECMA-119 §9.1.5: 7-byte recording date (years since 1900 … offset in 15-minute units). */
export function dirDateTime(buf: Buffer, off: number): string | undefined {
  const y = buf[off];
  if (y === 0 && buf[off + 1] === 0 && buf[off + 2] === 0) return undefined;
  const tz = buf.readInt8(off + 6);
  const ms = Date.UTC(1900 + y, buf[off + 1] - 1, buf[off + 2], buf[off + 3], buf[off + 4], buf[off + 5]);
  return validDate(ms - tz * 15 * 60_000);
}

/** ECMA-167 1/7.3: 12-byte timestamp; type/timezone word, tz in minutes (-2047 = none). */
export function udfTimestamp(buf: Buffer, off: number): string | undefined {
  const tt = buf.readUInt16LE(off);
  let tz = tt & 0x0fff;
  if (tz & 0x800) tz -= 0x1000;
  if (tz === -2047) tz = 0;
  const year = buf.readInt16LE(off + 2);
  const mon = buf[off + 4];
  const day = buf[off + 5];
  if (year === 0 && mon === 0 && day === 0) return undefined;
  const ms = Date.UTC(year, mon - 1, day, buf[off + 6], buf[off + 7], buf[off + 8], buf[off + 9] * 10 + Math.floor(buf[off + 10] / 10));
  return validDate(ms - tz * 60_000);
}

function validDate(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * OSTA UDF §2.1.1 "OSTA Compressed Unicode" (CS0 as profiled by OSTA): the first byte is the
 * compression ID, 8 = one byte per char, 16 = UCS-2 big-endian; 254/255 are the UDF 2.50 forms of 8/16
 * used for deleted names.
 */
export function osta(buf: Buffer, off: number, len: number): string {
  if (len <= 0) return '';
  const id = buf[off];
  const body = buf.subarray(off + 1, off + len);
  if (id === 8 || id === 254) return body.toString('latin1');
  if (id === 16 || id === 255) return ucs2be(body, 0, body.length);
  throw new InvalidImageError(`invalid OSTA compressed unicode compression ID ${id}`);
}

/** ECMA-167 1/7.2.12 dstring: OSTA CS0 in a fixed field whose last byte holds the used length. */
export function dstring(buf: Buffer, off: number, fieldLen: number): string {
  const used = buf[off + fieldLen - 1];
  if (used === 0) return '';
  if (used > fieldLen - 1) throw new InvalidImageError(`dstring length ${used} exceeds its ${fieldLen}-byte field`);
  return osta(buf, off, used).replace(/\0+$/, '');
}

/** ECMA-167 1/7.4 regid: identifier of up to 23 bytes at +1, suffix at +24. */
export function regid(buf: Buffer, off: number): { id: string; suffix: Buffer } {
  return { id: buf.toString('latin1', off + 1, off + 24).replace(/\0+$/, ''), suffix: buf.subarray(off + 24, off + 32) };
}

/** CRC-ITU-T of `len` bytes at `off`: the descriptor CRC of ECMA-167 3/7.2.6 (shared with the UDF writer). */
export function crcItuT(buf: Buffer, off: number, len: number): number {
  return udfCrc(buf, off, off + len);
}

/** CRC-32 (IEEE 802.3) as the GPT header and entry array use (UEFI §5.3.2). */
export function crc32(buf: Buffer): number {
  return zlibCrc32(buf) >>> 0;
}
