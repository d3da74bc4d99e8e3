// Host side of the worker pool: a fixed number of worker threads, one job each at a time, a FIFO
// queue, AbortSignal cancellation, progress events, credit-based streaming, and replacement of a
// worker that crashes (its job fails with a typed error; the pool keeps serving).
import { isMainThread, Worker, type TransferListItem } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { CancelledError, GlassmasterError, InternalError } from '../common/errors';
import type { HostToWorker, WorkerToHost } from './protocol';

export interface WorkerPoolOptions {
  /** The worker entry (a built .js file, or a .ts file with execArgv ['--import', 'tsx']). */
  script: string | URL;
  size?: number;
  execArgv?: string[];
  /** How long a cancelled job may take to stop before its worker is terminated. */
  cancelGraceMs?: number;
  /** Chunks a stream may have in flight before the worker waits (backpressure). */
  streamCredit?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (data: any) => void;
  /** Objects in the payload moved to the worker, not copied (a MessagePort the task talks back through). */
  transfer?: readonly TransferListItem[];
}

interface Job {
  id: number;
  task: string;
  payload: unknown;
  opts: RunOptions;
  stream: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  onChunk?: (chunk: Uint8Array) => void;
  slot?: Slot;
  cancelTimer?: NodeJS.Timeout;
  detachAbort?: () => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

let compileSet = false;

/**
 * On a machine of one or two cores, every worker thread started after the first pool's first
 * worker (the pools' own, and any other Worker made later in the process) compiles its optimized
 * code itself instead of handing it to V8's background compiler threads. Their jobs are long
 * batches (an image build keeps both cores busy: planning on one, reading and copying on the
 * other), so background compiles only compete with them for the same cores, and cost more in all.
 * 50,000 small files, rotating rounds of `glassmaster image` on 2 cores: 2.94 → 2.68 CPU s at the
 * same wall time (1.68 / 1.66 s) on Node 20, 2.98 → 2.65 CPU s and 1.69 → 1.61 s on Node 24;
 * 2,000 files of 1 MiB: 2.53 → 2.29 CPU s, 1.61 → 1.47 s. With more cores the background threads
 * have cores of their own and take that time off the job, so nothing changes there.
 *
 * V8 reads the flag when it creates an isolate (its compile dispatcher): the main thread, created
 * before, keeps its background compiles, so the UI's event loop is not held up by a compile.
 * Checked with --trace-opt on Node 20 (V8 11.3) and Node 24 (V8 13.6): after the call the main
 * thread's compiles stay ConcurrencyMode::kConcurrent, a new worker's are kSynchronous. Not on
 * Electron, whose V8 was not checked: its main process keeps V8's defaults. Only the main thread
 * sets it (workers inherit it; the image worker's own copier pool needs no second call). A GC flag
 * could not be changed this way: changing one while a collection runs can end the process.
 */
function workersCompileTheirOwnCode(): void {
  if (compileSet || !isMainThread) return;
  compileSet = true;
  if (process.versions.electron === undefined && availableParallelism() <= 2) setFlagsFromString('--no-concurrent-recompilation');
}

export class WorkerPool {
  private readonly opts: Required<Omit<WorkerPoolOptions, 'execArgv'>> & { execArgv?: string[] };
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: WorkerPoolOptions) {
    this.opts = {
      size: Math.max(1, Math.min(4, availableParallelism() - 1)),
      cancelGraceMs: 2000,
      streamCredit: 8,
      ...opts,
    };
  }

  get size(): number {
    return this.opts.size;
  }

  /**
   * Starts every worker thread now instead of with the first job, so their start-up (a Node
   * environment and the script's code) overlaps whatever the caller does before its first job.
   * Idle workers do not keep the process alive.
   */
  prestart(): void {
    if (this.closed) return;
    while (this.slots.length < this.opts.size) this.spawn();
  }

  run<T>(task: string, payload: unknown, opts: RunOptions = {}): Promise<T> {
    return this.submit(task, payload, opts, false) as Promise<T>;
  }

