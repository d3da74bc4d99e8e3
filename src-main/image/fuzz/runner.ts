// The fuzz runner: cases run in worker threads (resourceLimits ≈ the per-case memory limit) under
// a per-case wall-clock watchdog. A worker that overruns the watchdog is terminated and the case
// is run again on a fresh worker: two overruns in a row are a hang (one alone can be the shared
// machine's scheduler). The same confirmation applies to a memory overrun (garbage left by earlier
// cases must not be blamed on this one). Every failure is saved with its seed, case number,
// mutations and bytes, and can be replayed.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { tsWorkerScript } from '../../workers/ts-worker-script';
import { generateCase, prepareSeeds, type PreparedSeed } from './mutators';
import type { FuzzWorkerData, HostMessage, WorkerKind, WorkerMessage } from './protocol';
import { TARGETS, type TargetName, type TargetResult } from './targets';
import { threadCpuMs } from './thread-cpu';
import type { SeedImage } from './writer-seeds';

export type Outcome = 'ok' | 'typed' | 'crash' | 'hang' | 'memory';
export const OUTCOMES: Outcome[] = ['ok', 'typed', 'crash', 'hang', 'memory'];
export const FAILURES: ReadonlySet<Outcome> = new Set(['crash', 'hang', 'memory']);

export interface CaseResult {
  index: number;
  seedName: string;
  outcome: Outcome;
  targets: TargetResult[];
  ms: number;
  /** CPU time of the worker thread for this case (Linux), else undefined. */
  cpuMs?: number;
  peakMb: number;
  /** For hang / memory / worker death: what the runner saw. */
  note?: string;
}

export interface RunOptions {
  corpus: SeedImage[];
  seed: number;
  cases: number;
  /** First case number (default 0): a run of cases start … start+cases-1. */
  start?: number;
  jobs?: number;
  /** A case that spends this much CPU time (wall time where the OS cannot tell) is a hang. */
  timeoutMs?: number;
  /** Wall-time ceiling per case however starved the machine is (default 20 × timeoutMs). */
  wallCeilingMs?: number;
  memoryMb?: number;
  kind?: WorkerKind;
  /** Failing cases are written here (seed-case/case.json + image.bin). */
  crashDir?: string;
  /** Replay: run these bytes instead of generated cases (index is kept for the record). */
  bytes?: { index: number; seedName: string; data: Buffer }[];
  onProgress?: (done: number, summary: RunSummary) => void;
  /** Stops handing out cases (those running finish); the summary covers the cases done. */
  signal?: AbortSignal;
}

export interface RunSummary {
  seed: number;
  cases: number;
  elapsedMs: number;
  outcomes: Record<Outcome, number>;
  byTarget: Record<TargetName, Record<'ok' | 'typed' | 'crash', number>>;
  bySeed: Record<string, Record<Outcome, number>>;
  failures: CaseResult[];
  slowest: { index: number; ms: number; cpuMs?: number; seedName: string };
  peakMb: number;
  /** Sum of the cases' worker-thread CPU time (Linux): the machine-independent cost of the run. */
  cpuMsTotal: number;
  /** Cases whose first run overran the watchdog or memory limit but whose confirmation run did not. */
  unconfirmed: number;
  corpusDigest: string;
}

const emptyOutcomes = (): Record<Outcome, number> => ({ ok: 0, typed: 0, crash: 0, hang: 0, memory: 0 });

export function corpusDigest(corpus: SeedImage[]): string {
  const h = createHash('sha256');
  for (const s of corpus) h.update(s.name).update(s.bytes);
  return h.digest('hex').slice(0, 16);
}

/** A case's class: any untyped error is a crash; otherwise typed if any target refused it. */
export function classify(targets: TargetResult[]): Outcome {
  if (targets.some((t) => t.outcome === 'crash')) return 'crash';
  return targets.some((t) => t.outcome === 'typed') ? 'typed' : 'ok';
}

const WORKER_SCRIPT = (): URL => tsWorkerScript(fileURLToPath(new URL('./fuzz-worker.ts', import.meta.url)));

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  statPath?: string;
}

