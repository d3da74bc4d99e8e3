// Worker-thread entry of the image engine (ImageEngine's pool): stages, plans and writes images
// (image-output.ts), and copies host-file data in place for another image worker (copyPieces).
// Imports only image code, workers/ and common/.
import { defineWorkerTasks, type TaskContext } from '../../workers/worker-runtime';
import { planRequest, streamRequest, writeRequestFile, type ImageWorkerProgress, type OutputContext } from '../image-output';
import type { ImageRequest } from '../image-spec';
import { planImage, type ImageSpec } from '../layout/plan-image';
import { createCopyTask } from '../writer/copy-task';

export type { ImageWorkerProgress };

/** An ImageRequest (options + sources/tree), or a ready ImageSpec (tests, callers with their own spec). */
export type ImageInput = ImageRequest | ImageSpec;

export interface BuildPayload {
  spec: ImageInput;
  chunkSize?: number;
}

export interface WriteFilePayload extends BuildPayload {
  out: string;
  /** This worker's own entry, for its copier threads: a path, or a URL's href (data: bootstrap under tsx). */
  worker: { path?: string; url?: string; execArgv?: string[] };
}

const output = (ctx: TaskContext): OutputContext => ({ signal: ctx.signal, progress: (p) => ctx.progress(p) });

defineWorkerTasks({
  async plan(payload: BuildPayload, ctx) {
    if ('options' in payload.spec) return planRequest(payload.spec, output(ctx));
    const plan = await planImage(payload.spec);
    return { totalSectors: plan.totalSectors, startLba: plan.startLba };
  },
  async build(payload: BuildPayload, ctx) {
    return streamRequest(payload.spec, output(ctx), (chunk) => ctx.write(chunk), { chunkSize: payload.chunkSize });
  },
  async writeFile(payload: WriteFilePayload, ctx) {
    const w = payload.worker;
    const script = w.url !== undefined ? new URL(w.url) : w.path!;
    return writeRequestFile(payload.spec, payload.out, output(ctx), { script, execArgv: w.execArgv }, { chunkSize: payload.chunkSize });
  },
  copyPieces: createCopyTask(),
});
