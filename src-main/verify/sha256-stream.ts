// SHA-256 of a byte stream, computed off the calling thread when the stream is large. The burn's
// write pipeline hashes what it writes and the verify hashes what it reads back; at disc speeds
// (BD 16× = 72 MB/s, an unpaced virtual recorder > 1 GB/s) hashing on the main thread costs about
// as much CPU as the I/O itself (node's SHA-256: ~1.7 GB/s on one core here) and stalls the event
// loop that feeds the drive (issue #10: the ring buffer fell to 3% under load). A dedicated worker
// thread takes the chunks instead; the caller only pays a copy (or nothing, when it hands over a
// buffer it owns).
//
// MUST rules:
// - digest() is the SHA-256 of every byte given to update(), in order, whichever thread hashed it.
// - update() never keeps a reference to a chunk it was not allowed to take: `{ transfer: true }`
//   hands the chunk's whole ArrayBuffer over (it is detached afterwards) and is honoured only when
//   the chunk spans exactly that buffer; otherwise the bytes are copied.
// - Backpressure: update() resolves once fewer than `maxPendingBytes` wait to be hashed, so a slow
//   hasher bounds memory rather than letting it grow.
// - close() ends the worker; it is idempotent and never throws. digest() closes too.
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { CancelledError, InternalError } from '../common/errors';

/** Streams at least this large are hashed in a worker thread; smaller ones inline (a worker costs ~30 ms to start). */
export const WORKER_HASH_MIN_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_PENDING_BYTES = 8 * 1024 * 1024;

