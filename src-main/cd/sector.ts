// CD data sector framing: mode 1 with EDC/ECC (ECMA-130 §14.1, §14.3, Annex A) and mode 2 form 1
// (§14.5). Pure: the virtual recorder uses it to answer READ CD, a raw (2352-byte) burner to build
// data sectors.
import { bcd, LBA_MSF_OFFSET, msfOf } from './msf';

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
  const [m, sec, f] = msfOf(lba + LBA_MSF_OFFSET);
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
  const [m, sec, f] = msfOf(lba + LBA_MSF_OFFSET);
  s.set([bcd(m), bcd(sec), bcd(f), 2], 12);
  return s;
}
