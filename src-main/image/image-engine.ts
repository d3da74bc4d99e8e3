// Host-side proxy of the image engine: builds images in a worker thread (WorkerPool) with
// AbortSignal cancellation, progress events and backpressured streaming. The same engine runs
// in-process through buildImage() (writer/write-image.ts) where no worker is wanted (CLI, tests).
import * as fs from 'node:fs';
import { WorkerPool } from '../workers/worker-pool';
import { GlassmasterError } from '../common/errors';
import type { ImageSpec } from './layout/plan-image';
import type { ImageWorkerProgress } from './worker/image-worker';

export type { ImageWorkerProgress };

export interface ImageEngineOptions {
  /** The worker entry: the built image-worker.js (electron-vite `?modulePath`), or a TS bootstrap in tests. */
  script: string | URL;
  execArgv?: string[];
  /** Concurrent builds (each runs in its own worker thread). */
  size?: number;
}

export interface BuildOptions {
  signal?: AbortSignal;
  onProgress?: (p: ImageWorkerProgress) => void;
  chunkSize?: number;
}

export class ImageEngine {
  private readonly pool: WorkerPool;

  constructor(opts: ImageEngineOptions) {
    this.pool = new WorkerPool({ script: opts.script, execArgv: opts.execArgv, size: opts.size ?? 1 });
  }

  /** Size of the image in 2048-byte sectors, computed without producing any byte. */
  async plan(spec: ImageSpec, opts: { signal?: AbortSignal } = {}): Promise<{ totalSectors: number }> {
    return this.pool.run('plan', { spec }, opts);
  }

  /** The image as a stream of chunks, produced on demand in the worker. */
  build(spec: ImageSpec, opts: BuildOptions = {}): AsyncIterable<Uint8Array> {
    return this.pool.stream('build', { spec, chunkSize: opts.chunkSize }, { signal: opts.signal, onProgress: opts.onProgress });
  }

  /** Writes the image to OUT.partial and renames it to `outPath` only once complete. */
  async writeFile(spec: ImageSpec, outPath: string, opts: BuildOptions = {}): Promise<{ bytes: number }> {
    const partial = `${outPath}.partial`;
    const fd = fs.openSync(partial, 'w');
    let bytes = 0;
    try {
      for await (const chunk of this.build(spec, opts)) {
        let off = 0;
        while (off < chunk.byteLength) off += fs.writeSync(fd, chunk, off, chunk.byteLength - off);
        bytes += chunk.byteLength;
      }
      fs.closeSync(fd);
      fs.renameSync(partial, outPath);
      return { bytes };
    } catch (err) {
      try { fs.closeSync(fd); } catch { /* already closed */ }
      fs.rmSync(partial, { force: true });
      throw GlassmasterError.from(err);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
