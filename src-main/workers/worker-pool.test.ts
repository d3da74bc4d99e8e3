import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WorkerPool } from './worker-pool';
import { tsWorkerScript } from './ts-worker-script';
import { CancelledError, GlassmasterError, InternalError } from '../common/errors';

const script = tsWorkerScript(fileURLToPath(new URL('./__fixtures__/test-worker.ts', import.meta.url)));
let pool: WorkerPool;

function makePool(size = 2) {
  pool = new WorkerPool({ script, size, cancelGraceMs: 500, streamCredit: 2 });
  return pool;
}

afterEach(async () => {
  await pool?.close();
});

describe('WorkerPool', () => {
  it('runs a task and reports every progress event in order', async () => {
    const events: Array<{ done: number }> = [];
    const total = await makePool().run<number>('sum', { values: [1, 2, 3, 4] }, { onProgress: (e) => events.push(e) });
    expect(total).toBe(10);
    expect(events.map((e) => e.done)).toEqual([1, 2, 3, 4]);
  });

  it('runs more jobs than workers (queued FIFO) and returns each its own result', async () => {
    const p = makePool(2);
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => p.run<number>('sum', { values: [n, n] })));
    expect(results).toEqual([2, 4, 6, 8, 10]);
  });

  it('streams chunks in order with backpressure', async () => {
    const p = makePool(1);
    const seen: number[] = [];
    for await (const chunk of p.stream('count', { chunks: 20, size: 4096 })) {
      expect(chunk.byteLength).toBe(4096);
      seen.push(chunk[0]);
    }
    expect(seen).toEqual([...Array(20).keys()]);
  });

  it('cancels a running job cooperatively with CancelledError and keeps the worker usable', async () => {
    const p = makePool(1);
    const ac = new AbortController();
    const running = p.run('waitForCancel', {}, { signal: ac.signal, onProgress: () => ac.abort() });
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(await p.run('sum', { values: [5] })).toBe(5);
  });

  it('terminates a worker that ignores cancel after the grace period', async () => {
    const p = makePool(1);
    const ac = new AbortController();
    const running = p.run('spin', {}, { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(await p.run('sum', { values: [7] })).toBe(7);
  });

  it('rejects a job whose signal is already aborted without running it', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(makePool().run('sum', { values: [1] }, { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });

  it('fails the job of a crashed worker with InternalError and replaces the worker', async () => {
    const p = makePool(1);
    await expect(p.run('crash', {})).rejects.toBeInstanceOf(InternalError);
    expect(await p.run('sum', { values: [2, 2] })).toBe(4);
  });

  it('carries typed errors from the worker', async () => {
    const err = (await makePool().run('fail', {}).catch((e: unknown) => e)) as GlassmasterError;
    expect(err).toBeInstanceOf(GlassmasterError);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.details).toEqual({ field: 'x' });
  });

  it('cancels a stream when the consumer stops early', async () => {
    const p = makePool(1);
    let n = 0;
    for await (const _chunk of p.stream('count', { chunks: 1000, size: 16 })) {
      if (++n === 3) break;
    }
    expect(n).toBe(3);
    expect(await p.run('sum', { values: [1, 1] })).toBe(2);
  });

  it('prestart() starts the workers before the first job; idle, they do not hold the process', async () => {
    const p = makePool(1);
    p.prestart();
    await new Promise((r) => setTimeout(r, 1500)); // long enough for a worker (tsx) to start
    const submitted = performance.timeOrigin + performance.now();
    const started = await p.run<number>('startedAt', {});
    expect(started).toBeLessThan(submitted - 500);
    // The same worker serves later jobs; a second prestart adds none.
    p.prestart();
    expect(await p.run<number>('startedAt', {})).toBe(started);
    const fixture = fileURLToPath(new URL('./__fixtures__/prestart-idle.ts', import.meta.url));
    const t0 = Date.now();
    expect(execFileSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8', timeout: 30_000 }).trim()).toBe('prestarted');
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('keeps the process alive while a job runs, and lets it exit when idle', () => {
    const fixture = fileURLToPath(new URL('./__fixtures__/keep-alive.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8', timeout: 30_000 });
    expect(out.trim()).toBe('total=42');
  });
});