// Plain CommonJS evaluated in the worker (no module file to bundle: the same code runs under tsx, in
// the built CLI and in Electron's main process).
// 'data' carries its chunk (transferred or copied); 'range' names bytes of the SharedArrayBuffer the
// worker was given at start (workerData), read in place.
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const h = createHash('sha256');
const shared = workerData && workerData.memory;
parentPort.on('message', (m) => {
  if (m.type === 'data') {
    h.update(m.chunk);
    parentPort.postMessage({ type: 'ack', bytes: m.chunk.byteLength });
  } else if (m.type === 'range') {
    h.update(new Uint8Array(shared, m.offset, m.length));
    parentPort.postMessage({ type: 'ack', bytes: m.length });
  } else if (m.type === 'digest') {
    parentPort.postMessage({ type: 'digest', hex: h.digest('hex') });
  }
});
`;

export interface Sha256StreamOptions {
  /** Hash in a worker thread (default: when `expectedBytes` ≥ WORKER_HASH_MIN_BYTES). */
  worker?: boolean;
  /** The stream's expected length, for the default choice of `worker`. */
  expectedBytes?: number;
  /**
   * update() waits while more than this is queued for the worker (default 8 MiB: a few 2 MiB READs,
   * enough to keep the worker busy; more only adds to the process's memory, since reading from a
   * disc image is faster than hashing and the queue sits at this bound).
   */
  maxPendingBytes?: number;
}

export interface Sha256Stream {
  /** Whether a worker thread hashes (for tests and the bench). */
  readonly threaded: boolean;
  update(chunk: Uint8Array, opts?: { transfer?: boolean }): Promise<void>;
  /** Hex digest of everything updated; closes the stream. */
  digest(): Promise<string>;
  close(): void;
}

export function sha256Stream(opts: Sha256StreamOptions = {}): Sha256Stream {
  const threaded = opts.worker ?? (opts.expectedBytes ?? 0) >= WORKER_HASH_MIN_BYTES;
  return threaded ? new WorkerSha256(opts.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES) : new InlineSha256();
}

class InlineSha256 implements Sha256Stream {
  readonly threaded = false;
  private readonly h: Hash = createHash('sha256');
  async update(chunk: Uint8Array): Promise<void> {
    this.h.update(chunk);
  }
  async digest(): Promise<string> {
    return this.h.digest('hex');
  }
  close(): void {}
}

/**
 * The worker thread both worker hashers share: its start, its failures (a typed error once), the
 * digest and close. A subclass says what an acknowledgement of hashed bytes means and how to wake
 * or fail what waits (`stopped`: on a failure, with it, and on close).
 */
abstract class HashWorker {
  readonly threaded = true;
  protected readonly worker: Worker;
  protected failure: Error | undefined;
  protected closed = false;
  private onDigest: ((hex: string) => void) | undefined;
  private onDigestFailed: ((e: Error) => void) | undefined;

  constructor(workerData?: unknown) {
    this.worker = new Worker(WORKER_CODE, { eval: true, workerData });
    this.worker.unref();
    this.worker.on('message', (m: { type: 'ack'; bytes: number } | { type: 'digest'; hex: string }) => {
      if (m.type === 'ack') this.acked(m.bytes);
      else this.onDigest?.(m.hex);
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new InternalError(`the SHA-256 worker stopped (exit code ${code})`));
    });
  }

  protected abstract acked(bytes: number): void;
  protected abstract stopped(failure: Error | undefined): void;

  private fail(e: Error): void {
    this.failure ??= e instanceof InternalError ? e : new InternalError(`the SHA-256 worker failed: ${e.message}`, { cause: e });
    this.stopped(this.failure);
    this.onDigestFailed?.(this.failure);
  }

  async digest(): Promise<string> {
    if (this.failure) throw this.failure;
    const hex = await new Promise<string>((resolve, reject) => {
      this.onDigest = resolve;
      this.onDigestFailed = reject;
      this.worker.postMessage({ type: 'digest' });
    });
    this.close();
    return hex;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopped(undefined);
    void this.worker.terminate().catch(() => undefined);
  }
}

class WorkerSha256 extends HashWorker implements Sha256Stream {
  private pending = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly maxPending: number) {
    super();
  }

  protected acked(bytes: number): void {
    this.pending -= bytes;
    this.wakeAll();
  }

  protected stopped(): void {
    this.wakeAll();
  }

  private wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async update(chunk: Uint8Array, opts: { transfer?: boolean } = {}): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new InternalError('SHA-256 stream used after it was closed');
    if (chunk.byteLength === 0) return;
    const owned = opts.transfer === true && chunk.buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
    // A copy by set() (memcpy): `new Uint8Array(buffer)` copies element by element (154 MB/s
    // measured here, against 1.3 GB/s), and a Buffer's slice() would be a view of the same memory.
    let out = chunk;
    if (!owned) {
      out = new Uint8Array(chunk.byteLength);
      out.set(chunk);
    }
    this.pending += out.byteLength;
    this.worker.postMessage({ type: 'data', chunk: out }, [out.buffer as ArrayBuffer]);
    while (this.pending > this.maxPending && !this.failure) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
  }
}

/**
 * SHA-256 of ranges of one SharedArrayBuffer (the burn's ring, burn/ring-buffer.ts), read in place by
 * a worker thread: no copy, and the hashing runs on another core at the same time as the writes.
 *
 * MUST rules (besides those above):
 * - digest() is the SHA-256 of every range given to update(), in the order given.
 * - update(offset, length) resolves once those bytes are hashed; until then the caller MUST NOT
 *   change them (the ring keeps the slot full until then). It rejects if the hasher failed or closed.
 */
export interface SharedSha256 {
  readonly threaded: boolean;
  update(offset: number, length: number): Promise<void>;
  digest(): Promise<string>;
  close(): void;
}

export function sharedSha256(memory: SharedArrayBuffer, opts: { worker?: boolean; expectedBytes?: number } = {}): SharedSha256 {
  const threaded = opts.worker ?? (opts.expectedBytes ?? 0) >= WORKER_HASH_MIN_BYTES;
  if (!threaded) {
    const h = createHash('sha256');
    return {
      threaded,
      update: async (offset, length) => void h.update(new Uint8Array(memory, offset, length)),
      digest: async () => h.digest('hex'),
      close: () => undefined,
    };
  }
  return new SharedWorkerSha256(memory);
}

class SharedWorkerSha256 extends HashWorker implements SharedSha256 {
  /** Ranges sent and not yet acknowledged, oldest first (the worker answers in order). */
  private readonly pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  constructor(memory: SharedArrayBuffer) {
    super({ memory });
  }

  protected acked(): void {
    this.pending.shift()?.resolve();
  }

  protected stopped(failure: Error | undefined): void {
    const e = failure ?? new CancelledError('the SHA-256 stream was closed');
    for (const p of this.pending.splice(0)) p.reject(e);
  }

  update(offset: number, length: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new InternalError('SHA-256 stream used after it was closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage({ type: 'range', offset, length });
    });
  }
}
