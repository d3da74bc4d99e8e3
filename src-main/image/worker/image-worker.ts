// Worker-thread entry of the image engine: runs the same in-process functions (plan + streaming
// writer) and hands each output chunk to the host by transfer. Imports only image code and common/.
import { defineWorkerTasks } from '../../workers/worker-runtime';
import { planImage, type ImageSpec } from '../layout/plan-image';
import { writeImage } from '../writer/write-image';

export interface BuildPayload {
  spec: ImageSpec;
  chunkSize?: number;
}

export type ImageWorkerProgress =
  | { phase: 'planned'; totalSectors: number }
  | { phase: 'writing'; bytesWritten: number; totalBytes: number };

defineWorkerTasks({
  async plan(payload: BuildPayload) {
    const plan = await planImage(payload.spec);
    return { totalSectors: plan.totalSectors, isoLevel: plan.isoLevel };
  },
  async build(payload: BuildPayload, ctx) {
    const plan = await planImage(payload.spec);
    ctx.progress({ phase: 'planned', totalSectors: plan.totalSectors } satisfies ImageWorkerProgress);
    const chunks = writeImage(plan, {
      signal: ctx.signal,
      chunkSize: payload.chunkSize,
      reuseBuffer: false, // chunks are transferred to the host thread
      onProgress: (p) => ctx.progress({ phase: 'writing', ...p } satisfies ImageWorkerProgress),
    });
    for await (const chunk of chunks) await ctx.write(chunk);
    return { totalSectors: plan.totalSectors };
  },
});
