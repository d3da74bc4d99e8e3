// Host side of audio decoding: a worker pool (one file per worker) that decodes tracks to raw CD-DA
// files and reads their tags.
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { InvalidInputError, IoError, isCancelledError } from '../common/errors';
import { WorkerPool } from '../workers/worker-pool';
import { audioWorkerScript } from './audio-worker-script';
import { flacBackend } from './flac-backend';
import { splitFlac } from './flac-split';
import type { AudioTags } from './audio-tags';
import type { AudioProbe } from './audio-probe';
import type { DecodeResult } from './decode';
import { CddaMd5 } from './flac-md5';
import type { DecodePayload, DecodeProgress } from './worker/audio-worker';

export class AudioDecoderPool {
  private readonly pool: WorkerPool;
  /** decodeToFile calls in flight: a file is split only when it is decoded alone (see there). */
  private decoding = 0;

  constructor(opts: { script?: string | URL; size?: number } = {}) {
    this.pool = new WorkerPool({ script: opts.script ?? audioWorkerScript(), size: opts.size ?? Math.max(1, availableParallelism()) });
  }

  /**
   * Decodes `path` to the raw CD-DA file `out`. A large FLAC file is cut at frame boundaries into
   * one share per worker (flac-split.ts), the shares decoded at once into their places in `out`;
   * the result is the same file, byte for byte, as a decode in one piece — checked here: every share
   * must end exactly where the next begins and all of them add up to STREAMINFO's total, and (when
   * the system's libFLAC decoded them) the joined samples must match STREAMINFO's MD5, which libFLAC
   * checks itself when it decodes a whole file.
   *
   * A file is split only while it is the only one being decoded: with several files in flight every
   * worker is busy anyway, and a whole file needs no second pass for its MD5.
   */
  async decodeToFile(path: string, out: string, opts: { signal?: AbortSignal; onProgress?: (p: DecodeProgress) => void } = {}): Promise<DecodeResult> {
    this.decoding++;
    try {
      return await this.decodeOne(path, out, opts);
    } finally {
      this.decoding--;
    }
  }

  private async decodeOne(path: string, out: string, opts: { signal?: AbortSignal; onProgress?: (p: DecodeProgress) => void }): Promise<DecodeResult> {
    const alone = () => this.decoding === 1;
    const split = this.pool.size > 1 && alone() ? await splitFlac(path, this.pool.size) : undefined;
    // Checked again after the split's reads: other files may have arrived meanwhile.
    if (!split || !alone()) return this.pool.run<DecodeResult>('decode', { path, out } satisfies DecodePayload, opts);
    let fh;
    try {
      // Created empty; the shares' positional writes give it its length (never sized from
      // STREAMINFO, which a damaged file may overstate).
      fh = await open(out, 'w');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new IoError(`cannot create ${out}: ${e.message}`, { errno: e.code, path: out, syscall: e.syscall, cause: err });
    } finally {
      await fh?.close();
    }
    const { shares, info } = split;
    const done = shares.map(() => 0);
    const lengths = shares.map((s, i) => (i + 1 < shares.length ? shares[i + 1].firstSample : info.totalSamples) - s.firstSample);
    // STREAMINFO's MD5 of the joined output (the system libFLAC checks a whole file itself), hashed
    // here as far as the shares have written from the start while they decode (flac-md5.ts). Used
    // only when the workers run the system libFLAC: the WASM path does not check the MD5.
    const md5 = flacBackend() === 'libflac' && !/^0+$/.test(info.md5) ? new CddaMd5(out, info.channels, info.bitsPerSample) : undefined;
    const written = () => {
      let bytes = 0;
      for (let i = 0; i < shares.length; i++) {
        bytes += done[i] * 4;
        if (done[i] < lengths[i]) break;
      }
      return bytes;
    };
    // One share failing (or the caller cancelling) stops the others: nothing keeps writing into `out`.
    const stop = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
    let settled: PromiseSettledResult<DecodeResult>[];
    try {
      settled = await Promise.allSettled(
        shares.map((share, i) =>
          this.pool
            .run<DecodeResult>('decode', { path, out, share } satisfies DecodePayload, {
              signal,
              onProgress: (p: DecodeProgress) => {
                done[i] = p.samples;
                md5?.advance(written());
                opts.onProgress?.({ samples: done.reduce((a, b) => a + b, 0) });
              },
            })
            .then((r) => {
              done[i] = r.samples;
              md5?.advance(written());
              return r;
            })
            .catch((e: unknown) => {
              stop.abort();
              throw e;
            }),
        ),
      );
    } catch (e) {
      await md5?.close();
      throw e;
    }
    try {
      // Every share has settled, so nothing writes into `out` any more; the cause, not the cancels it caused.
      const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      if (failures.length) throw failures.find((e) => !isCancelledError(e)) ?? failures[0];
      const results = settled.map((r) => (r as PromiseFulfilledResult<DecodeResult>).value);
      for (let i = 0; i < shares.length; i++) {
        // Only 44.1 kHz files of ≤ 16 bits are split (splitFlac): their CD-DA samples are their FLAC samples.
        if (results[i].samples !== lengths[i]) {
          throw new InvalidInputError(`${path}: it is damaged: frames ${shares[i].from}…${shares[i].to} decoded to ${results[i].samples} samples, ${lengths[i]} expected`, { path, reason: 'corrupt' });
        }
      }
      if (md5 && (await md5.digest(info.totalSamples * 4)) !== info.md5) {
        throw new InvalidInputError(`${path}: it is damaged: the decoded audio does not match the MD5 signature in its STREAMINFO`, { path, reason: 'corrupt' });
      }
      return { ...results[0], samples: info.totalSamples };
    } finally {
      await md5?.close();
    }
  }

  readTags(path: string, signal?: AbortSignal): Promise<AudioTags> {
    return this.pool.run<AudioTags>('tags', { path }, { signal });
  }

  /** Format, length at 44.1 kHz and tags, without decoding (see the worker's probe). */
  probe(path: string, signal?: AbortSignal): Promise<AudioProbe> {
    return this.pool.run<AudioProbe>('probe', { path }, { signal });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
