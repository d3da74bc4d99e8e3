// The P and Q sub-channels (ECMA-130 §22.3) and raw P-W packing: 96 bytes a sector, one byte per
// sub-channel symbol (bit 7 = P … bit 0 = W), as RAW-96 writing and READ CD carry them.
import { bcd, LBA_MSF_OFFSET, msfOf } from './msf';

/** CRC-16 CCITT (x^16+x^12+x^5+1), register 0, result inverted: Q CRC (§22.3.3.5) and CD-TEXT pack CRC. */
export function crc16Inverted(data: Uint8Array, start = 0, end = data.length): number {
  let r = 0;
  for (let i = start; i < end; i++) {
    r ^= data[i] << 8;
    for (let k = 0; k < 8; k++) r = r & 0x8000 ? ((r << 1) ^ 0x1021) & 0xffff : (r << 1) & 0xffff;
  }
  return ~r & 0xffff;
}

/** CONTROL nibble bits (§22.3.3.1): 4-channel audio, data track, digital copy permitted, pre-emphasis. */
export const Q_CONTROL = { fourChannel: 0x8, data: 0x4, copyPermitted: 0x2, preEmphasis: 0x1 } as const;

export interface QPosition {
  /** CONTROL nibble of the track. */
  control: number;
  track: number;
  index: number;
  /** Relative time in blocks (in a pause it counts down to the track start, §22.3.3.4). */
  relative: number;
  lba: number;
}

function sealQ(q: Uint8Array): Uint8Array {
  const crc = crc16Inverted(q, 0, 10);
  q[10] = crc >> 8;
  q[11] = crc & 0xff;
  return q;
}

/** 12 bytes of mode 1 Q (ADR 1): CONTROL/ADR, TNO, INDEX, relative MSF, ZERO, absolute MSF (all BCD), CRC MSB first. */
export function qMode1(p: QPosition): Uint8Array {
  const q = new Uint8Array(12);
  const [rm, rs, rf] = msfOf(p.relative);
  const [am, as, af] = msfOf(p.lba + LBA_MSF_OFFSET);
  q.set([(p.control << 4) | 1, bcd(p.track), bcd(p.index), bcd(rm), bcd(rs), bcd(rf), 0, bcd(am), bcd(as), bcd(af)]);
  return sealQ(q);
}

/**
 * 12 bytes of mode 2 Q (ADR 2, §22.3.4): the 13-digit catalogue number (MCN, UPC/EAN) as BCD nibbles,
 * then ZERO, the absolute frame (AFRAME) and the CRC. `mcn` is 13 decimal digits.
 */
export function qMode2Mcn(control: number, mcn: string, lba: number): Uint8Array {
  if (!/^\d{13}$/.test(mcn)) throw new RangeError(`an MCN is 13 digits, got "${mcn}"`);
  const q = new Uint8Array(12);
  q[0] = (control << 4) | 2;
  const digits = [...mcn, '0'].map(Number); // 13 digits + 4 zero bits (§22.3.4: N1…N13, then zero)
  for (let i = 0; i < 7; i++) q[1 + i] = (digits[2 * i] << 4) | digits[2 * i + 1];
  q[8] = 0;
  q[9] = bcd(msfOf(lba + LBA_MSF_OFFSET)[2]);
  return sealQ(q);
}

/** ISRC characters (§22.3.5): 0–9 as 0–9, A–Z as 17–42 (6-bit codes). */
const isrcCode = (c: string): number => (c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 65 + 17);

/** A well-formed ISRC: 2-letter country, 3 alphanumeric owner characters, 2-digit year, 5-digit designation. */
export const ISRC_PATTERN = /^[A-Z]{2}[A-Z0-9]{3}\d{7}$/;

/**
 * 12 bytes of mode 3 Q (ADR 3, §22.3.5): the ISRC — five 6-bit characters (country, owner), two zero
 * bits, then seven BCD digits (year, serial), four zero bits, AFRAME and the CRC.
 */
export function qMode3Isrc(control: number, isrc: string, lba: number): Uint8Array {
  if (!ISRC_PATTERN.test(isrc)) throw new RangeError(`an ISRC is CCOOOYYNNNNN, got "${isrc}"`);
  const q = new Uint8Array(12);
  q[0] = (control << 4) | 3;
  // 30 bits of characters + 2 zero bits = bytes 1–4.
  let bits = 0;
  for (let i = 0; i < 5; i++) bits = bits * 64 + isrcCode(isrc[i]);
  const v = bits * 4; // two zero bits after the characters
  q[1] = Math.floor(v / 2 ** 24) & 0xff;
  q[2] = Math.floor(v / 2 ** 16) & 0xff;
  q[3] = Math.floor(v / 2 ** 8) & 0xff;
  q[4] = v & 0xff;
  const d = [...isrc.slice(5), '0'].map(Number);
  for (let i = 0; i < 4; i++) q[5 + i] = (d[2 * i] << 4) | d[2 * i + 1];
  q[9] = bcd(msfOf(lba + LBA_MSF_OFFSET)[2]);
  return sealQ(q);
}

/** True when the 12 bytes of Q carry a CRC that matches their first 10. */
export function qCrcValid(q: Uint8Array): boolean {
  return crc16Inverted(q, 0, 10) === ((q[10] << 8) | q[11]);
}

/** 96 raw P-W bytes: symbol i carries P in bit 7 and bit i of Q (MSB first) in bit 6; R-W from `rw` (low 6 bits). */
export function packPw(p: boolean, q: Uint8Array, rw?: Uint8Array): Uint8Array {
  const out = new Uint8Array(96);
  for (let i = 0; i < 96; i++) out[i] = (p ? 0x80 : 0) | (((q[i >> 3] >> (7 - (i & 7))) & 1) << 6) | (rw ? rw[i] & 0x3f : 0);
  return out;
}

/** The Q channel (12 bytes) and the P flag (majority of its 96 bits) of raw P-W data. */
export function unpackPq(pw: Uint8Array): { p: boolean; q: Uint8Array } {
  const q = new Uint8Array(12);
  let ones = 0;
  for (let i = 0; i < 96; i++) {
    if (pw[i] & 0x80) ones++;
    if (pw[i] & 0x40) q[i >> 3] |= 0x80 >> (i & 7);
  }
  return { p: ones >= 48, q };
}

/**
 * READ CD formatted Q (Sub-channel Data Selection 010b, MMC-6 §6.19): 16 bytes, the 10 Q data bytes,
 * the CRC, three zero bytes, and the P bit in bit 7 of byte 15.
 */
export function formattedQ(p: boolean, q: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out.set(q.subarray(0, 12), 0);
  if (p) out[15] = 0x80;
  return out;
}
