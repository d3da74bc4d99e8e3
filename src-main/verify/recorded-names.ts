// The names a disc's file system records for the paths a folder or a manifest lists. Rock Ridge
// records names whole; Joliet cuts them at 64 characters and UDF at its 255-byte identifier, each
// with '~N' on a collision (joliet/names.ts, udf/names.ts). Verify reads one of these trees and
// looks each expected path up by the name the writer gave it, so a disc whose long names were cut
// still verifies against the folder or manifest it was burned from. Siblings are taken from the
// expected paths (the writer's order: by UTF-16 code units), so a counter matches the writer's
// whenever the expected side lists the same siblings.
import type { TreeFacet } from '../image/reader';
import { assignJolietNames, JOLIET_MAX } from '../image/joliet/names';
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
  /**
   * Per component of an expected path, whether the disc may hold it under another name than
   * `paths` predicts, because a sibling the expected side does not list (a link, a folder holding
   * no file) took part in the naming: a component the facet renames (its cut or mapped name, its
   * counter, all shared with such a sibling's), and in Joliet one recorded as given that such a
   * sibling's cut, mapped name or counter could also be (jolietTakeable). Undefined when no component can.
   */
  shiftable(path: string): boolean[] | undefined;
}

/**
 * Whether an entry Joliet records as `id` (joliet/names.ts) could lose that name to a sibling
 * sorting before it: Joliet hands names out in order, so an earlier sibling whose cut (always
 * 64 characters), mapped name (a character Joliet cannot hold becomes '_') or '~N' counter (a
 * counter on a cut is 64 characters too, one on a mapped name keeps its '_') is `id` takes it, and
 * the entry gets a counter. UDF cannot do this: every sibling's own name is reserved before any
 * cut is made (udf/names.ts), so a name that fits is always recorded as it is.
 */
function jolietTakeable(id: string): boolean {
  return id.length === JOLIET_MAX || id.includes('_');
}

/**
 * The names the facet records for the expected side. `dirs`: every folder of the expected side,
 * empty ones included (a folder's siblings take part in its counters as files do).
 */
export function recordedNames(paths: Iterable<string>, facet: TreeFacet, dirs: Iterable<string> = []): RecordedNames {
  const renamed = new Map<string, string>();
  const assign = ASSIGN[facet];
  const asGiven = (_: string, target: string) => target;
  if (!assign) return { paths: renamed, linkTarget: asGiven, shiftable: () => undefined };
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
  const movable = new Set<string>(); // staged paths of entries the disc may record under another name
  for (const [dir, names] of kids) {
    const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const full = (n: string) => (dir ? `${dir}/${n}` : n);
    const ids = assign(sorted.map((name) => ({ name, isDir: folders.has(full(name)) })));
    sorted.forEach((n, i) => {
      // Readers of ISO 9660 and Joliet drop a file name's trailing '.' (a cut without extension can end in one).
      const shown = facet === 'joliet' ? stripVersion(ids[i], folders.has(full(n))) : ids[i];
      if (shown !== n) recordedName.set(full(n), shown);
      if (ids[i] !== n || (facet === 'joliet' && jolietTakeable(ids[i]))) movable.add(full(n));
    });
  }
  const shiftable = (path: string): boolean[] | undefined => {
    if (movable.size === 0) return undefined;
    const parts = path.split('/');
    const out = parts.map((_, i) => movable.has(parts.slice(0, i + 1).join('/')));
    return out.includes(true) ? out : undefined;
  };
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
  if (recordedName.size === 0) return { paths: renamed, linkTarget, shiftable };
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
  return { paths: renamed, linkTarget, shiftable };
}
