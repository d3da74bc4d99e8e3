// Worker side of the pool: registers named tasks and runs one at a time per worker thread.
import { parentPort } from 'node:worker_threads';
import { CancelledError, GlassmasterError } from '../common/errors';
import type { HostToWorker, WorkerToHost } from './protocol';

export interface TaskContext {
  readonly signal: AbortSignal;
  /** Reports progress; the host samples it before it crosses any further boundary. */
  progress(data: unknown): void;
  /** Streams a chunk to the host (transferred, not copied). Resolves when the host has room. */
  write(chunk: Uint8Array): Promise<void>;
}

export type TaskHandler = (payload: any, ctx: TaskContext) => Promise<unknown>;

interface Job {
  controller: AbortController;
  credit: number;
  wake?: () => void;
}

export function defineWorkerTasks(tasks: Record<string, TaskHandler>): void {
  const port = parentPort;
  if (!port) throw new Error('defineWorkerTasks must run inside a worker thread');
  const jobs = new Map<number, Job>();
  const send = (msg: WorkerToHost, transfer?: ArrayBuffer[]) => port.postMessage(msg, transfer);

  port.on('message', (msg: HostToWorker) => {
    if (msg.type === 'cancel') {
      const job = jobs.get(msg.id);
      job?.controller.abort();
      job?.wake?.();
      return;
    }
    if (msg.type === 'credit') {
      const job = jobs.get(msg.id);
      if (!job) return;
      job.credit += msg.n;
      job.wake?.();
      return;
    }
    void runJob(msg);
  });

  async function runJob(msg: Extract<HostToWorker, { type: 'run' }>): Promise<void> {
    const job: Job = { controller: new AbortController(), credit: msg.credit };
    jobs.set(msg.id, job);
    const ctx: TaskContext = {
      signal: job.controller.signal,
      progress: (data) => send({ type: 'progress', id: msg.id, data }),
      write: async (chunk) => {
        while (job.credit <= 0 && !job.controller.signal.aborted) {
          await new Promise<void>((resolve) => (job.wake = resolve));
          job.wake = undefined;
        }
        if (job.controller.signal.aborted) throw new CancelledError();
        job.credit--;
        const owned = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
        const out = owned ? chunk : chunk.slice();
        send({ type: 'chunk', id: msg.id, chunk: out }, [out.buffer as ArrayBuffer]);
      },
    };
    try {
      const handler = tasks[msg.task];
      if (!handler) throw new GlassmasterError('INTERNAL', `unknown worker task '${msg.task}'`);
      const result = await handler(msg.payload, ctx);
      if (job.controller.signal.aborted) throw new CancelledError();
      send({ type: 'done', id: msg.id, result });
    } catch (err) {
      const e = job.controller.signal.aborted ? new CancelledError() : GlassmasterError.from(err);
      send({ type: 'error', id: msg.id, error: e.toJSON() });
    } finally {
      jobs.delete(msg.id);
    }
  }
}
