// Burnable sources made by the image pipeline, with no temporary .iso: a project or SRC… streamed
// by the image engine (ImageEngine.source), and the next session of a multisession disc planned
// from the disc's own last session (read/disc-session.ts) or grown in place (grow-in-place.ts).
//
// MUST rules (burn-service.ts ByteSourceFactory):
// - every call of a factory gives the same bytes: the burn reads one source, the full verify a
//   second. The dates the image makes itself are pinned to the first call's time (options.date),
//   and the tree is snapshotted when the factory is made, so a project edited during the burn does
//   not change what the verify expects;
// - a multisession source is planned at the next writable address the leased drive reports at the
//   first call, and says so (PlacedByteSource.startLba) so the burn refuses to write it anywhere
//   else; the planning runs in an image worker, never on the calling thread.
import { InvalidInputError, InvalidMediaError } from '../common/errors';
import type { ImageOptions } from '../common/model/image-options';
import type { ByteSource } from '../image/byte-source';
import type { ImageEngine } from '../image/image-engine';
import type { ImageRequest } from '../image/image-spec';
import { scanNotHeld } from '../image/staging/scan-cache';
import { readDiscLayout } from '../read/disc-layout';
import { driveBlockReader } from '../read/drive-block-reader';
import type { DiscSessionPayload } from '../image/worker/disc-session-task';
import type { BlockReader } from '../image/reader/block-reader';
import type { Drive } from '../drive/drive';
import { buildRead10 } from '../mmc/commands/read';
import { GrowingSessionSource, readOldVolumeHead } from './grow-in-place';
import type { ByteSourceFactory, PlacedByteSource, SourceDisc } from './burn-service';

/** The options with the image's own dates fixed, so a second build (the verify's) gives the same bytes. */
function pinned(options: ImageOptions): ImageOptions {
  return options.date !== undefined ? options : { ...options, date: new Date().toISOString() };
}

/**
 * A whole image (from sector 0) streamed by the image engine: the project's tree (`root`, or packed
 * as `packedRoot`, its scanned folders by reference) and/or host sources scanned in the engine's
 * worker. The capacity check sees the planned size: the source resolves once the engine has
 * planned it, before the strategy's first write. With `manifest`, the worker stages
 * `.glassmaster/SHA256SUMS` over the whole tree (hashing every host file there, never on this
 * thread) and reports its text, which the factory's later calls pass back: one hashing per burn.
 * `fallback`: the request again when the worker no longer holds a scan the first one refers to
 * (scan-cache.ts MUST 2), asked once.
 */
