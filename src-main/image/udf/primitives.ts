// Low-level UDF/ECMA-167 building blocks: descriptor tag, CRC, timestamps, entity identifiers,
// OSTA compressed Unicode, dstrings and allocation descriptors. Everything is little-endian
// (ECMA-167 1/7.1.3–7.1.5) except 16-bit OSTA characters, which are big-endian (OSTA UDF §2.1.1).
import { InvalidInputError } from '../../common/errors';
import { utcFields } from '../calendar';

export const BLOCK = 2048;

/** UDF revision as the BCD-like number stored on disc (OSTA UDF §2.1.5.3: 2.01 → 0x0201). */
export type UdfRevisionCode = 0x0102 | 0x0150 | 0x0200 | 0x0201 | 0x0250;

// --- CRC (ECMA-167 1/7.2.6: CRC-ITU-T, x^16 + x^12 + x^5 + 1, initial value 0, no reflection) ---
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

// Two bytes at a time: the register is 16 bits wide, so after 16 input bits the new value is the
// CRC of (register XOR those bits) alone. Every descriptor tag is checksummed (several per file).
const CRC_TABLE16 = (() => {
  const t = new Uint16Array(65536);
  for (let x = 0; x < 65536; x++) {
    const c = ((x & 0xff00) >> 8) & 0xff;
    const mid = CRC_TABLE[c];
    t[x] = ((mid << 8) & 0xffff) ^ CRC_TABLE[((mid >> 8) ^ (x & 0xff)) & 0xff];
  }
  return t;
})();

export function crcItuT(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0;
  let i = start;
  for (; i + 1 < end; i += 2) crc = CRC_TABLE16[crc ^ ((data[i] << 8) | data[i + 1])];
  if (i < end) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ data[i]) & 0xff];
  return crc;
}

// --- Descriptor tag (ECMA-167 3/7.2, 4/7.2; OSTA UDF §2.2.1 and §2.3.1) ---
export const TagId = {
  PrimaryVolume: 1,
  AnchorVolumeDescriptorPointer: 2,
  ImplementationUseVolume: 4,
  Partition: 5,
  LogicalVolume: 6,
  UnallocatedSpace: 7,
  Terminating: 8,
  LogicalVolumeIntegrity: 9,
  FileSet: 256,
  FileIdentifier: 257,
  AllocationExtent: 258,
  FileEntry: 261,
} as const;

/**
 * Fills the 16-byte tag at buf[0..16): id, version (2 for NSR02 = UDF 1.02/1.50, 3 for NSR03 =
 * UDF ≥ 2.00, OSTA UDF §2.2.1.1), serial 1, CRC over the `crcLength` bytes after the tag, and the
 * checksum (sum of tag bytes 0–3 and 5–15 modulo 256, ECMA-167 3/7.2.3). `location` is the sector
 * (volume structures) or the logical block in its partition (file structures) holding the tag.
 */
export function writeTag(buf: Buffer, id: number, version: 2 | 3, location: number, crcLength = buf.length - 16): Buffer {
  writeTagAt(buf, 0, id, version, location, crcLength);
  return buf;
}

/** writeTag for a descriptor that starts at `off` in a larger buffer (no subarray per descriptor). */
export function writeTagAt(buf: Buffer, off: number, id: number, version: 2 | 3, location: number, crcLength: number): void {
  buf.writeUInt16LE(id, off);
  buf.writeUInt16LE(version, off + 2);
  buf[off + 4] = 0;
  buf[off + 5] = 0;
  // OSTA UDF §2.2.1.2: the serial number is the same for all tags of a volume; 1 like other writers.
  buf.writeUInt16LE(1, off + 6);
  buf.writeUInt16LE(crcItuT(buf, off + 16, off + 16 + crcLength), off + 8);
  buf.writeUInt16LE(crcLength, off + 10);
  buf.writeUInt32LE(location >>> 0, off + 12);
  let sum = 0;
  for (let i = 0; i < 16; i++) if (i !== 4) sum += buf[off + i];
  buf[off + 4] = sum & 0xff;
}

// --- Timestamp (ECMA-167 1/7.3) ---
/**
 * 12 bytes. Type 1 (local time) with a time-zone offset of 0 minutes, so the fields are UTC: a JS
 * Date carries no zone and UTC keeps images reproducible wherever they are built. `scratch`: seven
 * Int32 fields the caller owns (calendar.ts utcFields).
 */
