// Copies the host-file data pieces of a plan straight into the output file, in worker threads,
// while the main thread writes the metadata around them (writeImageRanges with `skip`). Reading
// 50,000 small files is ~200,000 system calls: spread over two threads they overlap each other and
// the main thread's metadata encoding instead of running after it. Output bytes are the same as
// writeImage's: each piece at lba × 2048, zero-padded to its sector end.
//
// The worker is plain CommonJS source evaluated in place (`eval: true`), so it runs the same under
// tsx, vitest and an esbuild bundle, with no script file to locate.
import { Worker } from 'node:worker_threads';
import { CancelledError, GlassmasterError, InvalidInputError, IoError } from '../../common/errors';
import type { DataPiece } from '../layout/plan-image';

const WORKER_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const SECTOR = 2048;
// 1 MiB, as the output chunks (see write-image.ts): larger writes stall in page-cache compaction.
const BUF = 1024 * 1024;
let buf;
let bufs;
let pending = null; // the one output write in flight
// Messages (lists of pieces) are copied one after another, in the order they came, each answered.
let queue = Promise.resolve();
parentPort.on('message', (m) => { queue = queue.then(() => handle(m)); });
async function handle(m) {
  try {
    await run(m);
    parentPort.postMessage({ ok: true });
  } catch (e) {
    if (pending) await pending.catch(() => undefined); // the host closes fd once told
    Atomics.store(m.stop, 0, 1); // tell the other workers to stop
    if (e.what === undefined) parentPort.postMessage({ ok: false, error: { what: 'crash', message: String(e && e.stack || e) } });
    else parentPort.postMessage({ ok: false, error: { what: e.what, index: e.index, size: e.size, code: e.code, syscall: e.syscall, message: e.message } });
  }
}
// Failures name the piece by index; the host thread words the error with the image path.
function fail(what, p, cause, size) {
  const e = new Error(cause ? cause.message : what);
  e.what = what; e.index = p.index; e.size = size; e.code = cause && cause.code; e.syscall = cause && cause.syscall;
  return e;
}
function check(fd, p) {
  const st = fs.fstatSync(fd);
  if (st.size !== p.size || st.mtimeMs !== p.mtimeMs) throw fail('changed', p, undefined, st.size);
}
// Double buffering: one batch is written (asynchronously, at most one write in flight) while the
// next is read, so reading and writing overlap as in the single-stream writer.
async function writeAll(fd, b, n, pos) {
  if (pending) await pending;
  pending = new Promise((resolve, reject) => {
    const step = (off) => fs.write(fd, b, off, n - off, pos + off, (err, w) => {
      if (err) reject(fail('write', { index: -1 }, err));
      else if (off + w < n) step(off + w);
      else resolve();
    });
    step(0);
  });
  pending.catch(() => undefined); // awaited by the next write or at the end
  buf = bufs[buf === bufs[0] ? 1 : 0];
}
/** Reads p into buf at 'at' (at most 'max' bytes from file offset 'from'); returns bytes read. */
function readInto(fd, p, at, from, max) {
  let got = 0;
  while (got < max) {
    let n;
    try { n = fs.readSync(fd, buf, at + got, max - got, from + got); } catch (err) { throw fail('read', p, err); }
    if (n === 0) throw fail('shrank', p);
    got += n;
  }
  return got;
}
function open(p) {
  let fd;
  try { fd = fs.openSync(p.hostPath, 'r'); } catch (err) { throw fail('open', p, err); }
  try { check(fd, p); } catch (e) { fs.closeSync(fd); throw e; }
  return fd;
}
async function run({ fd, nums, paths, base, next, stop }) {
  // nums: lba, size, mtimeMs per piece; paths: the host paths.
  const count = nums.length / 3;
  const pieces = {
    length: count,
    get(i) {
      return { index: i, lba: nums[3 * i], size: nums[3 * i + 1], mtimeMs: nums[3 * i + 2], hostPath: paths[i] };
    },
  };
  const lbaOf = (i) => nums[3 * i];
  const sizeOf = (i) => nums[3 * i + 1];
  bufs = bufs || [Buffer.allocUnsafeSlow(BUF), Buffer.allocUnsafeSlow(BUF)];
  buf = bufs[0];
  pending = null;
  // Batches: runs of consecutive pieces up to BUF bytes (a larger piece is a batch alone).
  const batches = [];
  for (let i = 0; i < pieces.length; ) {
    const endOf = (k) => (lbaOf(k) - lbaOf(i)) * SECTOR + Math.ceil(sizeOf(k) / SECTOR) * SECTOR;
    let j = i + 1;
    while (j < pieces.length && lbaOf(j) > lbaOf(j - 1) && endOf(j) <= BUF) j++;
    batches.push([i, j]);
    i = j;
  }
  for (;;) {
    if (Atomics.load(stop, 0) !== 0) break;
    const b = Atomics.add(next, 0, 1);
    if (b >= batches.length) break;
    const [i0, i1] = batches[b];
    const start = lbaOf(i0) * SECTOR - base;
    if (i1 === i0 + 1 && Math.ceil(sizeOf(i0) / SECTOR) * SECTOR > BUF) {
      const p = pieces.get(i0);
      const f = open(p);
      try {
        for (let off = 0; off < p.size; off += BUF) {
          if (Atomics.load(stop, 0) !== 0) break;
          const n = readInto(f, p, 0, off, Math.min(BUF, p.size - off));
          const padded = Math.ceil(n / SECTOR) * SECTOR;
          buf.fill(0, n, padded);
          await writeAll(fd, buf, padded, start + off);
        }
        check(f, p);
      } finally { fs.closeSync(f); }
      continue;
    }
    let fill = 0;
    for (let i = i0; i < i1; i++) {
      const p = pieces.get(i);
      const at = p.lba * SECTOR - base - start;
      buf.fill(0, fill, at);
      const f = open(p);
      try { readInto(f, p, at, 0, p.size); } finally { fs.closeSync(f); }
      fill = at + Math.ceil(p.size / SECTOR) * SECTOR;
      buf.fill(0, at + p.size, fill);
    }
    await writeAll(fd, buf, fill, start);
  }
  if (pending) await pending;
}
`;

interface WorkerFailure { what: 'open' | 'read' | 'write' | 'changed' | 'shrank' | 'crash'; index: number; size?: number; code?: string; syscall?: string; message: string }

/** The same errors as writeImage's own reads. */
function failure(f: WorkerFailure, pieces: DataPiece[]): Error {
  if (f.what === 'crash') return new IoError(`image data thread failed: ${f.message}`);
  if (f.what === 'write') return new IoError(`cannot write the image: ${f.code ?? f.message}`, { errno: f.code, syscall: f.syscall });
  const d = pieces[f.index];
  if (f.what === 'changed') return new InvalidInputError(`file changed while being imaged (size ${d.size} → ${f.size}): ${d.path}`, { path: d.path });
  if (f.what === 'shrank') return new InvalidInputError(`file shrank while being imaged: ${d.path}`, { path: d.path });
  if (f.code === 'ENOENT') return new IoError(`file vanished before it was imaged: ${d.path}`, { errno: f.code, path: d.path, syscall: f.syscall });
  return new IoError(`cannot ${f.what} ${d.path}: ${f.code ?? f.message}`, { errno: f.code, path: d.path, syscall: f.syscall });
}

/** Pieces handed to the copier in parts; end() resolves once all are written (or rejects with the first failure). */
export interface CopyStream {
  push(pieces: DataPiece[]): void;
  end(): Promise<void>;
  /** Stops copying; resolves once no thread writes to the file any more (it may then be closed). */
  cancel(): Promise<void>;
}

type Answer = { ok: boolean; error?: WorkerFailure };
/** A part posted to a thread and not answered yet (a thread answers in the order it was posted to). */
type Waiter = { resolve: (m: Answer) => void; reject: (e: Error) => void };

/** Worker threads that copy host-file pieces into an output file descriptor. */
export class DataCopier {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<Worker, Waiter[]>();

  /** Starts the threads now (start-up overlaps whatever the caller does before copy()). */
  constructor(threads = 1) {
    for (let i = 0; i < threads; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.unref();
      const waiting: Waiter[] = [];
      this.waiting.set(w, waiting);
      w.on('message', (m: Answer) => waiting.shift()?.resolve(m));
      // A thread that dies fails every part it still owed (never an unhandled 'error' event).
      w.on('error', (err: Error) => {
        for (const x of waiting.splice(0)) x.reject(new IoError(`image data thread failed: ${err.message}`, { cause: err }));
      });
      w.on('exit', () => {
        for (const x of waiting.splice(0)) x.reject(new IoError('image data thread stopped'));
      });
      this.workers.push(w);
    }
  }

  /**
   * Writes every piece (host sources only) at piece.lba × 2048 − baseByte in fd. Resolves when all
   * are written; rejects with the first failure (IoError / InvalidInputError naming the path).
   */
  async copy(fd: number, pieces: DataPiece[], baseByte: number, signal?: AbortSignal): Promise<void> {
    const s = this.stream(fd, baseByte, signal);
    s.push(pieces);
    await s.end();
  }

  /**
   * Like copy(), with the pieces handed over in parts as they become known (the CLI places files
   * while it is still reading the source tree). Parts are copied in the order pushed.
   */
  stream(fd: number, baseByte: number, signal?: AbortSignal): CopyStream {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const onAbort = () => Atomics.store(stop, 0, 1);
    signal?.addEventListener('abort', onAbort);
    const parts: Promise<void>[] = [];
    const push = (pieces: DataPiece[]) => {
      if (pieces.length === 0) return;
      const part = this.post(fd, pieces, baseByte, stop);
      part.catch(() => Atomics.store(stop, 0, 1)); // later parts stop early; end() reports it
      parts.push(part);
    };
    const end = async () => {
      try {
        // Every part settles (the threads are done with fd) before the first failure is reported.
        const results = await Promise.allSettled(parts);
        if (signal?.aborted) throw new CancelledError();
        const bad = results.find((r) => r.status === 'rejected');
        if (bad) throw (bad as PromiseRejectedResult).reason;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    };
    const cancel = async () => {
      Atomics.store(stop, 0, 1);
      await Promise.allSettled(parts);
      signal?.removeEventListener('abort', onAbort);
    };
    return { push, end, cancel };
  }

  /** One part to every thread (they share its batches); resolves when all have finished it. */
  private async post(fd: number, pieces: DataPiece[], baseByte: number, stop: Int32Array): Promise<void> {
    // Numbers in one transferred typed array; the paths as strings (cloned in one native step).
    const nums = new Float64Array(pieces.length * 3);
    const paths: string[] = new Array(pieces.length);
    pieces.forEach((d, i) => {
      if (d.source.type !== 'host') throw new InvalidInputError(`DataCopier copies host files only: ${d.path}`);
      nums[3 * i] = d.lba;
      nums[3 * i + 1] = d.size;
      nums[3 * i + 2] = d.source.mtimeMs;
      paths[i] = d.source.hostPath;
    });
    const next = new Int32Array(new SharedArrayBuffer(4)); // the next batch to claim
    try {
      const results = await Promise.all(
        this.workers.map((w) => {
          // Each thread gets its own copy (a transferred buffer can go to one thread only).
          const n = nums.slice();
          const answer = new Promise<Answer>((resolve, reject) => this.waiting.get(w)!.push({ resolve, reject }));
          w.postMessage({ fd, nums: n, paths, base: baseByte, next, stop }, [n.buffer]);
          return answer;
        }),
      );
      const bad = results.find((r) => !r.ok)?.error;
      if (bad) throw failure(bad, pieces);
    } catch (err) {
      Atomics.store(stop, 0, 1);
      throw GlassmasterError.from(err);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
