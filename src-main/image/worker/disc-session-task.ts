// The next session of a disc, planned and produced in the image worker (issue #10: before, it was
// planned on the caller's thread — Electron's main process, serve's event loop — and a disc of
// 50,000 files held that loop for seconds). The caller reads only what the drive must tell it
// (layout, next writable address, the head of a random-writable volume); the worker reads the last
// session's file systems through a port to the caller's drive (remote-block-reader.ts), merges the
// request on top (same paths replace; `remove` leaves paths out), stages the host sources, the
// checksum manifest when asked, plans the increment (image/multisession) and streams its sectors
// as the build task does (chunks transferred, the host's credit bounding what is ahead).
import type { MessagePort } from 'node:worker_threads';
import { InvalidInputError, InvalidMediaError, NotFoundError } from '../../common/errors';
import type { TaskContext } from '../../workers/worker-runtime';
import { imageSpecFor, stageSources, type ImageRequest } from '../image-spec';
import { importPreviousSession, planMultisession } from '../multisession/multisession';
import { mergeInto, StagingTree } from '../staging/staging-tree';
import { unpackTree } from '../staging/packed-tree';
import type { UdfRevision } from '../udf/plan';
import { hashHostFiles } from './hash-files-task';
import { portBlockReader } from './remote-block-reader';

export interface DiscSessionPayload {
  /** Options (with `date` pinned by the caller), sources, and the project's tree (root or packedRoot). */
  request: ImageRequest;
  remove?: string[];
  /** Stage `.glassmaster/SHA256SUMS` over the whole new tree (burn/manifest.ts). */
  manifest?: boolean;
  /** Sectors the port's reader covers. */
  sectorCount: number;
  /**
   * Sequential media: the last session's first sector and the drive's next writable address.
   * `audioOnly`: every recorded track is audio (the first session of an Enhanced CD / CD-Extra):
   * there is no file system to import, the new session is the disc's first data session.
   */
  sequential?: { sessionStart: number; nextWritableAddress: number; audioOnly?: boolean };
  /** Random-writable media: the volume at 0 grows in place (burn/grow-in-place.ts); whether 256 holds its UDF anchor. */
  grow?: { anchorAt256: boolean };
  /** The caller's drive, read through serveBlockReader. */
  port: MessagePort;
  chunkSize?: number;
}

/** Progress of the task: 'planned' carries the increment's first sector and size, before the first chunk. */
export type DiscSessionProgress = { phase: 'planned'; startLba: number; totalSectors: number } | { phase: 'writing'; sectorsWritten?: number };

export async function streamDiscSession(payload: DiscSessionPayload, ctx: TaskContext): Promise<{ startLba: number; totalSectors: number }> {
  const reader = portBlockReader(payload.port, payload.sectorCount);
  const { request } = payload;
  const options = request.options;
  if (options.date === undefined) throw new InvalidInputError('the next session needs its date pinned by the caller (both reads of a burn make the same bytes)');
  const tree = new StagingTree({ now: new Date(options.date) });
  try {
    let startLba: number;
    let udfRevision: UdfRevision | undefined;
    let previousEnd: number;
    if (payload.sequential?.audioOnly) {
      if (payload.remove?.length) throw new InvalidMediaError('the disc holds only audio tracks: there are no files to remove from it');
      startLba = payload.sequential.nextWritableAddress;
      previousEnd = startLba - 1;
    } else if (payload.sequential) {
      const prev = await importPreviousSession(tree, reader, { sessionStart: payload.sequential.sessionStart });
      const nwa = payload.sequential.nextWritableAddress;
      if (nwa <= prev.lastSessionEnd) throw new InvalidMediaError(`the drive's next writable address ${nwa} lies inside the last session's file system (it ends at ${prev.lastSessionEnd})`);
      startLba = nwa;
      udfRevision = prev.udfRevision;
      previousEnd = prev.lastSessionEnd;
    } else {
      const prev = await importPreviousSession(tree, reader, { sessionStart: 0 });
      // ECC blocks: DVD 16 sectors, BD 32; start the new tree on a BD cluster.
      startLba = Math.ceil((prev.lastSessionEnd + 1) / 32) * 32;
      udfRevision = payload.grow?.anchorAt256 ? prev.udfRevision : undefined;
      previousEnd = prev.lastSessionEnd;
    }
    for (const p of payload.remove ?? []) {
      try {
        tree.remove(p);
      } catch (e) {
        if (e instanceof NotFoundError) throw new InvalidInputError(`--remove ${p}: the disc's last session has no such file or folder`, { path: p });
        throw e;
      }
    }
    // A staged tree (the project) goes on top of the disc's: same paths replace.
    const root = request.packedRoot ? unpackTree(request.packedRoot) : request.root;
    if (root) mergeInto(tree.root, root);
    stageSources(request, tree);
    if (payload.manifest) {
      // Loaded only when asked: the worker stays small for every other task.
      const { stageManifest } = await import('../../burn/manifest');
      await stageManifest(tree, {
        signal: ctx.signal,
        hashHostFiles: (paths) => hashHostFiles({ paths }, ctx.signal),
        readPrevious: async (lba, size) => (await reader.read(lba, Math.ceil(size / 2048))).subarray(0, size),
      });
    }
    let spec = imageSpecFor(options, tree.root, { udfRevision });
    // Grown in place, UDF needs the anchor at 256 to move to the new tree: only when the old volume had it there.
    if (payload.grow && !payload.grow.anchorAt256) spec = { ...spec, udf: false };
    const { plan, stream } = await planMultisession({ ...spec, startLba, previousEnd, previousUdfRevision: udfRevision });
    const totalSectors = plan.totalSectors - startLba;
    ctx.progress({ phase: 'planned', startLba, totalSectors } satisfies DiscSessionProgress);
    for await (const chunk of stream({ signal: ctx.signal, reuseBuffer: false, chunkSize: payload.chunkSize })) await ctx.write(chunk);
    return { startLba, totalSectors };
  } finally {
    reader.close();
    await tree.dispose();
  }
}