export function writeTimestamp(buf: Buffer, off: number, d: Date, scratch?: Int32Array): void {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) throw new InvalidInputError('UDF timestamp: invalid Date');
  // A caller writing one per file passes its own fields array (an Int32Array per call was ~100,000
  // short-lived objects for 50,000 files).
  const f = utcFields(ms, scratch);
  const year = f[0];
  if (year < 1 || year > 9999) throw new InvalidInputError(`UDF timestamp: year ${year} out of range 1..9999`);
  buf.writeUInt16LE((1 << 12) | 0, off); // type 1, offset 0 (bits 0–11, signed minutes)
  buf.writeInt16LE(year, off + 2);
  buf[off + 4] = f[1];
  buf[off + 5] = f[2];
  buf[off + 6] = f[3];
  buf[off + 7] = f[4];
  buf[off + 8] = f[5];
  const msPart = f[6];
  buf[off + 9] = Math.floor(msPart / 10); // centiseconds
  buf[off + 10] = (msPart % 10) * 10; // hundreds of microseconds
  buf[off + 11] = 0; // microseconds
}

// --- Entity identifier (ECMA-167 1/7.4; OSTA UDF §2.1.5) ---
export const IMPLEMENTATION_ID = '*Glassmaster';

function writeRegidRaw(buf: Buffer, off: number, identifier: string, suffix: number[]): void {
  buf.fill(0, off, off + 32);
  buf[off] = 0; // flags
  buf.write(identifier, off + 1, 23, 'latin1');
  for (let i = 0; i < suffix.length && i < 8; i++) buf[off + 24 + i] = suffix[i];
}

/** Domain Entity Identifier suffix (OSTA UDF §2.1.5.3): revision, domain flags (write-protect bits). */
export function writeDomainRegid(buf: Buffer, off: number, rev: UdfRevisionCode, flags = 0): void {
  writeRegidRaw(buf, off, '*OSTA UDF Compliant', [rev & 0xff, rev >> 8, flags]);
}

/** UDF Entity Identifier suffix (OSTA UDF §2.1.5.3): revision, OS class, OS identifier. */
export function writeUdfRegid(buf: Buffer, off: number, identifier: string, rev: UdfRevisionCode): void {
  writeRegidRaw(buf, off, identifier, [rev & 0xff, rev >> 8, 0, 0]);
}

/** Implementation Entity Identifier (OSTA UDF §2.1.5.3): OS class 0 = undefined (we run on several OSes). */
export function writeImplRegid(buf: Buffer, off: number): void {
  buf.set(IMPL_REGID, off);
}

// Written once per File Entry: encoded once.
const IMPL_REGID = (() => {
  const b = Buffer.alloc(32);
  writeRegidRaw(b, 0, IMPLEMENTATION_ID, [0, 0]);
  return b;
})();

/** ECMA-167 identifiers such as "+NSR02" carry no suffix (ECMA-167 3/10.5.3, OSTA UDF §2.2.14.2). */
export function writeEcmaRegid(buf: Buffer, off: number, identifier: string): void {
  writeRegidRaw(buf, off, identifier, []);
}

// --- Character set (ECMA-167 1/7.2.1; OSTA UDF §2.1.2: CS0 "OSTA Compressed Unicode") ---
export function writeCharspec(buf: Buffer, off: number): void {
  buf.fill(0, off, off + 64);
  buf[off] = 0; // CS0
  buf.write('OSTA Compressed Unicode', off + 1, 63, 'latin1');
}

// --- OSTA Compressed Unicode (OSTA UDF §2.1.1) ---
/**
 * Encodes a name as compression ID 8 (one byte per character, every code unit < U+0100) or 16
 * (UTF-16BE; characters beyond U+FFFF as surrogate pairs). Rejects lone surrogates, NUL, U+FEFF
 * and U+FFFE.
 */
export function encodeOsta(s: string): Buffer {
  const out = Buffer.alloc(ostaLength(s));
  writeOsta(out, 0, s, out.length !== 1 + s.length);
  return out;
}

/**
 * Bytes of the OSTA form of `s` (compression ID included), after the same checks as encodeOsta:
 * lets a caller size a name without allocating its encoding.
 */
