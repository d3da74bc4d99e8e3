// Burnable sources made by the image pipeline, with no temporary .iso: a project or SRC… streamed
// by the image engine (ImageEngine.source), and the next session of a multisession disc planned
// from the disc's own last session (read/disc-session.ts) or grown in place (grow-in-place.ts).
//
// MUST rules (burn-service.ts ByteSourceFactory):
// - every call of a factory gives the same bytes: the burn reads one source, the full verify a
//   second. The dates the image makes itself are pinned to the first call's time (options.date),
//   and the tree is snapshotted when the factory is made, so a project edited during the burn does
//   not change what the verify expects;
// - a multisession source is planned once, at the next writable address the leased drive reports,
//   and says so (PlacedByteSource.startLba) so the burn refuses to write it anywhere else.
import { InvalidInputError, InvalidMediaError, NotFoundError } from '../common/errors';
import type { ImageOptions } from '../common/model/image-options';
import type { ByteSource } from '../image/byte-source';
import type { ImageEngine } from '../image/image-engine';
import { imageSpecFor, stageSources, type ImageRequest } from '../image/image-spec';
import type { ImagePlan } from '../image/layout/plan-image';
import { mergeInto, StagingTree } from '../image/staging/staging-tree';
import { importDiscSession, StreamByteSource } from '../read/disc-session';
import { readDiscLayout } from '../read/disc-layout';
import { driveBlockReader } from '../read/drive-block-reader';
import { importPreviousSession, planMultisession } from '../image/multisession/multisession';
import type { UdfRevision } from '../image/udf/plan';
import { GrowingSessionSource, readOldVolumeHead } from './grow-in-place';
import { stageManifest } from './manifest';
import type { ByteSourceFactory, PlacedByteSource, SourceDisc } from './burn-service';

/** The options with the image's own dates fixed, so a second build (the verify's) gives the same bytes. */
function pinned(options: ImageOptions): ImageOptions {
  return options.date !== undefined ? options : { ...options, date: new Date().toISOString() };
}

/**
 * A whole image (from sector 0) streamed by the image engine: the project's tree (`root`) and/or
 * host sources scanned in the engine's worker. The capacity check sees the planned size: the
 * source resolves once the engine has planned it, before the strategy's first write.
 */
export function engineSourceFactory(engine: () => ImageEngine, request: ImageRequest, opts: { description?: string; manifest?: boolean } = {}): ByteSourceFactory {
  if (request.options.multisession) throw new InvalidInputError('a burn appends sessions from the disc itself (--multisession), not from an image file (--import)');
  const fixed: ImageRequest = { ...request, options: pinned(request.options), root: request.root && structuredClone(request.root) };
  if (opts.manifest) {
    // The manifest needs the tree here: the sources are staged on this thread (then the engine gets the staged root).
    const unstaged = fixed;
    let staging: Promise<ImageRequest> | undefined;
    return async (disc?: SourceDisc) => {
      staging ??= (async () => {
        const tree = new StagingTree({ now: new Date(unstaged.options.date!) });
        if (unstaged.root) mergeInto(tree.root, unstaged.root);
        stageSources(unstaged, tree);
        await stageManifest(tree, { signal: disc?.signal, hashHostFiles: (paths) => engine().hashFiles(paths, { signal: disc?.signal }) });
        return { options: unstaged.options, root: tree.root };
      })();
      return engine().source(await staging, { signal: disc?.signal, description: opts.description });
    };
  }
  return (disc?: SourceDisc) => engine().source(fixed, { signal: disc?.signal, description: opts.description });
}

export interface DiscSessionRequest extends ImageRequest {
  /** Paths (in the disc's tree) to leave out of the new session. */
  remove?: string[];
  /** Stage `.glassmaster/SHA256SUMS` over the whole new tree (manifest.ts). */
  manifest?: boolean;
}

/**
 * `burn --multisession`. On overwritable media (DVD+RW, DVD-RAM, BD-RE, restricted-overwrite DVD-RW)
 * the file system at sector 0 grows in place (grow-in-place.ts: the new tree after the old data,
 * then its descriptors at 16 and its UDF anchor at 256). On an appendable sequential disc (CD-R/RW, DVD±R, DVD-RW sequential, BD-R
 * SRM) the last session's file systems are read from the disc through the leased drive, the
 * request's sources are added on top (same path: replaced), `remove` is taken out, and the next
 * session is planned at the drive's next writable address: ISO 9660/Joliet/Rock Ridge (and UDF when
 * the last session had it) over the merged tree, old files pointing at their recorded extents. A
 * blank disc gets a first session (the same image as a plain burn). Planned on the calling thread
 * (importing reads only the file-system structures; the stream reads only the new files).
 */
