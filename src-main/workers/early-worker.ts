// A worker thread started before the code that drives it has loaded. The executable starts the
// image worker this way for `glassmaster image … -o OUT` (cli/early-start.ts): a worker thread
// takes ~0.1 s to start (a Node environment of its own, then its entry), and started only once
// the engine's code had loaded (~25 ms of modules) it was that much later for every build. The
// first WorkerPool of the same script (a built .js path, no execArgv) takes it as its first thread.
//
// Also here, so both starts share it: the one V8 flag the main thread sets for its worker threads.
import { isMainThread, Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { resolve } from 'node:path';

let compileSet = false;

/**
 * On a machine of one or two cores, every worker thread started from the first one a pool (or
 * the executable, above) starts (and any other Worker made later in the process) compiles its optimized
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
export function workersCompileTheirOwnCode(): void {
  if (compileSet || !isMainThread) return;
  compileSet = true;
  if (process.versions.electron === undefined && availableParallelism() <= 2) setFlagsFromString('--no-concurrent-recompilation');
}

interface EarlyWorker {
  worker: Worker;
  failed: boolean;
  /** The listener that notes a failure until a pool takes the worker. */
  onFailure: () => void;
}

const early = new Map<string, EarlyWorker[]>();

/** Starts a worker thread on the built entry `script` now, for the first pool of that script to take; returns it. */
export function startWorkerEarly(script: string): Worker {
  workersCompileTheirOwnCode();
  // Until a pool takes it, a failure is only noted (an 'error' nobody listens to would end the
  // process); the pool then starts a thread of its own, which fails the way the pool reports.
  const entry: EarlyWorker = { worker: new Worker(script), failed: false, onFailure: () => (entry.failed = true) };
  entry.worker.on('error', entry.onFailure).on('exit', entry.onFailure);
  // An idle thread must not keep the process alive (as the pool's own: WorkerPool.spawn).
  entry.worker.unref();
  const key = resolve(script);
  early.set(key, [...(early.get(key) ?? []), entry]);
  return entry.worker;
}

/** A worker started early on `script` (same entry, no execArgv), once; undefined when none is waiting. */
export function takeEarlyWorker(script: string | URL, execArgv?: string[]): Worker | undefined {
  if (typeof script !== 'string' || execArgv?.length) return undefined;
  const entry = early.get(resolve(script))?.shift();
  if (!entry) return undefined;
  entry.worker.off('error', entry.onFailure).off('exit', entry.onFailure);
  if (!entry.failed) return entry.worker;
  void entry.worker.terminate();
  return undefined;
}