export async function runFuzz(o: RunOptions): Promise<RunSummary> {
  const jobs = Math.max(1, o.jobs ?? 2);
  const timeoutMs = o.timeoutMs ?? 2000;
  const wallCeilingMs = o.wallCeilingMs ?? 20 * timeoutMs;
  const memoryMb = o.memoryMb ?? 256;
  const kind = o.kind ?? 'readers';
  const start = o.start ?? 0;
  const total = o.bytes ? o.bytes.length : o.cases;
  const workerData: FuzzWorkerData = { seeds: o.corpus, runSeed: o.seed, kind, memoryLimitMb: memoryMb };
  const script = WORKER_SCRIPT();
  let prepared: PreparedSeed[] | undefined;

  const summary: RunSummary = {
    seed: o.seed, cases: 0, elapsedMs: 0, outcomes: emptyOutcomes(),
    byTarget: Object.fromEntries(TARGETS.map((t) => [t, { ok: 0, typed: 0, crash: 0 }])) as RunSummary['byTarget'],
    bySeed: {}, failures: [], slowest: { index: -1, ms: 0, seedName: '' }, peakMb: 0, cpuMsTotal: 0, unconfirmed: 0, corpusDigest: corpusDigest(o.corpus),
  };
  const t0 = performance.now();

  const spawn = (): Slot => {
    const slot = {} as Slot;
    // The limit is the sampler's (V8 heap + buffers, at every sector read): it reports the case and
    // the worker is ended. resourceLimits are the backstop for a case that grows without reading,
    // set above the limit because V8 aborts the whole process, not just the worker, when one
    // large allocation fails right at the heap limit.
    const worker = new Worker(script, { workerData, resourceLimits: { maxOldGenerationSizeMb: 2 * memoryMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 } });
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      const onMsg = (m: WorkerMessage) => {
        if (m.type === 'ready') {
          slot.statPath = m.statPath;
          worker.off('message', onMsg);
          worker.off('error', reject);
          resolve();
        }
      };
      worker.on('message', onMsg);
      worker.once('error', reject);
    });
    slot.worker = worker;
    slot.ready = ready;
    return slot;
  };

  type Attempt = { result?: Extract<WorkerMessage, { type: 'result' }>; failure?: { outcome: Outcome; note: string } };

  /** One attempt of one case on a slot; the slot's worker is replaced when it must die. */
  const attempt = async (slot: Slot, index: number): Promise<{ slot: Slot; a: Attempt }> => {
    await slot.ready;
    const w = slot.worker;
    const a = await new Promise<Attempt>((resolve) => {
      const done = (x: Attempt) => {
        clearTimeout(timer);
        w.off('message', onMsg);
        w.off('error', onErr);
        w.off('exit', onExit);
        resolve(x);
      };
      const onMsg = (m: WorkerMessage) => {
        if (m.type === 'result' && m.index === index) done({ result: m });
        else if (m.type === 'over' && m.index === index) done({ failure: { outcome: 'memory', note: `case used ${m.peakMb.toFixed(0)} MB (limit ${memoryMb} MB)` } });
      };
      const onErr = (err: Error & { code?: string }) => {
        if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') done({ failure: { outcome: 'memory', note: `worker ran out of its ${2 * memoryMb} MB heap (${err.message})` } });
        else done({ failure: { outcome: 'crash', note: `worker died: ${err.stack ?? err.message}` } });
      };
      const onExit = (code: number) => done({ failure: { outcome: 'crash', note: `worker exited with code ${code}` } });
      w.on('message', onMsg);
      w.once('error', onErr);
      w.once('exit', onExit);
      // The watchdog: at timeoutMs of wall time, look at the CPU the worker thread really spent;
      // starved by other jobs, it gets more wall time (up to the ceiling), never more CPU.
      const statPath = slot.statPath;
      const cpu0 = statPath ? threadCpuMs(statPath) : undefined;
      const wall0 = performance.now();
      let timer: NodeJS.Timeout;
      const check = () => {
        const wall = performance.now() - wall0;
        const now = statPath ? threadCpuMs(statPath) : undefined;
        const cpu = cpu0 !== undefined && now !== undefined ? now - cpu0 : undefined;
        if (cpu === undefined) return done({ failure: { outcome: 'hang', note: `no result within ${timeoutMs} ms` } });
        if (cpu >= timeoutMs) return done({ failure: { outcome: 'hang', note: `no result after ${cpu} ms of CPU time (${wall.toFixed(0)} ms wall)` } });
        if (wall >= wallCeilingMs) return done({ failure: { outcome: 'hang', note: `no result within the ${wallCeilingMs} ms wall-time ceiling (${cpu} ms of CPU time)` } });
        timer = setTimeout(check, Math.max(50, timeoutMs - cpu));
      };
      timer = setTimeout(check, timeoutMs);
      const item = o.bytes?.[index - start];
      const msg: HostMessage = item ? { type: 'bytes', index, bytes: item.data, seedName: item.seedName } : { type: 'case', index };
      w.postMessage(msg);
    });
    if (a.failure || a.result?.overLimit) {
      // This worker may be stuck or full of another case's garbage: replace it.
      void w.terminate();
      return { slot: spawn(), a };
    }
    return { slot, a };
  };

  const record = (r: CaseResult) => {
    summary.cases++;
    summary.outcomes[r.outcome]++;
    (summary.bySeed[r.seedName] ??= emptyOutcomes())[r.outcome]++;
    for (const t of r.targets) summary.byTarget[t.target][t.outcome]++;
    const cost = r.cpuMs ?? r.ms;
    if (cost > (summary.slowest.cpuMs ?? summary.slowest.ms) && !FAILURES.has(r.outcome)) summary.slowest = { index: r.index, ms: r.ms, cpuMs: r.cpuMs, seedName: r.seedName };
    summary.peakMb = Math.max(summary.peakMb, r.peakMb);
    summary.cpuMsTotal += r.cpuMs ?? 0;
    if (FAILURES.has(r.outcome)) {
      summary.failures.push(r);
      if (o.crashDir) saveFailure(r);
    }
    o.onProgress?.(summary.cases, summary);
  };

  const saveFailure = (r: CaseResult) => {
    const dir = join(o.crashDir!, `${o.seed}-${r.index}`);
    mkdirSync(dir, { recursive: true });
    let bytes: Buffer | undefined;
    let mutations: string[] | undefined;
    const given = o.bytes?.[r.index - start];
    if (given) bytes = given.data;
    else if (kind === 'readers') {
      prepared ??= prepareSeeds(o.corpus);
      const c = generateCase(prepared, o.seed, r.index);
      bytes = c.bytes;
      mutations = c.mutations;
    }
    if (bytes) writeFileSync(join(dir, 'image.bin'), bytes);
    const record = { seed: o.seed, case: r.index, corpusDigest: summary.corpusDigest, seedName: r.seedName, outcome: r.outcome, note: r.note, mutations, targets: r.targets, ms: r.ms, peakMb: r.peakMb,
      replay: `npm run fuzz -- --replay ${dir}` };
    writeFileSync(join(dir, 'case.json'), JSON.stringify(record, null, 2) + '\n');
  };

  let next = start;
  const end = start + total;
  const lane = async () => {
    let slot = spawn();
    try {
      while (next < end && !o.signal?.aborted) {
        const index = next++;
        let r = await attempt(slot, index);
        slot = r.slot;
        let failure = r.a.failure ?? (r.a.result?.overLimit ? { outcome: 'memory' as Outcome, note: `case used ${r.a.result.peakMb.toFixed(0)} MB (limit ${memoryMb} MB)` } : undefined);
        if (failure && failure.outcome !== 'crash') {
          // Confirm on a fresh worker: the shared machine may have starved the first run.
          const first = failure;
          r = await attempt(slot, index);
          slot = r.slot;
          failure = r.a.failure ?? (r.a.result?.overLimit ? { outcome: 'memory', note: `case used ${r.a.result.peakMb.toFixed(0)} MB (limit ${memoryMb} MB)` } : undefined);
          if (!failure) summary.unconfirmed++;
          else failure = { outcome: failure.outcome, note: `${failure.note} (twice; first: ${first.note})` };
        }
        const res = r.a.result;
        if (failure) record({ index, seedName: res?.seedName ?? seedNameOf(index), outcome: failure.outcome, targets: res?.targets ?? [], ms: res?.ms ?? timeoutMs, peakMb: res?.peakMb ?? memoryMb, note: failure.note });
        else record({ index, seedName: res!.seedName, outcome: classify(res!.targets), targets: res!.targets, ms: res!.ms, cpuMs: res!.cpuMs, peakMb: res!.peakMb });
      }
    } finally {
      await slot.worker.terminate();
    }
  };
  const seedNameOf = (index: number): string => {
    const given = o.bytes?.[index - start];
    if (given) return given.seedName;
    if (kind !== 'readers') return kind;
    prepared ??= prepareSeeds(o.corpus);
    return generateCase(prepared, o.seed, index).seedName;
  };

  await Promise.all(Array.from({ length: Math.min(jobs, total) }, lane));
  summary.elapsedMs = performance.now() - t0;
  return summary;
}
