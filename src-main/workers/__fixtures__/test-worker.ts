// Worker used by worker-pool.test.ts: tasks that progress, stream, hang, crash and fail.
import { defineWorkerTasks } from '../worker-runtime';
import { InvalidInputError } from '../../common/errors';

defineWorkerTasks({
  /** When this worker's environment started (its own performance.timeOrigin). */
  async startedAt() {
    return performance.timeOrigin;
  },
  async sum(payload: { values: number[] }, ctx) {
    let total = 0;
    for (let i = 0; i < payload.values.length; i++) {
      total += payload.values[i];
      ctx.progress({ done: i + 1, total: payload.values.length });
    }
    return total;
  },
  async count(payload: { chunks: number; size: number }, ctx) {
    for (let i = 0; i < payload.chunks; i++) {
      const chunk = new Uint8Array(payload.size).fill(i & 0xff);
      await ctx.write(chunk);
    }
    return payload.chunks;
  },
  async waitForCancel(_payload, ctx) {
    ctx.progress('started');
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    return 'stopped';
  },
  async spin() {
    const end = Date.now() + 60_000;
    while (Date.now() < end) { /* synchronous: ignores cancel */ }
    return 'never';
  },
  async crash() {
    process.exit(3);
  },
  async fail() {
    throw new InvalidInputError('bad payload', { field: 'x' });
  },
});
