// The order every facet walks a directory's children in: by name (UTF-16 code units), computed
// once per planning run. A closure per run, not module state: two plans (worker threads, a plan
// inside a plan) never share or clear each other's cache.
import type { StagingNode } from '../staging/staging-tree';

export type ChildOrder = (node: StagingNode) => StagingNode[];

export function childOrder(): ChildOrder {
  const cache = new Map<StagingNode, StagingNode[]>();
  return (node) => {
    const hit = cache.get(node);
    if (hit) return hit;
    const out = [...node.children!.values()];
    // A tree scanned from the host is mostly in this order already (names inserted in code point
    // order, which UTF-16 order only differs from beyond U+D7FF): sort only when it is not.
    for (let i = 1; i < out.length; i++) {
      if (out[i - 1].name > out[i].name) {
        out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        break;
      }
    }
    cache.set(node, out);
    return out;
  };
}
