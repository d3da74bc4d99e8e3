// A scanned folder as the project's main thread keeps it: folded. The image worker scans a folder
// (ImageEngine.scan) and sends it packed (image/staging/packed-tree.ts: typed arrays and one
// text buffer); unpacking all of it here cost the main thread 50,000 node objects per 50,000
// files (~35 MB of heap that both isolates' collectors then traced, 0.1-0.3 s of CPU in slices),
// although the UI only ever lists a page of one folder and edits a few entries. So the project
// keeps the packed arrays and builds a folder's children the first time they are read.
//
// MUST rules:
//  1. A folded folder is a StagingNode like any other to every reader: its `children` is an own,
//     enumerable accessor that builds the children (one level: sub-folders folded again) from the
//     packed arrays on first read and then becomes a plain Map (a structured clone, a spread, a
//     walk or an edit all see the same nodes an unpack would give, in the same order).
//  2. What the project reads of every node (counts and sizes: `subtreeTotals`; the saved entries:
//     `forEachEntry`) comes from the arrays for folded folders, so adding, planning, writing and
//     saving build no node below the folders listed or edited.
//  3. Node i of the packed scan is node i of the worker's held scan (scan-cache.ts): a folded
//     folder and every folder built from it is told to `onFolder` with its index, so it is sent by
//     reference until an edit reaches it.
import { PackedNodes, type PackedTree } from '../image/staging/packed-tree';
import type { StagingNode } from '../image/staging/staging-tree';
import { InternalError } from '../common/errors';

export interface SubtreeTotals {
  /** Bytes of every file and link below (a file: its own size). */
  bytes: number;
  /** Files and links below. */
  files: number;
  /** Folders below. */
  folders: number;
}

interface Fold {
  scan: FoldedScan;
  index: number;
  /** The folder's host path (its children's paths are derived from it). */
  hostPath: string | undefined;
}

/** Folders whose children are not built yet, and where they are in their scan. */
const folds = new WeakMap<StagingNode, Fold>();

export class FoldedScan {
  private readonly nodes: PackedNodes;
  /** Per node: bytes of the files and links in its subtree (its own size for a file or link). */
  private readonly bytes: Float64Array;
  /** Per node: folders strictly below it. */
  private readonly folders: Int32Array;

  /** `onFolder` sees every folder node built, with its index in the scan (MUST 3). */
  constructor(tree: PackedTree, private readonly onFolder?: (node: StagingNode, index: number) => void) {
    if (tree.refs?.length) throw new InternalError('a scan to fold refers to other scans');
    this.nodes = new PackedNodes(tree);
    const { count, kinds, parents } = tree;
    this.bytes = new Float64Array(count);
    this.folders = new Int32Array(count);
    // Backwards: every node's subtree is summed before it is added to its parent's.
    for (let i = count - 1; i >= 0; i--) {
      const dir = kinds[i] === 1;
      if (!dir) this.bytes[i] = this.nodes.size(i);
      const p = parents[i]!;
      if (p < 0) continue;
      this.bytes[p] += this.bytes[i]!;
      this.folders[p] += this.folders[i]! + (dir ? 1 : 0);
    }
  }

  /** The scanned file or folder itself (node 0), folded. */
  root(): StagingNode {
    return this.build(0, undefined);
  }

  /** Node i, a folder folded, under a parent whose host path is `parentHost`. */
  private build(i: number, parentHost: string | undefined): StagingNode {
    const { node, hostPath } = this.nodes.node(i, parentHost);
    if (node.kind === 'dir') {
      fold(node, { scan: this, index: i, hostPath });
      this.onFolder?.(node, i);
    }
    return node;
  }

  /** The children of folder i, built (MUST 1). */
  children(fold: Fold): Map<string, StagingNode> {
    const map = new Map<string, StagingNode>();
    for (const c of this.nodes.childrenOf(fold.index)) {
      const child = this.build(c, fold.hostPath);
      map.set(child.name, child);
    }
    return map;
  }

