// Preflight input from a tree the reader produced (e.g. to ask "what will Windows see?" of an
// existing image's Rock Ridge or UDF tree before re-mastering it).
import type { TreeNode } from '../reader/types';
import type { PreflightEntry } from './preflight';

export function entriesFromTree(root: TreeNode): PreflightEntry[] {
  const out: PreflightEntry[] = [];
  const walk = (n: TreeNode, path: string[]) => {
    for (const c of n.children ?? []) {
      const p = [...path, c.name];
      out.push({ path: p, kind: c.kind, size: c.kind === 'file' ? c.size : 0, target: c.symlinkTarget });
      if (c.kind === 'dir') walk(c, p);
    }
  };
  walk(root, []);
  return out;
}
