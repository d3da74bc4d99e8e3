// Bounds-checked big-endian access to drive responses. Every parser reads through ResponseView so
// a short or hostile response becomes a typed MmcResponseError, never a RangeError or a NaN.
import { DriveResponseError, InvalidInputError } from '../common/errors';

/** A drive returned a response we cannot decode (too short, inconsistent lengths …). */
export class MmcResponseError extends DriveResponseError {
  constructor(command: string, message: string, details: Record<string, unknown> = {}) {
    super(`${command}: ${message}`, { command, ...details });
  }
}

export class ResponseView {
  readonly length: number;
  constructor(
    readonly command: string,
    readonly buf: Uint8Array,
  ) {
    this.length = buf.length;
  }

  private check(off: number, n: number): void {
    if (!Number.isInteger(off) || off < 0 || off + n > this.buf.length) {
      throw new MmcResponseError(this.command, `response too short (need ${off + n} bytes, have ${this.buf.length})`);
    }
  }
  /** Throws unless at least n bytes are present. */
  need(n: number, what = 'response'): void {
    if (this.buf.length < n) throw new MmcResponseError(this.command, `${what} too short (need ${n} bytes, have ${this.buf.length})`);
  }
  has(off: number, n = 1): boolean {
    return off >= 0 && off + n <= this.buf.length;
  }
  u8(off: number): number {
    this.check(off, 1);
    return this.buf[off];
  }
  u16(off: number): number {
    this.check(off, 2);
    return (this.buf[off] << 8) | this.buf[off + 1];
  }
  u24(off: number): number {
    this.check(off, 3);
    return (this.buf[off] << 16) | (this.buf[off + 1] << 8) | this.buf[off + 2];
  }
  u32(off: number): number {
    this.check(off, 4);
    return ((this.buf[off] << 24) >>> 0) + ((this.buf[off + 1] << 16) | (this.buf[off + 2] << 8) | this.buf[off + 3]);
  }
  /** Two's-complement 32-bit (LBAs before 0 such as the CD pregap at -150). */
  i32(off: number): number {
    return this.u32(off) | 0;
  }
  bit(off: number, bit: number): boolean {
    return ((this.u8(off) >> bit) & 1) === 1;
  }
  bytes(off: number, n: number): Uint8Array {
    this.check(off, n);
    return this.buf.subarray(off, off + n);
  }
  /** ASCII field with trailing spaces/NULs removed and non-printables replaced. */
  ascii(off: number, n: number): string {
    const b = this.bytes(off, n);
    let s = '';
    for (const c of b) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : c === 0 ? ' ' : '?';
    return s.trim();
  }
  /** Clip a self-declared length to what was actually transferred. */
  clip(declaredEnd: number): number {
    return Math.min(declaredEnd, this.buf.length);
  }
}

// CDB construction helpers.
export function cdb(len: 6 | 10 | 12 | 16, opcode: number): Uint8Array {
  const b = new Uint8Array(len);
  b[0] = opcode;
  return b;
}
export function put16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}
export function put24(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 16) & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = v & 0xff;
}
export function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}
export function rd16(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}
export function rd24(b: Uint8Array, off: number): number {
  return (b[off] << 16) | (b[off + 1] << 8) | b[off + 2];
}
export function rd32(b: Uint8Array, off: number): number {
  return ((b[off] << 24) >>> 0) + ((b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]);
}

/** Validates an integer argument for a CDB field of `bits` width. */
export function checkField(name: string, v: number, bits: number, min = 0): number {
  const max = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new InvalidMediaArgumentError(name, v, min, max);
  }
  return v;
}

export class InvalidMediaArgumentError extends InvalidInputError {
  constructor(name: string, v: number, min: number, max: number) {
    super(`${name} must be an integer in ${min}..${max}, got ${v}`, { name, value: v });
  }
}

/** LBA ↔ MSF for CD (MMC-6 §4.2.3.8: LBA = (M*60 + S)*75 + F - 150 within the program area). */
export function lbaToMsf(lba: number): { m: number; s: number; f: number } {
  const a = lba + 150;
  const v = a < 0 ? a + 450000 : a; // lead-in addresses wrap (MMC-6)
  return { m: Math.floor(v / 4500), s: Math.floor(v / 75) % 60, f: v % 75 };
}
export function msfToLba(m: number, s: number, f: number): number {
  const lba = (m * 60 + s) * 75 + f - 150;
  // Minutes 90..99 address the lead-in (negative LBAs), MMC-6 §4.2.3.8.
  return m >= 90 ? lba - 450000 : lba;
}
export function msfString(m: number, s: number, f: number): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(m)}:${p(s)}:${p(f)}`;
}
