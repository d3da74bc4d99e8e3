// Which files own a set of sectors: the image reader's tree (every node's extents, absolute LBAs)
// intersected with sorted LBAs, so a bad-sector report says "/photos/2019/img_0042.jpg" and not
// only "sectors 183 200–183 215". Directories are listed too: a bad directory extent hides files.
import type { AffectedFile, LbaRange } from '../common/model/verify';
import type { ImageInfo, TreeFacet, TreeNode } from '../image/reader';
import { SECTOR } from '../image/reader';
import { lbaRanges } from './drive-block-reader';

/** The facet whose names people know: Rock Ridge, then Joliet, UDF, plain ISO 9660. */
export function preferredFacet(info: Pick<ImageInfo, 'facets'>): TreeFacet | undefined {
  const order: TreeFacet[] = ['rockridge', 'joliet', 'udf', 'iso9660'];
  return order.find((f) => (info.facets as string[]).includes(f));
}

/** Calls fn for every node below root with its path ('/a/b'); the root itself is '/'. */
export function walkTree(root: TreeNode, fn: (node: TreeNode, path: string) => void, path = '/'): void {
  fn(root, path);
  for (const c of root.children ?? []) walkTree(c, fn, `${path === '/' ? '' : path}/${c.name}`);
}

function lowerBound(sorted: number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Files and directories of `info`'s preferred tree that own any of `lbas`, in path order. */
export async function affectedFiles(info: ImageInfo, lbas: number[]): Promise<AffectedFile[]> {
  if (lbas.length === 0) return [];
  const facet = preferredFacet(info);
  if (!facet) return [];
  const sorted = [...new Set(lbas)].sort((a, b) => a - b);
  const out: AffectedFile[] = [];
  walkTree(await info.tree(facet), (node, path) => {
    const hit: number[] = [];
    for (const e of node.extents) {
      if (e.sparse || e.embedded || e.length === 0) continue;
      const last = e.lba + Math.ceil(e.length / SECTOR) - 1;
      for (let i = lowerBound(sorted, e.lba); i < sorted.length && sorted[i] <= last; i++) hit.push(sorted[i]);
    }
    if (hit.length) out.push({ path, kind: node.kind, ranges: toRanges(hit) });
  });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function toRanges(lbas: number[]): LbaRange[] {
  return lbaRanges(lbas).map(([first, last]) => ({ start: first, end: last + 1 }));
}

/** "183200–183215, 190001" (first–last sector, for messages). */
export function formatRanges(ranges: LbaRange[], max = 8): string {
  const parts = ranges.slice(0, max).map((r) => (r.end - r.start === 1 ? `${r.start}` : `${r.start}–${r.end - 1}`));
  return parts.join(', ') + (ranges.length > max ? ` and ${ranges.length - max} more` : '');
}