  /** Runs a task that writes chunks with ctx.write(); the iterator pulls them with backpressure. */
  async *stream(task: string, payload: unknown, opts: RunOptions = {}): AsyncGenerator<Uint8Array, unknown> {
    const chunks: Uint8Array[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    let result: unknown;
    const jobRef: { job?: Job } = {};
    const done = this.submit(task, payload, opts, true, (chunk) => {
      chunks.push(chunk);
      wake?.();
    }, jobRef).then(
      (r) => { result = r; finished = true; wake?.(); },
      (e) => { failure = e; finished = true; wake?.(); },
    );
    try {
      while (true) {
        if (chunks.length > 0) {
          const chunk = chunks.shift()!;
          const job = jobRef.job;
          if (job?.slot) this.post(job.slot, { type: 'credit', id: job.id, n: 1 });
          yield chunk;
          continue;
        }
        if (finished) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      await done;
      if (failure) throw failure;
      return result;
    } finally {
      // A consumer that stops early cancels the job.
      if (!finished && jobRef.job) this.cancel(jobRef.job);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new CancelledError('worker pool closed'));
    await Promise.all(this.slots.splice(0).map((s) => {
      s.job?.reject(new CancelledError('worker pool closed'));
      return s.worker.terminate();
    }));
  }

  private submit(task: string, payload: unknown, opts: RunOptions, stream: boolean, onChunk?: (c: Uint8Array) => void, ref?: { job?: Job }): Promise<unknown> {
    if (this.closed) return Promise.reject(new CancelledError('worker pool closed'));
    if (opts.signal?.aborted) return Promise.reject(new CancelledError());
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, task, payload, opts, stream, resolve, reject, onChunk };
      if (ref) ref.job = job;
      if (opts.signal) {
        const onAbort = () => this.cancel(job);
        opts.signal.addEventListener('abort', onAbort, { once: true });
        job.detachAbort = () => opts.signal!.removeEventListener('abort', onAbort);
      }
      this.queue.push(job);
      this.pump();
    });
  }

  private cancel(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(job, undefined, new CancelledError());
      return;
    }
    const slot = job.slot;
    if (!slot || job.cancelTimer) return;
    this.post(slot, { type: 'cancel', id: job.id });
    // Cooperative first; a worker stuck in synchronous code is terminated after the grace period.
    job.cancelTimer = setTimeout(() => {
      if (slot.job !== job) return;
      this.settle(job, undefined, new CancelledError());
      this.replace(slot);
    }, this.opts.cancelGraceMs);
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.opts.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      job.slot = slot;
      // A busy worker keeps the process alive; an idle one must not (see spawn()).
      slot.worker.ref();
      this.post(slot, { type: 'run', id: job.id, task: job.task, payload: job.payload, stream: job.stream, credit: this.opts.streamCredit }, job.opts.transfer);
    }
  }

  private spawn(): Slot {
    workersCompileTheirOwnCode();
    const worker = new Worker(this.opts.script, { execArgv: this.opts.execArgv });
    const slot: Slot = { worker };
    worker.on('message', (msg: WorkerToHost) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.onCrash(slot, err));
    worker.on('exit', (code) => this.onCrash(slot, new Error(`worker exited with code ${code}`)));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot, msg: WorkerToHost): void {
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    switch (msg.type) {
      case 'progress':
        job.opts.onProgress?.(msg.data);
        break;
      case 'chunk':
        job.onChunk?.(msg.chunk);
        break;
      case 'done':
        slot.job = undefined;
        this.settle(job, msg.result);
        this.pump();
        break;
      case 'error':
        slot.job = undefined;
        this.settle(job, undefined, msg.error.code === 'CANCELLED' ? new CancelledError() : GlassmasterError.fromJSON(msg.error));
        this.pump();
        break;
    }
  }

  private onCrash(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // already replaced or closed
    this.slots.splice(index, 1);
    if (slot.job) this.settle(slot.job, undefined, new InternalError(`worker crashed: ${err.message}`, { cause: err }));
    slot.job = undefined;
    if (!this.closed) this.pump();
  }

  private replace(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    slot.job = undefined;
    void slot.worker.terminate();
    this.pump();
  }

  private settle(job: Job, value: unknown, error?: unknown): void {
    if (job.cancelTimer) clearTimeout(job.cancelTimer);
    job.slot?.worker.unref();
    job.detachAbort?.();
    job.slot = undefined;
    if (error !== undefined) job.reject(error);
    else job.resolve(value);
  }

  private post(slot: Slot, msg: HostToWorker, transfer?: readonly TransferListItem[]): void {
    slot.worker.postMessage(msg, transfer as TransferListItem[] | undefined);
  }
}
