// Host side of the worker pool: a fixed number of worker threads, one job each at a time, a FIFO
// queue, AbortSignal cancellation, progress events, credit-based streaming, and replacement of a
// worker that crashes (its job fails with a typed error; the pool keeps serving).
import { Worker, type TransferListItem } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { CancelledError, GlassmasterError, InternalError } from '../common/errors';
import type { HostToWorker, WorkerToHost } from './protocol';
import { takeEarlyWorker, workersCompileTheirOwnCode } from './early-worker';

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
    const worker = takeEarlyWorker(this.opts.script, this.opts.execArgv) ?? new Worker(this.opts.script, { execArgv: this.opts.execArgv });
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
