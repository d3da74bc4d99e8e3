// Copies the host-file data pieces of a plan straight into the output file, in worker threads,
// while another thread writes the metadata around them (writeImageRanges with `skip`). Reading
// 50,000 small files is ~200,000 system calls: on their own thread they overlap the metadata
// encoding instead of running after it. Output bytes are the same as writeImage's: each piece at
// lba × 2048, zero-padded to its sector end.
//
// The threads are a WorkerPool of the copy worker (worker/copy-worker.ts) running its typed
// `copyStream` task (writer/copy-task.ts); their errors are the ordered writer's (source-errors.ts).
import { CancelledError, GlassmasterError, InternalError, InvalidInputError } from '../../common/errors';
import { WorkerPool } from '../../workers/worker-pool';
import type { DataPiece } from '../layout/plan-image';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { copyPartsHere, PATH_SEPARATOR, ringBell, stopCopying, type CopyMessage, type CopyPart, type CopyStreamPayload } from './copy-task';

const NEVER = new AbortController().signal;

/** Where the copy worker's entry is: a built .js path, or a URL (a tsx bootstrap under tests). */
export interface WorkerScript {
  script: string | URL;
  execArgv?: string[];
}

/** Pieces handed to the copier in parts; end() resolves once all are written (or rejects with the first failure). */
export interface CopyStream {
  push(pieces: DataPiece[]): void;
  /**
   * The calling thread copies too, taking the batches of the parts pushed so far that no copying
   * thread has claimed yet; resolves when none is left (call it once, when the caller's own work is
   * done; before or after end() was asked for). Rejects with the first failure it meets (and stops the
   * other threads).
   */
  help(): Promise<void>;
  /** Resolves once every piece is written, by the copying threads and a help() under way; rejects with the first failure. */
  end(): Promise<void>;
  /** Stops copying; resolves once no thread writes to the file any more, help() included (it may then be closed). */
  cancel(): Promise<void>;
}


/** Worker threads that copy host-file pieces into an output file descriptor. */
export class DataCopier {
  private readonly pool: WorkerPool;
  private readonly threads: number;
  private open = false;

