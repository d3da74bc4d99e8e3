// The one image-output service: the app, the CLI and the burner build images only through it.
// Everything that touches files runs in the engine's worker threads (worker/image-worker.ts):
// scanning the sources, planning, reading file data and writing the output, so the caller's
// thread (the Electron main process) never blocks on file I/O. It plans once, then either
//  - source(): the image as a ByteSource (byte-source.ts), produced in a worker as the consumer
//    pulls (credit-based backpressure: a bounded number of chunks ahead), for the burner and stdout;
//  - writeFile(): the fast path to a file: files placed as the scan finds them, their data copied
//    by a second thread with positional writes while the metadata is encoded, the output's partial
//    renamed to OUT only once complete. What OUT may be is decided here first (output-file.ts).
import { rm } from 'node:fs/promises';
import { MessageChannel } from 'node:worker_threads';
import { WorkerPool, type RunOptions } from '../workers/worker-pool';
import { CancelledError, GlassmasterError, InternalError, InvalidInputError } from '../common/errors';
import { DATA_SECTOR, type ByteSource } from './byte-source';
import { SequentialSource } from './byte-source/sequential-source';
import type { BuildPayload, ImageInput, ImageWorkerProgress, WriteFilePayload } from './worker/image-worker';
import type { DiscSessionPayload } from './worker/disc-session-task';
import { serveBlockReader } from './worker/remote-block-reader';
import type { BlockReader } from './reader/block-reader';
import type { PreflightReport } from './preflight';
import type { BootReport } from './reader/boot';
import type { ScanPayload, ScanResult } from './staging/scan-task';
import { holdPartial, planOutput } from './output-file';
import { requestInputs } from './image-spec';

export type { ImageWorkerProgress, ImageInput };

export interface ImageEngineOptions {
  /** The worker entry: the built image-worker.js (electron-vite `?modulePath`), or a TS bootstrap in tests. */
  script: string | URL;
  execArgv?: string[];
  /** Concurrent builds (each runs in its own worker thread; a file build adds a copier thread). */
  size?: number;
}

export interface BuildOptions {
  signal?: AbortSignal;
  /** writeFile to a block or character device: write the image onto it in place (else refused). */
  toDevice?: boolean;
  /** writeFile over a regular file already there: replace it (default), or refuse (UnsafeOutputError 'exists', nothing written). */
  existing?: 'replace' | 'refuse';
  /** With existing 'refuse': what the refusal tells the user to do (the CLI: "add --force to replace it"). */
  existingHint?: string;
  onProgress?: (p: ImageWorkerProgress) => void;
  /** Bytes per chunk the worker produces (a multiple of 2048; default 1 MiB). */
  chunkSize?: number;
}

export class ImageEngine {
  private readonly pool: WorkerPool;

  constructor(opts: ImageEngineOptions) {
    this.pool = new WorkerPool({ script: opts.script, execArgv: opts.execArgv, size: opts.size ?? 1 });
  }

  /** Starts the worker thread(s) now (WorkerPool.prestart): their start-up overlaps the caller's. */
  prestart(): this {
    this.pool.prestart();
    return this;
  }

  /** Size of the image in 2048-byte sectors (a session: from its start LBA), computed without producing any byte. */
  async plan(spec: ImageInput, opts: { signal?: AbortSignal } = {}): Promise<{ totalSectors: number; startLba: number }> {
    return this.pool.run('plan', { spec }, opts);
  }

  /** The image as a stream of chunks, produced on demand in the worker. */
  build(spec: ImageInput, opts: BuildOptions = {}): AsyncGenerator<Uint8Array, unknown> {
    return this.pool.stream('build', { spec, chunkSize: opts.chunkSize }, { signal: opts.signal, onProgress: opts.onProgress });
  }

  /**
   * The planned image as a ByteSource (2048-byte sectors; a session: its own sectors). Resolves
   * once the worker has planned it (totalSectors known); rejects with the planning error.
   */
  async source(
    spec: ImageInput,
    opts: Omit<BuildOptions, 'signal'> & { signal?: AbortSignal; description?: string; /** A burn's checksum manifest, staged in the worker (BuildPayload.manifest). */ manifest?: boolean | string } = {},
  ): Promise<ByteSource> {
    const payload: BuildPayload = { spec, chunkSize: opts.chunkSize, manifest: opts.manifest };
    return (await this.streamedSource('build', payload, opts.description ?? describe(spec), opts)).source;
  }

