// The image worker's `scan` task (ImageEngine.scan): one host path read into a staged subtree in
// the worker thread, returned packed (packed-tree.ts). The project (ProjectService.addPaths)
// unpacks it in slices and grafts it into its tree,
// so the Electron main process never runs readdir/lstat over a folder of 100,000 files.
import { throwIfAborted } from '../../common/errors';
import { StagingTree } from './staging-tree';
import { packTree, type PackedTree } from './packed-tree';

export interface ScanPayload {
  hostPath: string;
  followSymlinks?: boolean;
}

/** The node for `hostPath` (a folder with all its descendants), packed; its name is left to the caller. */
export function scanHostPath(payload: ScanPayload, signal?: AbortSignal): PackedTree {
  throwIfAborted(signal);
  // A throwaway tree: addHostPath places the node under a fixed name; the caller renames it.
  const tree = new StagingTree();
  const node = tree.addHostPath('/scanned', payload.hostPath, { followSymlinks: payload.followSymlinks });
  node.name = '';
  return packTree(node);
}
