// What a symbolic link becomes in a facet that cannot record one (Joliet; ISO 9660 without Rock
// Ridge). Showing it as an empty file (mkisofs' way) hands readers a file the user never staged;
// so a link whose target is a file of the staged tree is shown as that file (its data shared, no
// copy), and any other link — to a directory, outside the tree, dangling, a loop — is left out.
import type { StagingNode } from '../staging/staging-tree';

/** POSIX SYMLOOP_MAX is at least 8; Linux follows 40 links before ELOOP. */
const MAX_HOPS = 40;

/** What resolving a link reads of a tree: a staged tree, or verify's picture of a folder. */
export interface LinkTreeNode {
  kind: 'file' | 'dir' | 'symlink';
  symlinkTarget?: string;
  children?: Map<string, LinkTreeNode>;
}

/**
 * The file a link resolves to inside the staged tree, or undefined. `ancestors` are the link's
 * directory and its ancestors up to the root (root last). Absolute targets resolve against the
 * reader's root, not the disc's, so they never count as inside the tree. Verify applies the same
 * rule to the folder it compares with (verify/verify-disc.ts expectLinksAsShown).
 */
export function resolveLinkInTree<N extends LinkTreeNode>(link: N, ancestors: readonly N[]): N | undefined {
  const r = resolvePath([...ancestors].reverse() as LinkTreeNode[], link.symlinkTarget ?? '', 0);
  return r?.node.kind === 'file' ? (r.node as N) : undefined;
}

/**
 * Walks `target` from the directory dirs[dirs.length - 1] (dirs: root first). Returns the node it
 * names with the directories that lead to it, links inside the path followed.
 */
function resolvePath(dirs: LinkTreeNode[], target: string, hops: number): { dirs: LinkTreeNode[]; node: LinkTreeNode } | undefined {
  if (hops >= MAX_HOPS || target === '' || target.startsWith('/')) return undefined;
  let stack = dirs.slice();
  let node = stack[stack.length - 1];
  const parts = target.split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const last = i === parts.length - 1;
    if (part === '' || part === '.') { node = stack[stack.length - 1]; continue; }
    if (part === '..') {
      if (stack.length <= 1) return undefined; // above the disc's root
      stack.pop();
      node = stack[stack.length - 1];
      continue;
    }
    let child = stack[stack.length - 1].children?.get(part);
    if (!child) return undefined;
    if (child.kind === 'symlink') {
      const r = resolvePath(stack, child.symlinkTarget ?? '', hops + 1);
      if (!r) return undefined;
      stack = r.dirs;
      child = r.node;
    }
    if (!last) {
      if (child.kind !== 'dir') return undefined;
      if (stack[stack.length - 1] !== child) stack.push(child);
    }
    node = child;
  }
  return { dirs: stack, node };
}

/**
 * The children a link-less facet shows: links resolved to their target file (undefined = left
 * out). Returns the input array itself when the directory holds no link (the common case).
 */
export function linkFreeChildren(
  kids: StagingNode[], ancestors: readonly StagingNode[],
): { kids: StagingNode[]; dataOf: Map<StagingNode, StagingNode> | undefined } {
  if (!kids.some((k) => k.kind === 'symlink')) return { kids, dataOf: undefined };
  const out: StagingNode[] = [];
  const dataOf = new Map<StagingNode, StagingNode>();
  for (const k of kids) {
    if (k.kind !== 'symlink') { out.push(k); continue; }
    const target = resolveLinkInTree(k, ancestors);
    if (target) { out.push(k); dataOf.set(k, target); }
  }
  return { kids: out, dataOf };
}