  totals(i: number): SubtreeTotals {
    const below = this.nodes.end[i]! - i - 1;
    return { bytes: this.bytes[i]!, files: below - this.folders[i]!, folders: this.folders[i]! };
  }

  /** Every node below folder `fold`, in preorder, with its path under `prefix`, read from the arrays (MUST 2). */
  forEachBelow(fold: Fold, prefix: string, visit: (entry: FoldedEntry) => void): void {
    const n = this.nodes;
    const end = n.end[fold.index]!;
    const paths: string[] = [];
    const hosts: (string | undefined)[] = [];
    const at = (j: number) => j - fold.index - 1;
    for (let j = fold.index + 1; j < end; j++) {
      const p = n.parent(j);
      const parentPath = p === fold.index ? prefix : paths[at(p)]!;
      const parentHost = p === fold.index ? fold.hostPath : hosts[at(p)];
      const name = n.string(2 * j);
      const kind = n.kind(j);
      const path = `${parentPath}/${name}`;
      paths.push(path);
      if (kind === 'dir') {
        // Only a folder's host path is needed further down (its files' paths derive from it).
        hosts.push(n.node(j, parentHost).hostPath);
        visit({ kind, path });
      } else {
        hosts.push(undefined);
        if (kind === 'symlink') visit({ kind, path, target: n.string(2 * j + 1) });
        else {
          const { node } = n.node(j, parentHost);
          visit({ kind, path, size: node.size, source: node.source });
        }
      }
    }
  }
}

export type FoldedEntry =
  | { kind: 'dir'; path: string }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'file'; path: string; size: number; source: StagingNode['source'] };

/** Makes `node`'s children an accessor that builds them on first read, then a plain Map (MUST 1). */
function fold(node: StagingNode, f: Fold): void {
  folds.set(node, f);
  const settle = (children: Map<string, StagingNode>) => {
    folds.delete(node);
    Object.defineProperty(node, 'children', { value: children, writable: true, enumerable: true, configurable: true });
    return children;
  };
  Object.defineProperty(node, 'children', {
    enumerable: true,
    configurable: true,
    get: () => settle(f.scan.children(f)),
    set: (children: Map<string, StagingNode>) => settle(children),
  });
}

/** Is `node` a folder whose children are not built yet? */
export function isFolded(node: StagingNode): boolean {
  return folds.has(node);
}

/** Bytes, files and folders below `node`, from the arrays for folded folders (MUST 2). */
export function subtreeTotals(node: StagingNode): SubtreeTotals {
  const f = folds.get(node);
  if (f) return f.scan.totals(f.index);
  if (!node.children) return { bytes: node.size, files: 0, folders: 0 };
  const sum = { bytes: 0, files: 0, folders: 0 };
  for (const c of node.children.values()) {
    const t = subtreeTotals(c);
    sum.bytes += t.bytes;
    sum.files += t.files + (c.kind === 'dir' ? 0 : 1);
    sum.folders += t.folders + (c.kind === 'dir' ? 1 : 0);
  }
  return sum;
}

/**
 * Every node below `root` in preorder (a folder's children in Map order, as a walk of the
 * built nodes gives), with its image path; folded folders read from the arrays (MUST 2).
 */
export function forEachEntry(root: StagingNode, visit: (entry: FoldedEntry) => void): void {
  const rec = (n: StagingNode, prefix: string) => {
    const f = folds.get(n);
    if (f) {
      f.scan.forEachBelow(f, prefix, visit);
      return;
    }
    for (const c of n.children!.values()) {
      const path = `${prefix}/${c.name}`;
      if (c.kind === 'dir') {
        visit({ kind: 'dir', path });
        rec(c, path);
      } else if (c.kind === 'symlink') visit({ kind: 'symlink', path, target: c.symlinkTarget ?? '' });
      else visit({ kind: 'file', path, size: c.size, source: c.source });
    }
  };
  rec(root, '');
}
