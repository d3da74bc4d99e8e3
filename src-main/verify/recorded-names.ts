// The names a disc's file system records for the paths a folder or a manifest lists. Rock Ridge
// records names whole; Joliet cuts them at 64 characters and UDF at its 255-byte identifier, each
// with '~N' on a collision (joliet/names.ts, udf/names.ts). Verify reads one of these trees and
// looks each expected path up by the name the writer gave it, so a disc whose long names were cut
// still verifies against the folder or manifest it was burned from. Siblings are taken from the
// expected paths (the writer's order: by UTF-16 code units), so a counter matches the writer's
// whenever the expected side lists the same siblings.
import type { TreeFacet } from '../image/reader';
import { assignJolietNames } from '../image/joliet/names';
import { stripVersion } from '../image/reader/iso9660';
import { assignUdfNames, recordedLinkTarget, type LinkWalkTree } from '../image/udf/names';

type Assign = (entries: { name: string; isDir: boolean }[]) => string[];

const ASSIGN: Partial<Record<TreeFacet, Assign>> = { joliet: assignJolietNames, udf: assignUdfNames };

export interface RecordedNames {
  /** Expected path ('a/b.txt', no leading slash) → the path the facet records, for those that differ. */
  paths: Map<string, string>;
  /**
   * The target of the link at `linkPath` as the facet records it (UDF; the others record targets
   * as given): walked from the link's folder through the expected tree, each component named as
   * recorded, and cut alone past anything the tree does not hold as a folder (udf/plan.ts
   * recordedLinkTarget, the writer's rule).
   */
  linkTarget(linkPath: string, target: string): string;
}

/**
 * The names the facet records for the expected side. `dirs`: every folder of the expected side,
 * empty ones included (a folder's siblings take part in its counters as files do).
 */
export function recordedNames(paths: Iterable<string>, facet: TreeFacet, dirs: Iterable<string> = []): RecordedNames {
  const renamed = new Map<string, string>();
  const assign = ASSIGN[facet];
  const asGiven = (_: string, target: string) => target;
  if (!assign) return { paths: renamed, linkTarget: asGiven };
  const list = [...paths];
  // Children of every directory ('' is the root), and which of them are directories.
  const kids = new Map<string, Set<string>>();
  const folders = new Set<string>();
  for (const p of [...list, ...dirs]) {
    const parts = p.split('/');
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      let set = kids.get(dir);
      if (!set) kids.set(dir, (set = new Set()));
      set.add(parts[i]);
      if (i < parts.length - 1) folders.add(parts.slice(0, i + 1).join('/'));
    }
  }
  for (const d of dirs) folders.add(d);
  const recordedName = new Map<string, string>(); // staged path of an entry → its recorded name
  for (const [dir, names] of kids) {
    const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const full = (n: string) => (dir ? `${dir}/${n}` : n);
    const ids = assign(sorted.map((name) => ({ name, isDir: folders.has(full(name)) })));
    sorted.forEach((n, i) => {
      // Readers of ISO 9660 and Joliet drop a file name's trailing '.' (a cut without extension can end in one).
      const shown = facet === 'joliet' ? stripVersion(ids[i], folders.has(full(n))) : ids[i];
      if (shown !== n) recordedName.set(full(n), shown);
    });
  }
  // The expected side as a tree of path components (udf/names.ts recordedLinkTarget walks it).
  const expectedTree: LinkWalkTree<string[]> = {
    child: (dir, name) => {
      if (!kids.get(dir.join('/'))?.has(name)) return undefined;
      const staged = [...dir, name].join('/');
      return { recorded: recordedName.get(staged) ?? name, folder: folders.has(staged) ? [...dir, name] : undefined };
    },
    parent: (dir) => (dir.length === 0 ? undefined : dir.slice(0, -1)),
  };
  const linkTarget = (linkPath: string, target: string): string =>
    facet === 'udf' ? recordedLinkTarget(target, linkPath.split('/').slice(0, -1), expectedTree) : target;
  if (recordedName.size === 0) return { paths: renamed, linkTarget };
  for (const p of list) {
    const parts = p.split('/');
    let staged = '';
    const out: string[] = [];
    for (const part of parts) {
      staged = staged ? `${staged}/${part}` : part;
      out.push(recordedName.get(staged) ?? part);
    }
    const rec = out.join('/');
    if (rec !== p) renamed.set(p, rec);
  }
  return { paths: renamed, linkTarget };
}
