// The image worker's `scan` task (ImageEngine.scan): one host path read into a staged subtree in
// the worker thread, returned packed (packed-tree.ts). The project (ProjectService.addPaths)
// unpacks it in slices and grafts it into its tree,
// so the Electron main process never runs readdir/lstat over a folder of 100,000 files.
// With `keep`, the worker also holds the scanned nodes (scan-cache.ts) and returns the scan's id:
// the project then sends folders it has not changed by reference instead of packing them again.
import { throwIfAborted } from '../../common/errors';
import { StagingTree } from './staging-tree';
import { packTreeOrdered, type PackedTree } from './packed-tree';
import type { ScanCache } from './scan-cache';

export interface ScanPayload {
  hostPath: string;
  followSymlinks?: boolean;
  /** Hold the scanned nodes in this worker (scan-cache.ts) and return their id. */
  keep?: boolean;
}

export interface ScanResult {
  tree: PackedTree;
  /** The held scan's id (with `keep`): node i of `tree` is node i of the scan. */
  scan?: string;
}

/** The node for `hostPath` (a folder with all its descendants), packed; its name is left to the caller. */
export function scanHostPath(payload: ScanPayload, signal?: AbortSignal, cache?: ScanCache): ScanResult {
  throwIfAborted(signal);
  // A throwaway tree: addHostPath places the node under a fixed name; the caller renames it.
  const tree = new StagingTree();
  const node = tree.addHostPath('/scanned', payload.hostPath, { followSymlinks: payload.followSymlinks });
  node.name = '';
  // A scan just made: every file's host path is its folder's plus its name (packTreeOrdered `scanned`).
  const { tree: packed, order } = packTreeOrdered(node, true);
  return payload.keep && cache ? { tree: packed, scan: cache.hold(order) } : { tree: packed };
}