export function engineSourceFactory(
  engine: () => ImageEngine, request: ImageRequest, opts: { description?: string; manifest?: boolean; fallback?: () => Promise<ImageRequest> } = {},
): ByteSourceFactory {
  if (request.options.multisession) throw new InvalidInputError('a burn appends sessions from the disc itself (--multisession), not from an image file (--import)');
  let fixed: ImageRequest = { ...request, options: pinned(request.options), root: request.root && structuredClone(request.root) };
  let manifestText: string | undefined;
  let fallback = opts.fallback;
  const open = (disc?: SourceDisc) => engine().source(fixed, {
    signal: disc?.signal,
    description: opts.description,
    manifest: opts.manifest ? (manifestText ?? true) : undefined,
    onProgress: (p) => {
      if (p.phase === 'manifest') manifestText = p.text;
    },
  });
  return async (disc?: SourceDisc) => {
    try {
      return await open(disc);
    } catch (err) {
      const again = fallback;
      if (!again || scanNotHeld(err) === undefined) throw err;
      fallback = undefined;
      fixed = { ...(await again()), options: fixed.options };
      return open(disc);
    }
  };
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
 * blank disc gets a first session (the same image as a plain burn).
 *
 * Off the calling thread: this thread asks the drive only for the layout, the next writable address
 * and (overwritable media) the old volume head; importing the last session, merging, staging the
 * sources and the manifest, planning and producing the sectors run in an image worker
 * (image/worker/disc-session-task.ts), which reads the disc through a port this thread answers.
 * The verify's second call plans the same session again from the same inputs: the old session
 * (sequential media: still on the disc; grown in place: its descriptors at 16… and 256 as read
 * before the burn, served in place of the new ones) at the same address, with the pinned date.
 */
export function discSessionFactory(engine: () => ImageEngine, request: DiscSessionRequest, fallback?: () => Promise<ImageRequest>): ByteSourceFactory {
  const options = pinned(request.options);
  if (options.multisession) throw new InvalidInputError('a burn appends sessions from the disc itself (--multisession), not from an image file (--import)');
  let whole: ByteSourceFactory | undefined;
  let fixed: { drive: Drive; sectorCount: number; payload: Omit<DiscSessionPayload, 'port' | 'sectorCount'>; grow?: { run: number; anchorAt256: boolean }; before?: Map<number, Buffer>; seen?: Map<number, Buffer> } | undefined;
  const root = request.root && structuredClone(request.root);
  const imageRequest = { options, sources: request.sources, root, packedRoot: request.packedRoot };
  return async (disc?: SourceDisc): Promise<ByteSource> => {
    if (whole) return whole(disc);
    if (!fixed) {
      if (!disc) throw new InvalidInputError('the next session is planned from the disc in the drive');
      if (disc.media.status === 'blank') {
        if (request.remove?.length) throw new InvalidMediaError('the disc is blank: there is nothing to remove from it');
        whole = engineSourceFactory(engine, { options, sources: request.sources, root, packedRoot: request.packedRoot }, { manifest: request.manifest, fallback });
        return whole(disc);
      }
      const layout = await readDiscLayout(disc.drive, disc.signal);
      const base = { request: imageRequest, remove: request.remove, manifest: request.manifest };
      if (layout.random) {
        // Overwritable media: the volume at sector 0 grows in place (grow-in-place.ts).
        const head = await readOldVolumeHead(disc.drive, disc.signal);
        if (!head.hasIso) {
          if (request.remove?.length) throw new InvalidMediaError('the disc holds no ISO 9660 file system: there is nothing to remove from it');
          whole = engineSourceFactory(engine, { options, sources: request.sources, root, packedRoot: request.packedRoot }, { manifest: request.manifest, fallback });
          return whole(disc);
        }
        fixed = { drive: disc.drive, sectorCount: layout.end, payload: { ...base, grow: { anchorAt256: head.anchorAt256 } }, grow: head, before: await volumeHead(disc.drive, disc.signal) };
      } else {
        if (disc.media.status === 'complete') throw new InvalidMediaError('The disc is closed (finalized): no further session can be written to it.');
        if (layout.status === 'blank' || layout.sessions.length === 0) throw new InvalidMediaError('the disc is blank: there is no session to continue (burn a first session instead)');
        if (layout.status !== 'appendable' || layout.nextWritableAddress === undefined) throw new InvalidMediaError('the disc is closed: no further session can be written to it', { status: layout.status });
        const last = layout.sessions[layout.sessions.length - 1];
        // An audio CD left appendable (the first half of an Enhanced CD): no file system to continue;
        // the new session is the disc's first data session, placed at the next writable address.
        const audioOnly = layout.family === 'cd' && layout.tracks.length > 0 && layout.tracks.every((t) => t.audio);
        fixed = { drive: disc.drive, sectorCount: layout.end, payload: { ...base, sequential: { sessionStart: last.start, nextWritableAddress: layout.nextWritableAddress, audioOnly } } };
      }
    }
    const f = fixed;
    // Grown in place, the first planning records what it reads; later ones are served that record.
    const firstPlanning = f.seen === undefined;
    const plan = async (): Promise<ByteSource> => {
      const drive = driveBlockReader(f.drive, { sectorCount: f.sectorCount, signal: disc?.signal });
      // Grown in place, the burn overwrites what the first planning read (the old volume's head, and
      // UDF/ISO structures the new tree replaces): the verify's second planning must read the disc as
      // the first one saw it, so every sector the first planning read is kept and served again.
      // (Sequential media keep the old sessions untouched: the disc itself is the same input.)
      const reader = !f.before ? drive : f.seen ? withSectors(drive, f.seen) : withSectors(drive, (f.seen = new Map(f.before)), true);
      const { source, startLba } = await engine().discSessionSource(f.payload, reader, { signal: disc?.signal, description: 'the next session' });
      if (f.grow) return new GrowingSessionSource(source, startLba, f.grow);
      return Object.assign(source, { startLba }) as PlacedByteSource;
    };
    try {
      return await plan();
    } catch (err) {
      const again = fallback;
      if (!again || scanNotHeld(err) === undefined) throw err;
      // The worker no longer holds a scan the project referred to: the tree packed whole, once. The
      // worker refused before reading the disc: a first planning recorded nothing yet (start the
      // record again); a later one keeps the first one's record (the disc as it was before the burn).
      fallback = undefined;
      if (firstPlanning) f.seen = undefined;
      f.payload = { ...f.payload, request: { ...(await again()), options } };
      return plan();
    }
  };
}

/** Sectors 16…31 and 256 of an overwritable disc as they are before it grows (the old tree's descriptors and anchor). */
async function volumeHead(drive: Drive, signal?: AbortSignal): Promise<Map<number, Buffer>> {
  const head = Buffer.from(await drive.query(buildRead10(16, 16), { signal }));
  const at256 = Buffer.from(await drive.query(buildRead10(256, 1), { signal }));
  const out = new Map<number, Buffer>([[256, at256]]);
  for (let i = 0; i < 16; i++) out.set(16 + i, head.subarray(i * 2048, (i + 1) * 2048));
  return out;
}

/** `reader` with some sectors answered from `sectors` instead (the disc as the first planning read it); with `record`, every other sector read is kept in `sectors` too. */
function withSectors(reader: BlockReader, sectors: Map<number, Buffer>, record = false): BlockReader {
  return {
    sectorCount: reader.sectorCount,
    async read(lba, count) {
      const b = await reader.read(lba, count);
      for (let i = 0; i < count; i++) {
        const kept = sectors.get(lba + i);
        if (kept) kept.copy(b, i * 2048);
        else if (record) sectors.set(lba + i, Buffer.from(b.subarray(i * 2048, (i + 1) * 2048)));
      }
      return b;
    },
  };
}

/**
 * burn.start {kind:'project'}: the open project (snapshotted now: ProjectService.burnRequest) as a whole disc, or with
 * `multisession` as the disc's next session, leaving out `remove` (paths of the disc's last
 * session). A next session that only removes files is a change too: the project may then be empty.
 * The project goes as it goes to a write (ProjectService.burnRequest: scanned folders by reference
 * to the image worker's scans, which stay held until `release`, called when the burn ends).
 */
export async function projectBurnSource(
  engine: () => ImageEngine, project: ProjectForBurn, multisession = false, manifest = true, remove: string[] = [], signal?: AbortSignal,
): Promise<{ open: ByteSourceFactory; release: () => void }> {
  const { files, folders } = project.snapshot();
  if (remove.length && !multisession) throw new InvalidInputError('removing files from a disc needs a multisession burn (the next session leaves them out)');
  if (files + folders === 0 && !(multisession && remove.length)) throw new InvalidInputError('The project is empty: add files or folders before burning it.');
  const { request, references, whole, release } = await project.burnRequest(signal);
  const fallback = references ? whole : undefined;
  const open = multisession ? discSessionFactory(engine, { ...request, manifest, remove }, fallback) : engineSourceFactory(engine, request, { description: 'the project', manifest, fallback });
  return { open, release };
}

/** What projectBurnSource needs of the project (ProjectService). */
export interface ProjectForBurn {
  snapshot(): { files: number; folders: number };
  burnRequest(signal?: AbortSignal): Promise<{ request: ImageRequest; references: boolean; whole: () => Promise<ImageRequest>; release: () => void }>;
}
