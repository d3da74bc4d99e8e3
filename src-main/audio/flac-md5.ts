// STREAMINFO's MD5 (RFC 9639 §8.2: the MD5 of the decoded samples, interleaved, each signed
// little-endian in ⌈bits / 8⌉ bytes) checked against a CD-DA file decoded from a FLAC file in shares
// (flac-split.ts): libFLAC checks it while decoding a whole file, but each share's decoder sees only
// part of the stream, so the pool checks the joined file afterwards (in a worker: `flacMd5`).
// Only what splitFlac splits is handled: 44.1 kHz, ≤ 16 bits, mono or stereo, whose CD-DA samples
// are the FLAC samples shifted to 16 bits (mono doubled).
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { CancelledError, IoError } from '../common/errors';

export interface FlacMd5Payload {
  /** The source, for messages. */
  path: string;
  /** The decoded CD-DA file. */
  out: string;
  md5: string;
  channels: number;
  bits: number;
}

const CHUNK = 1 << 20;

/** True when the CD-DA file `out` holds exactly the samples whose MD5 STREAMINFO states. */
export async function cddaMatchesFlacMd5(p: FlacMd5Payload, signal?: AbortSignal): Promise<boolean> {
  const hash = createHash('md5');
  let fh;
  try {
    fh = await open(p.out, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new IoError(`cannot open ${p.out}: ${e.message}`, { errno: e.code, path: p.out, syscall: e.syscall, cause: err });
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const samples = new Int16Array(buf.buffer, buf.byteOffset, CHUNK / 2);
    const bytesPer = p.bits <= 8 ? 1 : 2;
    const shift = 16 - p.bits;
    const packed = Buffer.allocUnsafe((CHUNK / 4) * p.channels * bytesPer);
    for (let pos = 0; ; ) {
      if (signal?.aborted) throw new CancelledError();
      let n: number;
      try {
        n = (await fh.read(buf, 0, CHUNK, pos)).bytesRead;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new IoError(`cannot read ${p.out}: ${e.message}`, { errno: e.code, path: p.out, syscall: e.syscall, cause: err });
      }
      if (n === 0) break;
      if (p.channels === 2 && p.bits === 16) {
        // The CD-DA bytes are the FLAC samples as the MD5 takes them.
        hash.update(buf.subarray(0, n));
        pos += n;
        continue;
      }
      // Whole frames only (a short read continues at the frame it cut).
      const frames = n >> 2;
      if (frames === 0) return false; // a file of partial frames is no decode of this stream
      pos += frames * 4;
      let o = 0;
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < p.channels; c++) {
          const v = samples[2 * i + c] >> shift;
          if (bytesPer === 1) packed[o++] = v & 0xff;
          else {
            packed[o++] = v & 0xff;
            packed[o++] = (v >> 8) & 0xff;
          }
        }
      }
      hash.update(packed.subarray(0, o));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex') === p.md5;
}