export function ostaLength(s: string): number {
  let wide = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) throw new InvalidInputError('UDF name contains NUL', { name: s });
    // OSTA UDF §2.1.1: U+FEFF and U+FFFE are not allowed in CS0 text.
    if (c === 0xfeff || c === 0xfffe) throw new InvalidInputError('UDF name contains U+FEFF or U+FFFE', { name: s });
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = s.charCodeAt(i + 1);
      if (!(n >= 0xdc00 && n <= 0xdfff)) throw new InvalidInputError('UDF name has an unpaired UTF-16 surrogate', { name: s });
      i++;
      wide = true;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new InvalidInputError('UDF name has an unpaired UTF-16 surrogate', { name: s });
    } else if (c > 0xff) wide = true;
  }
  return wide ? 1 + 2 * s.length : 1 + s.length;
}

/** Writes the OSTA form of a name checked by ostaLength (`wide`: compression ID 16); returns its length. */
export function writeOsta(dst: Buffer, off: number, s: string, wide: boolean): number {
  // Byte loops, not Buffer.write/writeUInt16BE: names are short and written once per FID.
  if (!wide) {
    dst[off] = 8;
    for (let i = 0; i < s.length; i++) dst[off + 1 + i] = s.charCodeAt(i);
    return 1 + s.length;
  }
  dst[off] = 16;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    dst[off + 1 + 2 * i] = c >> 8;
    dst[off + 2 + 2 * i] = c & 0xff;
  }
  return 1 + 2 * s.length;
}

/** Longest prefix of `s` (never splitting a surrogate pair) whose OSTA form fits in `maxBytes`. */
export function truncateOsta(s: string, maxBytes: number): Buffer {
  let enc = encodeOsta(s);
  if (enc.length <= maxBytes) return enc;
  const unit = enc[0] === 8 ? 1 : 2;
  let n = Math.floor((maxBytes - 1) / unit);
  if (unit === 2 && n > 0) {
    const last = s.charCodeAt(n - 1);
    if (last >= 0xd800 && last <= 0xdbff) n--;
  }
  enc = encodeOsta(s.slice(0, n));
  // A shorter prefix may fit in 8-bit form; either way it is within maxBytes.
  return enc;
}

/**
 * dstring (ECMA-167 1/7.2.12): OSTA text in a fixed field whose last byte holds the used length.
 * Labels longer than the field are truncated at a character boundary (OSTA UDF §2.1.3); an empty
 * string is all zeros.
 */
export function writeDstring(buf: Buffer, off: number, fieldLen: number, s: string): void {
  buf.fill(0, off, off + fieldLen);
  if (s.length === 0) return;
  const enc = truncateOsta(s, fieldLen - 1);
  enc.copy(buf, off);
  buf[off + fieldLen - 1] = enc.length;
}

// --- Extents and allocation descriptors ---
/** extent_ad (ECMA-167 3/7.1): length in bytes, location in sectors. */
export function writeExtentAd(buf: Buffer, off: number, length: number, location: number): void {
  buf.writeUInt32LE(length >>> 0, off);
  buf.writeUInt32LE(location >>> 0, off + 4);
}

/** Extent types in the top two bits of an allocation descriptor length (ECMA-167 4/14.14.1.1). */
export const ExtentType = { Recorded: 0, NextExtentOfAds: 3 } as const;

/** short_ad (ECMA-167 4/14.14.1): 30-bit length + type, logical block in the ICB's partition. */
export function writeShortAd(buf: Buffer, off: number, length: number, lbn: number, type = 0): void {
  buf.writeUInt32LE(((type << 30) | length) >>> 0, off);
  buf.writeUInt32LE(lbn >>> 0, off + 4);
}

/**
 * long_ad (ECMA-167 4/14.14.2): length, lb_addr (block, partition reference), 6 bytes of
 * implementation use. OSTA UDF §2.3.10.1 puts flags (2) and the UDF Unique ID (4) there.
 */
export function writeLongAd(buf: Buffer, off: number, length: number, lbn: number, partRef: number, uniqueId = 0, type = 0): void {
  buf.writeUInt32LE(((type << 30) | length) >>> 0, off);
  buf.writeUInt32LE(lbn >>> 0, off + 4);
  buf.writeUInt16LE(partRef, off + 8);
  buf.writeUInt16LE(0, off + 10);
  buf.writeUInt32LE(uniqueId >>> 0, off + 12);
}
