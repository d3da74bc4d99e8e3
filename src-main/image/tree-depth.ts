// The deepest directory tree Glassmaster writes and reads: one number for both sides, so the
// reader takes every tree the writer makes (its Rock Ridge, Joliet and UDF views show the staged
// depth; ISO 9660 alone is relocated to 8 levels, ECMA-119 §6.8.2.1) and nothing deeper reaches
// the writer's recursive planners.
import { InvalidInputError } from '../common/errors';
import type { StagingNode } from './staging/staging-tree';

/**
 * Directory levels, the root being level 1 (ECMA-119 §6.8.2.1 counts the same way). A Linux path
 * holds at most 4096 bytes, so a host tree deeper than ~2048 levels cannot even be named; 1024
 * leaves room for real names and keeps the writer's recursion well inside Node's stack.
 */
export const MAX_DIRECTORY_DEPTH = 1024;

/** Refuses a staged tree with a directory below level MAX_DIRECTORY_DEPTH (iterative: no stack). */
export function checkStagedDepth(root: StagingNode): void {
  const stack: { node: StagingNode; level: number; path: string }[] = [{ node: root, level: 1, path: '' }];
  while (stack.length) {
    const { node, level, path } = stack.pop()!;
    if (!node.children) continue;
    for (const child of node.children.values()) {
      if (child.kind !== 'dir') continue;
      const childPath = `${path}/${child.name}`;
      if (level + 1 > MAX_DIRECTORY_DEPTH) {
        throw new InvalidInputError(`directory nesting deeper than ${MAX_DIRECTORY_DEPTH} levels: ${childPath.length > 200 ? `…${childPath.slice(-200)}` : childPath}`, { depth: level + 1, limit: MAX_DIRECTORY_DEPTH });
      }
      stack.push({ node: child, level: level + 1, path: childPath });
    }
  }
}
