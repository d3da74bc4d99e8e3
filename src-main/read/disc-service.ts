// DiscService: reading, listing and verifying the disc in a drive, for the CLI and the IPC handlers
// alike. Each operation takes the drive lease (DriveService.lease, job 'read' or 'verify') for its
// duration and always releases it: a burn, erase or second read on that drive gets DRIVE_BUSY
// meanwhile and the media watcher polls nothing on it. Read-only leases open the device shared
// (no O_EXCL: it fails with EBUSY while the desktop has the disc mounted, the common case when
// reading) and leave the tray lock alone (drive-service.ts READ_ONLY_JOBS).
import { NotFoundError } from '../common/errors';
import type { DiscVerifyReport } from '../common/model/verify';
import type { DiscProgress, DiscReadReport } from '../common/model/verify-report';
import type { Drive } from '../drive/drive';
import type { DriveJob, DriveService } from '../drive/drive-service';
import { openImage, type ImageInfoJSON, type TreeFacet, type TreeNode } from '../image/reader';
import { verifyDisc, type VerifyTarget } from '../verify/verify-disc';
import { readDiscLayout, type DiscLayout } from './disc-layout';
import { driveBlockReader } from './drive-block-reader';
import { preferredFacet } from './owners';
import { readDisc } from './read-disc';

export interface DiscOperationOptions {
  retries?: number;
  signal?: AbortSignal;
  onProgress?: (p: DiscProgress) => void;
}

export interface DiscListing {
  layout: DiscLayout;
  info: ImageInfoJSON;
  facet: TreeFacet;
  /** The node at the requested path (a directory with its children, or a file). */
  node: TreeNode;
}

export class DiscService {
  constructor(private readonly drives: DriveService) {}

  /** Runs fn on the leased drive and releases the lease whatever happens. */
  private async leased<T>(address: string, job: DriveJob, fn: (drive: Drive) => Promise<T>): Promise<T> {
    const lease = await this.drives.lease(address, job);
    try {
      return await fn(lease.drive);
    } finally {
      await lease.release();
    }
  }

  read(address: string, opts: DiscOperationOptions & { output: string; force?: boolean }): Promise<DiscReadReport> {
    return this.leased(address, 'read', (drive) => readDisc(drive, opts));
  }

  verify(address: string, target: VerifyTarget, opts: DiscOperationOptions = {}): Promise<DiscVerifyReport> {
    return this.leased(address, 'verify', (drive) => verifyDisc(drive, target, opts));
  }

  /** The disc's file systems (the last session's) and the tree at `path` in the preferred facet or `facet`. */
  list(address: string, opts: { path?: string; facet?: TreeFacet; signal?: AbortSignal } = {}): Promise<DiscListing> {
    return this.leased(address, 'read', async (drive) => {
      const layout = await readDiscLayout(drive, opts.signal);
      // An audio CD (or the audio session of an Enhanced CD not yet given its data session) has no
      // file system: say so, rather than "sector 16 is unreadable: illegal mode for this track".
      if (layout.tracks.length > 0 && layout.tracks.every((t) => t.audio)) {
        throw new NotFoundError('The disc holds only audio tracks: there are no files on it (read -o album.cue copies the audio).', { reason: 'audio-only', address });
      }
      const last = layout.sessions[layout.sessions.length - 1];
      const info = await openImage(driveBlockReader(drive, { sectorCount: layout.end, signal: opts.signal }), { signal: opts.signal, sessionStart: layout.sessions.length > 1 ? last.start : undefined });
      const facet = opts.facet ?? preferredFacet(info)!;
      const node = await info.lookup(facet, opts.path ?? '/');
      return { layout, info: info.toJSON(), facet, node };
    });
  }
}
