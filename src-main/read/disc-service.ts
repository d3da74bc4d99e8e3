// DiscService: reading, listing and verifying the disc in a drive, for the CLI and the IPC handlers
// alike. Each operation opens the drive for its duration and always closes it. The open is not
// exclusive: on Linux O_EXCL fails with EBUSY while the desktop has the disc mounted, and reading
// a mounted disc is the common case; keeping a burn off the drive meanwhile is the drive lease's
// job (drive-service.ts, burn side).
import type { DiscProgress, DiscReadReport, DiscVerifyReport } from '../common/model/verify-report';
import type { DriveService } from '../drive/drive-service';
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

  read(address: string, opts: DiscOperationOptions & { output: string; force?: boolean }): Promise<DiscReadReport> {
    return this.drives.withDrive(address, (drive) => readDisc(drive, opts));
  }

  verify(address: string, target: VerifyTarget, opts: DiscOperationOptions = {}): Promise<DiscVerifyReport> {
    return this.drives.withDrive(address, (drive) => verifyDisc(drive, target, opts));
  }

  /** The disc's file systems (the last session's) and the tree at `path` in the preferred facet or `facet`. */
  list(address: string, opts: { path?: string; facet?: TreeFacet; signal?: AbortSignal } = {}): Promise<DiscListing> {
    return this.drives.withDrive(address, async (drive) => {
      const layout = await readDiscLayout(drive, opts.signal);
      const last = layout.sessions[layout.sessions.length - 1];
      const info = await openImage(driveBlockReader(drive, { sectorCount: layout.end, signal: opts.signal }), { signal: opts.signal, sessionStart: layout.sessions.length > 1 ? last.start : undefined });
      const facet = opts.facet ?? preferredFacet(info)!;
      const node = await info.lookup(facet, opts.path ?? '/');
      return { layout, info: info.toJSON(), facet, node };
    });
  }
}
