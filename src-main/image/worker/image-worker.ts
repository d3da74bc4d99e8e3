// Worker-thread entry of the image engine (ImageEngine's pool): stages, plans and writes images
// (image-output.ts). Its copier threads run the entry beside it (copy-worker.ts).
// Imports only image code, workers/ and common/. What a plain build does not use (preflight, the
// boot inspection, a disc's next session: they read images with the reader) is imported when first
// asked for: its modules are evaluated then (the built entry is one file, electron.vite.config.ts,
// so its code is in that file but not run at start).
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineWorkerTasks, type TaskContext } from '../../workers/worker-runtime';
import { tsWorkerScript } from '../../workers/ts-worker-script';
import type { WorkerScript } from '../writer/data-copier';
import { planRequest, streamRequest, writeRequestFile, type ImageWorkerProgress, type OutputContext } from '../image-output';
import type { ImageRequest } from '../image-spec';
import type { StagingTree } from '../staging/staging-tree';
import type { OutputPlan } from '../output-file';
import { planImage, type ImageSpec } from '../layout/plan-image';
import { InvalidInputError } from '../../common/errors';
import type { ProjectPreflightPayload } from '../project-checks';
import { unpackTree } from '../staging/packed-tree';
import { scanHostPath, type ScanPayload } from '../staging/scan-task';
import { ScanCache } from '../staging/scan-cache';
import { hashHostFiles, type HashFilesPayload } from './hash-files-task';
import type { DiscSessionPayload } from './disc-session-task';

export type { ImageWorkerProgress };

/** An ImageRequest (options + sources/tree), or a ready ImageSpec (tests, callers with their own spec). */
export type ImageInput = ImageRequest | ImageSpec;

export interface BuildPayload {
  spec: ImageInput;
  chunkSize?: number;
  /**
   * A burn's checksum manifest (`.glassmaster/SHA256SUMS`, burn/manifest.ts), staged here over the
   * whole tree: `true` hashes the host files (and reports the text: the 'manifest' progress event);
   * a string is that text again, for a second build of the same tree (the verify's, another copy).
   */
  manifest?: boolean | string;
}

export interface WriteFilePayload extends BuildPayload {
  /** Decided by the caller's planOutput (output-file.ts): the worker only opens and writes it. */
  out: OutputPlan;
}

/**
 * The copier threads' entry: copy-worker beside this file — the built .js (or the bench's .mjs)
 * beside the built one, the TypeScript source through tsx beside the source.
 */
function copyWorkerEntry(): WorkerScript {
  const here = fileURLToPath(import.meta.url);
  const file = join(dirname(here), basename(here).replace('image-worker', 'copy-worker'));
  return { script: here.endsWith('.ts') ? tsWorkerScript(file) : file };
}

/** The project's scans this worker holds (scan-cache.ts): a packed tree refers to their folders. */
const scans = new ScanCache();

/**
 * A request whose tree came packed (the app's main thread) gets its nodes back here, in the
 * worker: folders sent by reference are this worker's held scan nodes (scan-cache.ts).
 */
function unpacked(spec: ImageInput): ImageInput {
  if (!('options' in spec) || !spec.packedRoot) return spec;
  const { packedRoot, ...rest } = spec;
  // Host sources are merged into the request's tree (image-spec.ts stageSources), which would
  // modify held nodes (scan-cache.ts MUST 1): the project never sends both.
  if (packedRoot.refs?.length && rest.sources?.length) throw new InvalidInputError('a request with held scan references cannot add host sources');
  return { ...rest, root: unpackTree(packedRoot, (scan, node, name) => scans.resolve(scan, node, name)) };
}

const output = (ctx: TaskContext): OutputContext => ({ signal: ctx.signal, progress: (p) => ctx.progress(p) });

/**
 * The burn's checksum manifest over the staged tree, in this worker: the host files hashed here
 * (no thread hop per file), or `known` text from an earlier build of the same tree. Loaded only
 * when asked, as the other tasks beside a build are: the worker stays small for every other task.
 */
async function stageManifestHere(tree: StagingTree, known: true | string, ctx: TaskContext): Promise<void> {
  const { MANIFEST_PATH, ownManifestFolder, stageManifest } = await import('../../burn/manifest');
  if (typeof known === 'string') {
    // A `.glassmaster` folder of the project may be a held scan node: the manifest goes into a copy.
    ownManifestFolder(tree);
    if (tree.get(`/${MANIFEST_PATH}`)) tree.remove(`/${MANIFEST_PATH}`);
    tree.addBuffer(`/${MANIFEST_PATH}`, Buffer.from(known, 'utf8'));
    return;
  }
  await stageManifest(tree, { signal: ctx.signal, hashHostFiles: (paths) => hashHostFiles({ paths }, ctx.signal) });
  const staged = tree.get(`/${MANIFEST_PATH}`);
  const text = staged?.source?.type === 'buffer' ? Buffer.from(staged.source.data).toString('utf8') : '';
  ctx.progress({ phase: 'manifest', text });
}

defineWorkerTasks({
  /** SHA-256 of host files for the burn's checksum manifest (burn/hash-files-task.ts). */
  async hashFiles(payload: HashFilesPayload, ctx) {
    return hashHostFiles(payload, ctx.signal);
  },
  async plan(payload: BuildPayload, ctx) {
    payload = { ...payload, spec: unpacked(payload.spec) };
    if ('options' in payload.spec) return planRequest(payload.spec, output(ctx));
    const plan = await planImage(payload.spec);
    return { totalSectors: plan.totalSectors, startLba: plan.startLba };
  },
  async build(payload: BuildPayload, ctx) {
    payload = { ...payload, spec: unpacked(payload.spec) };
    const manifest = payload.manifest;
    const prepare = manifest ? (tree: StagingTree) => stageManifestHere(tree, manifest, ctx) : undefined;
    return streamRequest(payload.spec, output(ctx), (chunk) => ctx.write(chunk), { chunkSize: payload.chunkSize, prepare });
  },
  async writeFile(payload: WriteFilePayload, ctx) {
    payload = { ...payload, spec: unpacked(payload.spec) };
    return writeRequestFile(payload.spec, payload.out, output(ctx), copyWorkerEntry(), { chunkSize: payload.chunkSize });
  },
  /** A host file or folder read into a staged subtree here, so the caller's thread never walks a folder. */
  async scan(payload: ScanPayload, ctx) {
    return scanHostPath(payload, ctx.signal, scans);
  },
  /** Scans the project no longer refers to (scan-cache.ts MUST 3). */
  async releaseScans(payload: { scans: string[] }) {
    scans.release(payload.scans);
  },
  /** Preflight of a staged tree (the project's) with its options and the target capacity. */
  async preflight(payload: ProjectPreflightPayload & { spec: ImageInput }) {
    const spec = unpacked(payload.spec);
    if (!('options' in spec) || !spec.root) throw new InvalidInputError('preflight needs a staged tree');
    const { preflightProject } = await import('../project-checks');
    return preflightProject(spec.root, payload);
  },
  /** The boot inspection of a written image. */
  async inspectBoot(payload: { path: string }) {
    const { inspectImageBoot } = await import('../project-checks');
    return inspectImageBoot(payload.path);
  },
  /** The next session of a disc: its last session read through the caller's drive, planned and streamed here (disc-session-task.ts). */
  async discSession(payload: DiscSessionPayload, ctx) {
    // The project's folders may come by reference to this worker's scans, as for a plain build.
    const { streamDiscSession } = await import('./disc-session-task');
    return streamDiscSession({ ...payload, request: unpacked(payload.request) as DiscSessionPayload['request'] }, ctx);
  },
});
