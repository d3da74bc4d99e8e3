// The copy task of the copier threads (worker/copy-worker.ts): reads host-file pieces and writes
// them in place (positional writes) into the output file, while another thread writes the metadata
// around them. One task runs for a whole copy stream: the parts arrive on a MessagePort of their
// own, not as one pool job each, because the thread that hands them over is usually inside a long
// synchronous pass (the scan placing files as it finds them, planImage placing the rest) and would
// not see a job's 'done' to send the next one until that pass ended; a port delivers to this
// thread's event loop whatever the sender's is doing. Several threads may run the same part at
// once: they claim its batches through a shared counter. Errors are the ordered writer's
// (source-errors.ts), thrown typed and carried across the thread boundary by the worker pool.
import * as fs from 'node:fs';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { CancelledError, InternalError } from '../../common/errors';
import type { TaskContext } from '../../workers/worker-runtime';
import { loadNativeAddonIfBuilt, type NativeAddon } from '../../transport/native/native-addon';
import { checkUnchanged, openChecked, outputWriteError, sourceIoError, sourceShrankError } from './source-errors';

const SECTOR = 2048;
/** 1 MiB, as the ordered writer's chunks: larger writes stall in page-cache compaction. */
const BUF = 1024 * 1024;

/** Atomics.waitAsync (ES2024; in every Node this runs on, not yet in the ES2023 lib the project compiles against). */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number, timeoutMs: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** Wakes every thread waiting on the bell (a part, the end, or a stop has come). */
export function ringBell(bell: Int32Array): void {
  Atomics.add(bell, 0, 1);
  Atomics.notify(bell, 0);
}

/** Tells every thread copying into the stream to stop, and wakes those waiting for parts. */
export function stopCopying(s: Pick<CopyStreamPayload, 'stop' | 'bell'>): void {
  Atomics.store(s.stop, 0, 1);
  ringBell(s.bell);
}

/**
 * The separator of a part's joined paths: no host or image path holds a NUL (POSIX and Windows
 * refuse it; staging-tree.ts refuses it in names).
 */
export const PATH_SEPARATOR = '\0';

/**
 * One part of the pieces to copy; `nums` holds lba, size, mtimeMs per piece. The paths travel as
 * one string each (joined by PATH_SEPARATOR, split by the receiving thread): a structured clone of
 * 2 × 256 strings per part was ~0.1 s of the planning thread's time on 50,000 files, one string
 * is one copy.
 */
export interface CopyPart {
  type: 'part';
  nums: Float64Array;
  hostPaths: string;
  /** Image paths, for the errors. */
  paths: string;
  /** Shared: the next batch of this part to claim. */
  next: Int32Array;
}

/** What arrives on a copy stream's port: parts, then 'end' (no more parts; finish those received). */
export type CopyMessage = CopyPart | { type: 'end' };

/** The copyStream task's payload. */
export interface CopyStreamPayload {
  fd: number;
  /** Byte offset of the output file's first byte in the image (0, or a session's start). */
  base: number;
  /** Shared: non-zero tells every copying thread to stop (a failure or a cancel). */
  stop: Int32Array;
  /** Shared: bumped and notified after every message posted and every stop, so a waiting thread wakes. */
  bell: Int32Array;
  /** Parts and the end arrive here (transferred with the job), taken one at a time. */
  port: MessagePort;
  /**
   * Shared: bumped by each copying thread as its task starts, before it looks at any part. Once the
   * posting thread's help() has claimed every batch, a stream whose threads have not started can
   * end without waiting for them (data-copier.ts): they can claim nothing any more.
   */
  started: Int32Array;
}

/**
 * The native batch reader (native/src/file_fill.h) unless it is not built, or this platform has
 * none (Windows), or GLASSMASTER_JS_COPY=1 asks for the JavaScript path (its tests). Measured on
 * 50,000 files of 1–16 KiB: the same open/fstat/read/close loop costs ~0.9 CPU s through fs.*Sync
 * and ~0.6 s in C (the difference is the per-call JavaScript: arguments, Stats objects, errors).
 */
function nativeFill(): NativeAddon['fillPieces'] {
  if (process.env.GLASSMASTER_JS_COPY === '1') return undefined;
  const addon = loadNativeAddonIfBuilt();
  return addon?.fillPieces?.bind(addon);
}

