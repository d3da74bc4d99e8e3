// CD sector and sub-channel coding the virtual recorder needs to answer READ CD like a drive:
// mode 1 sector framing with EDC/ECC (ECMA-130 §14, Annex A), the Q sub-channel (ECMA-130 §22.3.3),
// raw P-W packing (96 bytes, one byte per sub-channel symbol: bit 7 = P … bit 0 = W) and CD-TEXT packs
// carried in the lead-in R-W channels (Red Book CD-TEXT, 18-byte packs).

const bcd = (n: number): number => (Math.floor(n / 10) << 4) | n % 10;

/** ECMA-130 §22.3.3 MSF of an LBA: absolute time counts from LBA -150 (00:02:00 = LBA 0). */
function msfOf(frames: number): [number, number, number] {
  const v = frames < 0 ? frames + 450000 : frames; // lead-in addresses wrap (MMC-6 §4.2.3.8)
  return [Math.floor(v / 4500) % 100, Math.floor(v / 75) % 60, v % 75];
}

// ---- EDC (ECMA-130 §14.3) ----------------------------------------------------------------------
// P(x) = (x^16+x^15+x^2+1)(x^16+x^2+x+1) = x^32+x^31+x^16+x^15+x^4+x^3+x+1 (8001801Bh). The EDC is
// stored least significant byte first and the bit order is LSB first, so the register runs
// reflected with the bit-reversed polynomial D8018001h.
const EDC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i;
    for (let k = 0; k < 8; k++) r = r & 1 ? (r >>> 1) ^ 0xd8018001 : r >>> 1;
    t[i] = r >>> 0;
  }
  return t;
})();

export function edc(data: Uint8Array, start = 0, end = data.length): number {
  let r = 0;
  for (let i = start; i < end; i++) r = (r >>> 8) ^ EDC_TABLE[(r ^ data[i]) & 0xff];
  return r >>> 0;
}

// ---- RSPC (ECMA-130 Annex A): GF(2^8) with x^8+x^4+x^3+x^2+1, primitive element α = 02h ---------
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
(() => {
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
})();
const mul = (a: number, b: number): number => (a && b ? EXP[LOG[a] + LOG[b]] : 0);
const div = (a: number, b: number): number => (a ? EXP[LOG[a] + 255 - LOG[b]] : 0);
const ALPHA_PLUS_1 = 0x03;

/**
 * Two parity symbols that make both syndromes of a vector zero: Σ v_i = 0 and Σ α^(n-1-i) v_i = 0
 * (check matrix of Annex A: a row of ones over a row α^(n-1) … α 1; the parity sits at n-2, n-1).
 */
function parity(get: (i: number) => number, n: number): [number, number] {
  let a = 0;
  let b = 0;
  for (let i = 0; i < n - 2; i++) {
    const v = get(i);
    a ^= v;
    b ^= mul(v, EXP[n - 1 - i]);
  }
  // S0: p0 + p1 = a; S1: α·p0 + p1 = b  ⇒  p0 = (a + b)/(α + 1), p1 = a + p0.
  const p0 = div(a ^ b, ALPHA_PLUS_1);
  return [p0, a ^ p0];
}

/**
 * Fills bytes 2076–2351 of a sector with P parity (172 bytes) then Q parity (104 bytes) over bytes
 * 12–2075 (Annex A): two interleaved planes (even and odd bytes) of 1170 symbols each; P vectors
 * are the 43 columns of 24+2 symbols, Q vectors the 26 diagonals of 43+2 symbols.
 */
export function fillEcc(s: Uint8Array): void {
  for (let plane = 0; plane < 2; plane++) {
    const at = (n: number) => 12 + 2 * n + plane;
    for (let col = 0; col < 43; col++) {
      const [p0, p1] = parity((r) => s[at(43 * r + col)], 26);
      s[at(1032 + col)] = p0;
      s[at(1075 + col)] = p1;
    }
    for (let diag = 0; diag < 26; diag++) {
      const [q0, q1] = parity((m) => s[at((44 * m + 43 * diag) % 1118)], 45);
      s[at(1118 + diag)] = q0;
      s[at(1144 + diag)] = q1;
    }
  }
}

const SYNC = Uint8Array.from([0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0]);

/** The EDC of s[start, end), stored little-endian right after the bytes it covers (ECMA-130 §14). */
function storeEdc(s: Uint8Array, start: number, end: number): void {
  const e = edc(s, start, end);
  s[end] = e & 0xff;
  s[end + 1] = (e >>> 8) & 0xff;
  s[end + 2] = (e >>> 16) & 0xff;
  s[end + 3] = e >>> 24;
}

/** A complete 2352-byte mode 1 sector (ECMA-130 §14.1): sync, header (MSF BCD + mode 01h), user data, EDC, 8 zero bytes, P and Q parity. */
export function mode1Sector(lba: number, user: Uint8Array): Uint8Array {
  const s = new Uint8Array(2352);
  s.set(SYNC, 0);
  const [m, sec, f] = msfOf(lba + 150);
  s.set([bcd(m), bcd(sec), bcd(f), 1], 12);
  s.set(user.subarray(0, 2048), 16);
  storeEdc(s, 0, 2064);
  fillEcc(s);
  return s;
}