  /**
   * Starts the threads now (WorkerPool.prestart), so their start-up overlaps the caller's staging and
   * planning: a write of a tree staged before (the app's project) hands over its first part only once
   * the plan has placed every file, and a thread spawned then started ~0.1 s after it was needed.
   */
  constructor(worker: WorkerScript, threads = 1) {
    this.threads = threads;
    this.pool = new WorkerPool({ script: worker.script, execArgv: worker.execArgv, size: threads });
    this.pool.prestart();
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
   * while it is still reading the source tree). Parts are copied in the order pushed. One copyStream
   * job per thread for the whole stream, its parts sent on a port of its own (copy-task.ts says why).
   */
  stream(fd: number, baseByte: number, signal?: AbortSignal): CopyStream {
    // The stream's jobs hold every thread of the pool until it ends: a second stream opened
    // meanwhile would wait behind it for ever if its caller awaited it before ending the first.
    if (this.open) throw new InternalError('DataCopier: one copy stream at a time (end or cancel the open one first)');
    this.open = true;
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const bell = new Int32Array(new SharedArrayBuffer(4));
    const started = new Int32Array(new SharedArrayBuffer(4));
    const halt = () => stopCopying({ stop, bell });
    signal?.addEventListener('abort', halt);
    const ports: MessagePort[] = [];
    const runs: Promise<void>[] = [];
    const posted: CopyPart[] = [];
    // The jobs start with the first part: a stream that gets none (a write to a device, a session)
    // needs no thread at all.
    const start = () => {
      for (let t = 0; t < this.threads; t++) {
        const { port1, port2 } = new MessageChannel();
        ports.push(port1);
        const payload: CopyStreamPayload = { fd, base: baseByte, stop, bell, port: port2, started };
        const run = this.pool.run<void>('copyStream', payload, { transfer: [port2] });
        run.catch(halt); // the other threads stop early; end() reports it
        runs.push(run);
      }
    };
    const post = (msg: CopyMessage) => {
      for (const port of ports) port.postMessage(msg);
      ringBell(bell);
    };
    let refused: unknown;
    let finished: Promise<void> | undefined;
    // Every thread has finished with fd (the first failure, if any, then reported).
    const finish = () => (finished ??= (async () => {
      try {
        post({ type: 'end' });
        // Every thread's job ends — or, once help() has copied every batch no thread had claimed,
        // none had started: stopped now, they can write nothing (each batch is claimed once, and all
        // are), so the stream ends without waiting for them to start (a small tree's copy was done
        // ~40 ms before its copier thread was up).
        const results = await Promise.race([
          Promise.allSettled(runs),
          helpedAlone.then(() => {
            stopCopying({ stop, bell });
            return [] as PromiseSettledResult<void>[];
          }),
        ]);
        for (const port of ports) port.close();
        // This thread's own copying (help) writes to fd too: done before fd may be closed.
        if (helping) await helping.catch(() => undefined);
        if (signal?.aborted) throw new CancelledError();
        const bad = results.find((r) => r.status === 'rejected');
        if (helpFailure) throw helpFailure; // the first failure: it stopped the threads
        if (bad) throw GlassmasterError.from((bad as PromiseRejectedResult).reason);
        if (refused) throw refused;
      } finally {
        signal?.removeEventListener('abort', halt);
        this.open = false;
      }
    })());
    const push = (pieces: DataPiece[]) => {
      // A part after end() or cancel() would be written after the caller closed fd, or not at all.
      if (finished) throw new InternalError('DataCopier: a part pushed after the stream ended');
      if (pieces.length === 0 || refused) return;
      let part: CopyPart;
      try {
        part = packPart(pieces);
      } catch (err) {
        refused = err;
        halt();
        return;
      }
      if (runs.length === 0) start();
      post(part);
      posted.push(part);
    };
    let helping: Promise<void> | undefined;
    let helpFailure: GlassmasterError | undefined;
    // Resolves when help() has copied everything left and no thread had started by then; else never.
    let helpedAloneNow = () => undefined as void;
    const helpedAlone = new Promise<void>((resolve) => (helpedAloneNow = resolve));
    // Once per stream (a second call gets the same promise). Also after end() was asked for (the
    // threads finish what they claimed); after a stop copyPartsHere takes nothing.
    const help = () => (helping ??= (async () => {
      try {
        await copyPartsHere({ fd, base: baseByte, stop }, posted, signal ?? NEVER);
        // Only when nothing was stopped (a stop leaves batches unclaimed) and no part can come any more.
        if (finished && Atomics.load(stop, 0) === 0 && Atomics.load(started, 0) === 0) helpedAloneNow();
      } catch (err) {
        helpFailure = GlassmasterError.from(err);
        halt();
        throw helpFailure;
      }
    })());
    const end = () => finish();
    const cancel = async () => {
      halt();
      await finish().catch(() => undefined);
    };
    return { push, help, end, cancel };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** A part as it crosses to the copying threads: the numbers in one typed array, the paths joined (copy-task.ts CopyPart). */
function packPart(pieces: DataPiece[]): CopyPart {
  const nums = new Float64Array(pieces.length * 3);
  const hostPaths: string[] = new Array(pieces.length);
  const paths: string[] = new Array(pieces.length);
  pieces.forEach((d, i) => {
    if (d.source.type !== 'host') throw new InvalidInputError(`DataCopier copies host files only: ${d.path}`);
    nums[3 * i] = d.lba;
    nums[3 * i + 1] = d.size;
    nums[3 * i + 2] = d.source.mtimeMs;
    hostPaths[i] = d.source.hostPath;
    paths[i] = d.path;
  });
  // The next batch to claim, shared by the threads that copy this part.
  return { type: 'part', nums, hostPaths: hostPaths.join(PATH_SEPARATOR), paths: paths.join(PATH_SEPARATOR), next: new Int32Array(new SharedArrayBuffer(4)) };
}