/**
 * The copy-stream task, with its own pair of buffers (allocated once per thread): one batch is
 * written, asynchronously and at most one write in flight, while the next one is read. Parts are
 * copied in the order they arrive; the task ends once 'end' has come and every part before it is
 * written, or at the first failure (which sets `stop` for the other threads), or when stopped.
 */
export function createCopyStreamTask(): (payload: CopyStreamPayload, ctx: TaskContext) => Promise<void> {
  let bufs: [Buffer, Buffer] | undefined;
  let fill: NativeAddon['fillPieces'] | null = null;
  return async (job, ctx) => {
    Atomics.add(job.started, 0, 1);
    bufs ??= [Buffer.allocUnsafeSlow(BUF), Buffer.allocUnsafeSlow(BUF)];
    if (fill === null) fill = nativeFill();
    const copyPart = partCopier(job, bufs, fill, ctx.signal);
    const stopped = () => Atomics.load(job.stop, 0) !== 0 || ctx.signal.aborted;
    try {
      for (;;) {
        if (stopped()) break;
        // One part at a time off the port (not a 'message' listener, which would take every part
        // posted so far into this thread's heap at the first await: the planner posts all of a
        // 50,000-file tree's parts at once).
        const seen = Atomics.load(job.bell, 0);
        const got = receiveMessageOnPort(job.port);
        if (got) {
          const msg = got.message as CopyMessage;
          if (msg.type === 'end') break;
          await copyPart(msg);
          continue;
        }
        // Nothing yet: sleep until the host rings (a part, the end, a stop) or another copying
        // thread does (its failure); at most a second, for a cancel of the pool's job itself.
        const wait = waitAsync(job.bell, 0, seen, 1000);
        if (wait.async) await wait.value;
      }
    } catch (err) {
      stopCopying(job); // the other threads stop too
      throw err;
    } finally {
      job.port.close();
    }
    if (ctx.signal.aborted) throw new CancelledError();
  };
}

/** Where a part's bytes go, and the flag that stops every thread copying into it. */
type CopyTarget = Pick<CopyStreamPayload, 'fd' | 'base' | 'stop'>;

/**
 * Copies parts in the calling thread, taking only the batches no copying thread has claimed: the
 * thread that posted them joins in once its own work (the metadata) is done, instead of waiting
 * idle for the copier to finish (the app's project path: its copying starts only when the plan
 * places the files, and ended ~0.4 s after the metadata on 50,000 files). Last parts first, as
 * the copying threads go from the first.
 */
export async function copyPartsHere(target: CopyTarget, parts: readonly CopyPart[], signal: AbortSignal): Promise<void> {
  if (parts.length === 0) return;
  const copyPart = partCopier(target, [Buffer.allocUnsafeSlow(BUF), Buffer.allocUnsafeSlow(BUF)], nativeFill(), signal);
  for (let i = parts.length - 1; i >= 0; i--) {
    if (Atomics.load(target.stop, 0) !== 0 || signal.aborted) return;
    await copyPart(parts[i]);
  }
}