  /**
   * The next session of the disc whose sectors `reader` reads (on this thread: the drive lives here),
   * imported, merged, planned and produced in a worker (worker/disc-session-task.ts): this thread
   * only answers the worker's reads and takes the chunks. Resolves once planned, with where the
   * session starts.
   */
  async discSessionSource(payload: Omit<DiscSessionPayload, 'port' | 'sectorCount'>, reader: BlockReader, opts: { signal?: AbortSignal; description?: string } = {}): Promise<{ source: ByteSource; startLba: number }> {
    const { port1, port2 } = new MessageChannel();
    serveBlockReader(reader, port1, opts.signal);
    try {
      const full: DiscSessionPayload = { ...payload, port: port2, sectorCount: reader.sectorCount };
      const r = await this.streamedSource('discSession', full, opts.description ?? 'the next session', { ...opts, transfer: [port2], onEnd: () => port1.close() });
      return { source: r.source, startLba: r.startLba! };
    } catch (err) {
      port1.close();
      throw err;
    }
  }

  private async streamedSource(
    task: string, payload: unknown, description: string,
    opts: { signal?: AbortSignal; onProgress?: (p: ImageWorkerProgress) => void; transfer?: RunOptions['transfer']; onEnd?: () => void },
  ): Promise<{ source: ByteSource; startLba?: number }> {
    const stop = new AbortController();
    const onOuterAbort = () => stop.abort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let planned: (n: number) => void = () => undefined;
    let startLba: number | undefined;
    const totalSectors = new Promise<number>((resolve) => (planned = resolve));
    const chunks = this.pool.stream(task, payload, {
      signal: stop.signal,
      transfer: opts.transfer,
      onProgress: (p: ImageWorkerProgress | { phase: 'planned'; totalSectors: number; startLba?: number }) => {
        if (p.phase === 'planned') {
          startLba = (p as { startLba?: number }).startLba;
          planned(p.totalSectors);
        }
        opts.onProgress?.(p as ImageWorkerProgress);
      },
    });
    // The first pull starts the job; it settles with the first chunk (or the failure).
    const first = chunks.next();
    first.catch(() => undefined);
    try {
      const total = await Promise.race([totalSectors, first.then(() => totalSectors)]);
      const detach = () => {
        opts.signal?.removeEventListener('abort', onOuterAbort);
        opts.onEnd?.();
      };
      return { source: new PlannedImageSource(chunks, first, total, stop, detach, description), startLba };
    } catch (err) {
      opts.signal?.removeEventListener('abort', onOuterAbort);
      opts.onEnd?.();
      stop.abort();
      throw GlassmasterError.from(err);
    }
  }

  /**
   * Writes the image to `outPath` (output-file.ts decides first what it may be: never an input, a
   * device only with `toDevice`, a symbolic link written through): a file through its partial,
   * renamed only once complete; a device in place.
   */
  async writeFile(spec: ImageInput, outPath: string, opts: BuildOptions = {}): Promise<{ bytes: number; totalSectors: number }> {
    let release = () => undefined as unknown;
    let partial: string | undefined;
    try {
      const out = await planOutput(outPath, {
        inputs: 'options' in spec ? requestInputs(spec) : [],
        device: opts.toDevice ? 'in-place' : 'refuse',
        deviceHint: 'to write the image onto it (every byte on it is replaced), add --to-device',
        fifoHint: 'to stream an image, use -o - and a pipe',
        existing: opts.existing,
        existingHint: opts.existingHint,
      });
      partial = out.partial;
      release = holdPartial(out);
      const payload: WriteFilePayload = { spec, out, chunkSize: opts.chunkSize };
      return await this.pool.run('writeFile', payload, { signal: opts.signal, onProgress: opts.onProgress });
    } catch (err) {
      // The worker removes its partial itself, unless it was terminated (a cancel it did not see
      // within the pool's grace, e.g. in the middle of a long scan, or a crash): then it is ours to remove.
      if (partial !== undefined) await rm(partial, { force: true }).catch(() => undefined);
      throw GlassmasterError.from(err);
    } finally {
      release();
    }
  }

  /**
   * Reads a host file, folder (recursively) or symlink into a staged subtree in a worker (the
   * project's `addPaths`): the walk and every stat happen there; the caller receives the finished
   * subtree packed (`unpackTreeSliced` rebuilds it without holding its event loop). Errors are the
   * staging tree's (IoError, InvalidInputError).
   * With `keep`, and only with one worker (so every later job runs where the scan is held), the
   * worker holds the scanned nodes and `scan` is their id: a packed tree may then refer to them
   * (staging/scan-cache.ts) until releaseScans.
   */
  async scan(hostPath: string, opts: { followSymlinks?: boolean; keep?: boolean; signal?: AbortSignal } = {}): Promise<ScanResult> {
    const payload: ScanPayload = { hostPath, followSymlinks: opts.followSymlinks, keep: opts.keep === true && this.pool.size === 1 };
    try {
      return await this.pool.run<ScanResult>('scan', payload, { signal: opts.signal });
    } catch (err) {
      throw GlassmasterError.from(err);
    }
  }

  /** Lets the worker drop scans held for references (scan-cache.ts); a later reference to one is refused, never wrong. */
  async releaseScans(scans: string[]): Promise<void> {
    if (scans.length) await this.pool.run('releaseScans', { scans });
  }

