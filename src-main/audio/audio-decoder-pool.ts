// Host side of audio decoding: a worker pool (one file per worker) that decodes tracks to raw CD-DA
// files and reads their tags.
import { availableParallelism } from 'node:os';
import { WorkerPool } from '../workers/worker-pool';
import { audioWorkerScript } from './audio-worker-script';
import type { AudioTags } from './audio-tags';
import type { AudioProbe } from './audio-probe';
import type { DecodeResult } from './decode';
import type { DecodePayload, DecodeProgress } from './worker/audio-worker';

export class AudioDecoderPool {
  private readonly pool: WorkerPool;

  constructor(opts: { script?: string | URL; size?: number } = {}) {
    this.pool = new WorkerPool({ script: opts.script ?? audioWorkerScript(), size: opts.size ?? Math.max(1, availableParallelism()) });
  }

  decodeToFile(path: string, out: string, opts: { signal?: AbortSignal; onProgress?: (p: DecodeProgress) => void } = {}): Promise<DecodeResult> {
    return this.pool.run<DecodeResult>('decode', { path, out } satisfies DecodePayload, opts);
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
