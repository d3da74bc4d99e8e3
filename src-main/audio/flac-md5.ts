// STREAMINFO's MD5 (RFC 9639 §8.2: the MD5 of the decoded samples, interleaved, each signed
// little-endian in ⌈bits / 8⌉ bytes) checked against a CD-DA file decoded from a FLAC file in shares
// (flac-split.ts): libFLAC checks it while decoding a whole file, but each share's decoder sees only
// part of the stream, so the pool hashes the joined file itself — while the shares are still being
// decoded, as far as the bytes written so far reach from the start (each share's progress), so
// that little is left to hash once the last share is done.
// Only what splitFlac splits is handled: 44.1 kHz, ≤ 16 bits, mono or stereo, whose CD-DA samples
// are the FLAC samples shifted to 16 bits (mono doubled).
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { IoError } from '../common/errors';

const CHUNK = 1 << 20;

export class CddaMd5 {
  private readonly hash = createHash('md5');
  /** Bytes of `out` hashed so far, and how far the bytes written reach. */
  private hashed = 0;
  private target = 0;
  private busy?: Promise<void>;
  private failure?: unknown;
  private fh?: FileHandle;
  private buf?: Buffer;
  private packed?: Buffer;

  constructor(
    private readonly out: string,
    private readonly channels: number,
    private readonly bits: number,
  ) {}

  /** The first `bytes` bytes of the output are written: hash them (in the background, in order). */
  advance(bytes: number): void {
    if (bytes > this.target) this.target = bytes;
    this.busy ??= this.pump().finally(() => (this.busy = undefined));
  }

  /** The MD5 of the first `total` bytes (all written by now), lowercase hex. */
  async digest(total: number): Promise<string> {
    while (this.hashed < total && this.failure === undefined) {
      const before = this.hashed;
      this.advance(total);
      await this.busy;
      // The file ends before `total` bytes: it holds fewer samples than that, so no MD5 matches.
      if (this.hashed === before && this.failure === undefined) return '';
    }
    if (this.failure !== undefined) throw this.failure;
    return this.hash.digest('hex');
  }

  /** Stops hashing and closes the file (also after a failure or cancel). */
  async close(): Promise<void> {
    this.target = 0;
    while (this.busy) await this.busy;
    await this.fh?.close();
    this.fh = undefined;
  }

  private async pump(): Promise<void> {
    try {
      while (this.hashed < this.target) {
        this.fh ??= await open(this.out, 'r');
        this.buf ??= Buffer.allocUnsafe(CHUNK);
        const want = Math.min(CHUNK, this.target - this.hashed);
        const n = (await this.fh.read(this.buf, 0, want, this.hashed)).bytesRead;
        // Whole frames only (a short read continues at the frame it cut); nothing read: not yet there.
        const whole = n - (n % 4);
        if (whole === 0) return;
        this.update(this.buf.subarray(0, whole));
        this.hashed += whole;
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      this.failure = new IoError(`cannot read ${this.out}: ${e.message}`, { errno: e.code, path: this.out, syscall: e.syscall, cause: err });
    }
  }

  private update(cdda: Buffer): void {
    if (this.channels === 2 && this.bits === 16) {
      // The CD-DA bytes are the FLAC samples as the MD5 takes them.
      this.hash.update(cdda);
      return;
    }
    const samples = new Int16Array(cdda.buffer, cdda.byteOffset, cdda.length / 2);
    const bytesPer = this.bits <= 8 ? 1 : 2;
    const shift = 16 - this.bits;
    this.packed ??= Buffer.allocUnsafe(CHUNK);
    const packed = this.packed;
    let o = 0;
    for (let i = 0; i < samples.length; i += 2) {
      for (let c = 0; c < this.channels; c++) {
        const v = samples[i + c] >> shift;
        packed[o++] = v & 0xff;
        if (bytesPer === 2) packed[o++] = (v >> 8) & 0xff;
      }
    }
    this.hash.update(packed.subarray(0, o));
  }
}