  /** Preflight of a request's staged tree (packedRoot or root) with its options, against maxSectors, in a worker. */
  async preflight(spec: ImageInput, opts: { maxSectors?: number; signal?: AbortSignal } = {}): Promise<PreflightReport> {
    if (!('options' in spec)) throw new InvalidInputError('preflight needs an ImageRequest');
    try {
      return await this.pool.run<PreflightReport>('preflight', { spec, options: spec.options, maxSectors: opts.maxSectors }, { signal: opts.signal });
    } catch (err) {
      throw GlassmasterError.from(err);
    }
  }

  /** SHA-256 (hex) of each host file, in order, hashed in a worker (the burn's checksum manifest: image/worker/hash-files-task.ts). */
  async hashFiles(paths: string[], opts: { signal?: AbortSignal } = {}): Promise<string[]> {
    try {
      return await this.pool.run<string[]>('hashFiles', { paths }, { signal: opts.signal });
    } catch (err) {
      throw GlassmasterError.from(err);
    }
  }

  /** The boot inspection (reader/boot.ts) of an image file, read in a worker. */
  async inspectBoot(path: string, opts: { signal?: AbortSignal } = {}): Promise<BootReport> {
    try {
      return await this.pool.run<BootReport>('inspectBoot', { path }, { signal: opts.signal });
    } catch (err) {
      throw GlassmasterError.from(err);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function describe(spec: ImageInput): string {
  if ('options' in spec) {
    const label = spec.options.label ?? 'CDROM';
    const n = spec.sources?.length ?? 0;
    return `image "${label}"${n ? ` of ${n} source${n === 1 ? '' : 's'}` : ''}`;
  }
  return `image "${spec.label ?? 'CDROM'}"`;
}

/**
 * Whole sectors out of the worker's chunks: a chunk larger than a read asks for is handed out in
 * parts (the rest kept for the next read); the worker runs at most the pool's stream credit ahead.
 */
class PlannedImageSource extends SequentialSource {
  private rest: Uint8Array | undefined;
  private firstPull: Promise<IteratorResult<Uint8Array, unknown>> | undefined;
  /** The worker's job ended (after the last sector): nothing is left to stop. */
  private jobDone = false;

  constructor(
    private readonly chunks: AsyncGenerator<Uint8Array, unknown>,
    first: Promise<IteratorResult<Uint8Array, unknown>>,
    totalSectors: number,
    private readonly stop: AbortController,
    private readonly detach: () => void,
    readonly description: string,
  ) {
    // No chunk limit of its own: a read hands out at most the worker's chunk (the rest is kept).
    super(DATA_SECTOR, totalSectors, Number.MAX_SAFE_INTEGER);
    this.firstPull = first;
  }

  protected produce(first: number, count: number, signal?: AbortSignal): Promise<Uint8Array> {
    return this.whileWorking(signal, async () => {
      if (!this.rest || this.rest.byteLength === 0) {
        const r = await this.pull();
        if (this.isCancelled()) throw new CancelledError();
        if (r.done) throw new InternalError(`the image worker ended after ${first} of ${this.totalSectors} sectors`);
        if (r.value.byteLength % DATA_SECTOR !== 0) throw new InternalError('the image worker produced a partial sector');
        this.rest = r.value;
      }
      const n = Math.min(count * DATA_SECTOR, this.rest.byteLength);
      const out = this.rest.subarray(0, n);
      this.rest = this.rest.subarray(n);
      return out;
    });
  }

  protected override finish(signal?: AbortSignal): Promise<void> {
    return this.whileWorking(signal, async () => {
      // The worker's job must end too (it reports failures found after the last byte, e.g. a changed file).
      const last = await this.pull();
      if (!last.done) throw new InternalError(`the image worker produced more than the planned ${this.totalSectors} sectors`);
      this.jobDone = true;
    });
  }

  /**
   * Runs a step that waits on the worker: an abort of the consumer's signal meanwhile cancels the
   * source at once (the worker stops); a failure is the worker's own (a GlassmasterError), or
   * CancelledError when the consumer cancelled.
   */
  private async whileWorking<T>(signal: AbortSignal | undefined, step: () => Promise<T>): Promise<T> {
    const onAbort = () => void this.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await step();
    } catch (err) {
      if (this.isCancelled() || signal?.aborted === true) throw err instanceof CancelledError ? err : new CancelledError();
      throw GlassmasterError.from(err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private pull(): Promise<IteratorResult<Uint8Array, unknown>> {
    const p = this.firstPull ?? this.chunks.next();
    this.firstPull = undefined;
    return p;
  }

  protected async release(): Promise<void> {
    this.rest = undefined;
    if (this.jobDone) return this.detach();
    // Aborting the job makes the worker stop (the pool terminates it if it does not within its grace).
    this.stop.abort();
    this.detach();
    await this.chunks.return(undefined).catch(() => undefined);
  }
}