export function discSessionFactory(engine: () => ImageEngine, request: DiscSessionRequest): ByteSourceFactory {
  const options = pinned(request.options);
  if (options.multisession) throw new InvalidInputError('a burn appends sessions from the disc itself (--multisession), not from an image file (--import)');
  let planned: { plan: ImagePlan; stream: Awaited<ReturnType<typeof planMultisession>>['stream']; startLba: number; grow?: { run: number; anchorAt256: boolean } } | undefined;
  let whole: ByteSourceFactory | undefined;
  const root = request.root && structuredClone(request.root);
  return async (disc?: SourceDisc): Promise<ByteSource> => {
    if (whole) return whole(disc);
    if (!planned) {
      if (!disc) throw new InvalidInputError('the next session is planned from the disc in the drive');
      if (disc.media.status === 'blank') {
        if (request.remove?.length) throw new InvalidMediaError('the disc is blank: there is nothing to remove from it');
        whole = engineSourceFactory(engine, { options, sources: request.sources, root }, { manifest: request.manifest });
        return whole(disc);
      }
      const tree = new StagingTree({ now: new Date(options.date!) });
      let imported: { startLba: number; lastSessionEnd: number; udfRevision?: UdfRevision };
      let grow: { run: number; anchorAt256: boolean } | undefined;
      const layout = await readDiscLayout(disc.drive, disc.signal);
      if (layout.random) {
        // Overwritable media: the volume at sector 0 grows in place (grow-in-place.ts).
        const head = await readOldVolumeHead(disc.drive, disc.signal);
        if (!head.hasIso) {
          if (request.remove?.length) throw new InvalidMediaError('the disc holds no ISO 9660 file system: there is nothing to remove from it');
          whole = engineSourceFactory(engine, { options, sources: request.sources, root }, { manifest: request.manifest });
          return whole(disc);
        }
        const reader = driveBlockReader(disc.drive, { sectorCount: layout.end, signal: disc.signal });
        const prev = await importPreviousSession(tree, reader, { sessionStart: 0 });
        // ECC blocks: DVD 16 sectors, BD 32; start the new tree on a BD cluster.
        imported = { startLba: Math.ceil((prev.lastSessionEnd + 1) / 32) * 32, lastSessionEnd: prev.lastSessionEnd, udfRevision: head.anchorAt256 ? prev.udfRevision : undefined };
        grow = head;
      } else {
        if (disc.media.status === 'complete') throw new InvalidMediaError('The disc is closed (finalized): no further session can be written to it.');
        imported = await importDiscSession(disc.drive, tree, { signal: disc.signal });
      }
      for (const p of request.remove ?? []) {
        try {
          tree.remove(p);
        } catch (e) {
          if (e instanceof NotFoundError) throw new InvalidInputError(`--remove ${p}: the disc's last session has no such file or folder`, { path: p });
          throw e;
        }
      }
      if (root) {
        // A staged tree (the project) goes on top of the disc's: same paths replace.
        mergeInto(tree.root, root);
      }
      stageSources({ ...request, options }, tree);
      if (request.manifest) {
        const reader = driveBlockReader(disc.drive, { sectorCount: (await disc.drive.media(disc.signal)).capacityBlocks || Number.MAX_SAFE_INTEGER, signal: disc.signal });
        await stageManifest(tree, {
          signal: disc.signal,
          hashHostFiles: (paths) => engine().hashFiles(paths, { signal: disc.signal }),
          readPrevious: async (lba, size) => (await reader.read(lba, Math.ceil(size / 2048))).subarray(0, size),
        });
      }
      let spec = imageSpecFor(options, tree.root, { udfRevision: imported.udfRevision });
      // Grown in place, UDF needs the anchor at 256 to move to the new tree: only when the old volume had it there.
      if (grow && !grow.anchorAt256) spec = { ...spec, udf: false };
      const { plan, stream } = await planMultisession({ ...spec, startLba: imported.startLba, previousEnd: imported.lastSessionEnd, previousUdfRevision: imported.udfRevision });
      planned = { plan, stream, startLba: imported.startLba, grow };
    }
    const p = planned;
    const total = p.plan.totalSectors - p.startLba;
    const source = new StreamByteSource('the next session', total, (signal) => p.stream({ signal, reuseBuffer: false }));
    if (p.grow) return new GrowingSessionSource(source, p.startLba, p.grow);
    return Object.assign(source, { startLba: p.startLba }) as PlacedByteSource;
  };
}

/**
 * burn.start {kind:'project'}: the open project (snapshotted now) as a whole disc, or with
 * `multisession` as the disc's next session, leaving out `remove` (paths of the disc's last
 * session). A next session that only removes files is a change too: the project may then be empty.
 */
export function projectBurnSource(engine: () => ImageEngine, project: { snapshot(): { files: number; folders: number }; imageRequest(): ImageRequest }, multisession = false, manifest = true, remove: string[] = []): ByteSourceFactory {
  const { files, folders } = project.snapshot();
  if (remove.length && !multisession) throw new InvalidInputError('removing files from a disc needs a multisession burn (the next session leaves them out)');
  if (files + folders === 0 && !(multisession && remove.length)) throw new InvalidInputError('The project is empty: add files or folders before burning it.');
  const request = project.imageRequest();
  return multisession ? discSessionFactory(engine, { ...request, manifest, remove }) : engineSourceFactory(engine, request, { description: 'the project', manifest });
}