/** Copies one part, its batches claimed through the part's shared counter; throws the first failure typed. */
function partCopier(job: CopyTarget, b2: [Buffer, Buffer], fillNative: NativeAddon['fillPieces'], signal: AbortSignal): (m: CopyPart) => Promise<void> {
  let buf = b2[0];
  const stopped = () => Atomics.load(job.stop, 0) !== 0 || signal.aborted;
  return async (part) => {
    // The paths are split once a batch of the part is claimed (a part another thread has copied
    // whole costs nothing); one path per piece, or the part was packed wrong.
    let split: { hostPaths: string[]; paths: string[] } | undefined;
    const m = {
      nums: part.nums,
      next: part.next,
      get hostPaths() {
        return (split ??= splitPaths(part)).hostPaths;
      },
      get paths() {
        return (split ??= splitPaths(part)).paths;
      },
    };
    let pending: Promise<void> | null = null;
    const writeAll = async (n: number, pos: number): Promise<void> => {
      if (pending) await pending;
      const out = buf;
      pending = new Promise<void>((resolve, reject) => {
        const step = (off: number) => fs.write(job.fd, out, off, n - off, pos + off, (err, w) => {
          if (err) reject(outputWriteError(err));
          else if (off + w < n) step(off + w);
          else resolve();
        });
        step(0);
      });
      pending.catch(() => undefined); // awaited by the next write or at the end
      buf = buf === b2[0] ? b2[1] : b2[0];
    };
    const lbaOf = (i: number) => m.nums[3 * i];
    const sizeOf = (i: number) => m.nums[3 * i + 1];
    const mtimeOf = (i: number) => m.nums[3 * i + 2];
    /** Reads piece i into buf at `at` (`max` bytes from file offset `from`). */
    const readInto = (fd: number, i: number, at: number, from: number, max: number) => {
      let got = 0;
      while (got < max) {
        let n: number;
        try {
          n = fs.readSync(fd, buf, at + got, max - got, from + got);
        } catch (err) {
          throw sourceIoError(err, m.paths[i], 'read');
        }
        if (n === 0) throw sourceShrankError(m.paths[i]);
        got += n;
      }
      return got;
    };
    const count = m.nums.length / 3;
    // Batches: runs of consecutive pieces up to BUF bytes (a larger piece is a batch alone).
    const batches: [number, number][] = [];
    for (let i = 0; i < count;) {
      const endOf = (k: number) => (lbaOf(k) - lbaOf(i)) * SECTOR + Math.ceil(sizeOf(k) / SECTOR) * SECTOR;
      let j = i + 1;
      while (j < count && lbaOf(j) > lbaOf(j - 1) && endOf(j) <= BUF) j++;
      batches.push([i, j]);
      i = j;
    }
    try {
      for (;;) {
        if (stopped()) break;
        const b = Atomics.add(m.next, 0, 1);
        if (b >= batches.length) break;
        const [i0, i1] = batches[b];
        const start = lbaOf(i0) * SECTOR - job.base;
        if (i1 === i0 + 1 && Math.ceil(sizeOf(i0) / SECTOR) * SECTOR > BUF) {
          const size = sizeOf(i0);
          const f = openChecked(m.hostPaths[i0], m.paths[i0], size, mtimeOf(i0));
          try {
            for (let off = 0; off < size; off += BUF) {
              if (stopped()) break;
              const n = readInto(f, i0, 0, off, Math.min(BUF, size - off));
              const padded = Math.ceil(n / SECTOR) * SECTOR;
              buf.fill(0, n, padded);
              await writeAll(padded, start + off);
            }
            checkUnchanged(f, m.paths[i0], size, mtimeOf(i0));
          } finally {
            fs.closeSync(f);
          }
          continue;
        }
        let filled = 0;
        let i = i0;
        if (fillNative) {
          // Every piece of the batch in one call; on a piece that is not as the scan saw it, the
          // JavaScript loop below takes over from that piece and throws its typed error.
          const r = fillNative(buf, m.nums, m.hostPaths, i0, i1, lbaOf(i0) * SECTOR);
          if (r >= 0) {
            filled = r;
            i = i1;
          } else {
            i = -1 - r;
            filled = (lbaOf(i) - lbaOf(i0)) * SECTOR;
          }
        }
        for (; i < i1; i++) {
          const at = lbaOf(i) * SECTOR - job.base - start;
          buf.fill(0, filled, at);
          const f = openChecked(m.hostPaths[i], m.paths[i], sizeOf(i), mtimeOf(i));
          try {
            readInto(f, i, at, 0, sizeOf(i));
          } finally {
            fs.closeSync(f);
          }
          filled = at + Math.ceil(sizeOf(i) / SECTOR) * SECTOR;
          buf.fill(0, at + sizeOf(i), filled);
        }
        await writeAll(filled, start);
      }
      if (pending) await pending;
    } catch (err) {
      // The host closes fd once every thread has answered: no write of ours may still be in flight.
      if (pending) await (pending as Promise<void>).catch(() => undefined);
      throw err;
    }
  };
}

/** A part's joined paths as one array each; a count that is not one per piece is a packing fault. */
function splitPaths(part: CopyPart): { hostPaths: string[]; paths: string[] } {
  const hostPaths = part.hostPaths.split(PATH_SEPARATOR);
  const paths = part.paths.split(PATH_SEPARATOR);
  const pieces = part.nums.length / 3;
  if (hostPaths.length !== pieces || paths.length !== pieces) throw new InternalError(`copy part: ${pieces} pieces, ${hostPaths.length} host paths, ${paths.length} image paths`);
  return { hostPaths, paths };
}