/**
 * A 2352-byte mode 2 form 1 sector (ECMA-130 §14.5): sync, header with mode 02h, the 8-byte
 * sub-header (4 bytes twice; here file 0, channel 0, sub-mode 08h data, coding 0), user data at 24,
 * EDC over bytes 16–2071, then P/Q parity computed with the header taken as zero (§14.5).
 */
export function mode2Form1Sector(lba: number, user: Uint8Array, subHeader = Uint8Array.from([0, 0, 0x08, 0])): Uint8Array {
  const s = new Uint8Array(2352);
  s.set(SYNC, 0);
  s.set(subHeader, 16);
  s.set(subHeader, 20);
  s.set(user.subarray(0, 2048), 24);
  storeEdc(s, 16, 2072);
  fillEcc(s); // header bytes 12–15 are still zero here
  const [m, sec, f] = msfOf(lba + 150);
  s.set([bcd(m), bcd(sec), bcd(f), 2], 12);
  return s;
}

// ---- Q sub-channel (ECMA-130 §22.3.3) ------------------------------------------------------------

/** CRC-16 CCITT (x^16+x^12+x^5+1), register 0, result inverted: Q CRC (§22.3.3.5) and CD-TEXT pack CRC. */
export function crc16Inverted(data: Uint8Array, start = 0, end = data.length): number {
  let r = 0;
  for (let i = start; i < end; i++) {
    r ^= data[i] << 8;
    for (let k = 0; k < 8; k++) r = r & 0x8000 ? ((r << 1) ^ 0x1021) & 0xffff : (r << 1) & 0xffff;
  }
  return ~r & 0xffff;
}

export interface QPosition {
  /** CONTROL nibble of the track. */
  control: number;
  track: number;
  index: number;
  /** Relative time in blocks (in a pause it counts down to the track start, §22.3.3.4). */
  relative: number;
  lba: number;
}

/** 12 bytes of mode 1 Q (ADR 1): CONTROL/ADR, TNO, INDEX, relative MSF, ZERO, absolute MSF (all BCD), CRC MSB first. */
export function qMode1(p: QPosition): Uint8Array {
  const q = new Uint8Array(12);
  const [rm, rs, rf] = msfOf(p.relative);
  const [am, as, af] = msfOf(p.lba + 150);
  q.set([(p.control << 4) | 1, bcd(p.track), bcd(p.index), bcd(rm), bcd(rs), bcd(rf), 0, bcd(am), bcd(as), bcd(af)]);
  const crc = crc16Inverted(q, 0, 10);
  q[10] = crc >> 8;
  q[11] = crc & 0xff;
  return q;
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

// ---- CD-TEXT packs in the lead-in R-W channels ------------------------------------------------------------

/**
 * The four 18-byte packs in one block's R-W channels: 96 six-bit symbols = 72 bytes (Red Book CD-TEXT
 * mode 4; lead-in packs are not interleaved). Only packs of a CD-TEXT type (80h–8Fh) with a correct
 * CRC are returned.
 */
export function cdTextPacksOf(pw: Uint8Array): Uint8Array[] {
  const bytes = new Uint8Array(72);
  for (let i = 0; i < 96; i += 4) {
    const v = ((pw[i] & 0x3f) << 18) | ((pw[i + 1] & 0x3f) << 12) | ((pw[i + 2] & 0x3f) << 6) | (pw[i + 3] & 0x3f);
    const o = (i / 4) * 3;
    bytes[o] = v >> 16;
    bytes[o + 1] = (v >> 8) & 0xff;
    bytes[o + 2] = v & 0xff;
  }
  const packs: Uint8Array[] = [];
  for (let o = 0; o < 72; o += 18) {
    const pk = bytes.slice(o, o + 18);
    if (pk[0] < 0x80 || pk[0] > 0x8f) continue;
    if (crc16Inverted(pk, 0, 16) !== ((pk[16] << 8) | pk[17])) continue;
    packs.push(pk);
  }
  return packs;
}

/** The inverse of cdTextPacksOf: up to four packs into the R-W bits of 96 sub-channel bytes (P and Q zero). */
export function rwOfCdTextPacks(packs: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(72);
  packs.slice(0, 4).forEach((p, i) => bytes.set(p.subarray(0, 18), i * 18));
  const out = new Uint8Array(96);
  for (let i = 0; i < 24; i++) {
    const v = (bytes[i * 3] << 16) | (bytes[i * 3 + 1] << 8) | bytes[i * 3 + 2];
    out.set([(v >> 18) & 0x3f, (v >> 12) & 0x3f, (v >> 6) & 0x3f, v & 0x3f], i * 4);
  }
  return out;
}

/** Sets the CRC of an 18-byte CD-TEXT pack (bytes 16–17, MSB first). */
export function sealCdTextPack(pk: Uint8Array): Uint8Array {
  const c = crc16Inverted(pk, 0, 16);
  pk[16] = c >> 8;
  pk[17] = c & 0xff;
  return pk;
}
