// UDF file identifiers: OSTA CS0 (OSTA UDF §2.1.1) in a File Identifier Descriptor whose L_FI is
// one byte (ECMA-167 4/14.4.4), compression ID included: 254 characters of 8 bits, or 127 UTF-16
// units of 16 bits once any character is above U+00FF. A host name longer than that (Linux allows
// 255 bytes of UTF-8: 170 CJK characters, 255 ASCII ones) cannot be recorded whole. Such a name is
// cut, keeping a short extension, and a cut that collides with a sibling gets '~N' before the
// extension — the Joliet rule (joliet/names.ts) at UDF's limit. Names that fit are left as they are.
import { CounterSeries, type NamedEntry } from '../iso9660/names';
import { ostaLength } from './primitives';

/** ostaLength, or 0 for a name CS0 cannot encode. */
function osta(name: string): number {
  try {
    return ostaLength(name);
  } catch {
    return 0;
  }
}

/** L_FI's limit (ECMA-167 4/14.4.4), compression ID byte included. */
export const UDF_NAME_MAX_BYTES = 255;

/**
 * The UDF identifiers of one directory's entries, in the given order (the writer's child order):
 * every name that fits as it is, the others cut to fit and unique among their siblings.
 */
export function assignUdfNames(entries: readonly NamedEntry[]): string[] {
  let used: Set<string> | undefined;
  let series: CounterSeries | undefined;
  const out = entries.map((e) => e.name);
  entries.forEach((e, i) => {
    // A name CS0 cannot hold at all (U+FEFF, a lone surrogate) is left as it is: the writer refuses
    // it with its own error, and preflight must still give its report.
    if (osta(e.name) <= UDF_NAME_MAX_BYTES) return;
    // Only a directory with a name over the limit pays for the set (planning runs per directory).
    used ??= new Set(entries.map((x) => x.name));
    series ??= new CounterSeries();
    const name = e.name;
    const dot = (e.isDir ?? e.kind === 'dir') ? -1 : name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    const base = ext ? name.slice(0, dot) : name;
    const wide = ostaLength(name) !== 1 + name.length;
    const units = wide ? (UDF_NAME_MAX_BYTES - 1) >> 1 : UDF_NAME_MAX_BYTES - 1;
    // The first n UTF-16 units of the base, never half a surrogate pair.
    const keep = (n: number) => {
      const s = base.slice(0, Math.max(0, n));
      const c = s.charCodeAt(s.length - 1);
      return c >= 0xd800 && c <= 0xdbff ? s.slice(0, -1) : s;
    };
    const taken = used;
    let candidate = keep(units - ext.length) + ext;
    if (taken.has(candidate)) {
      candidate = series.firstFree((width) => keep(units - ext.length - 1 - width), ext, (prefix, n) => `${prefix}~${n}${ext}`, (c) => taken.has(c));
    }
    taken.add(candidate);
    out[i] = candidate;
  });
  return out;
}

/**
 * A link target as UDF records it: a component too long for an identifier names a file whose own
 * name UDF records cut, so it gets the same cut (without a sibling's counter, which only the
 * directory's plan knows) and stays recordable, finding its target in the usual case. Folders
 * (every component but the last) are cut without the extension rule.
 */
export function udfLinkTarget(target: string): string {
  const parts = target.split('/');
  return parts.map((c, i) => (c !== '.' && c !== '..' && osta(c) > UDF_NAME_MAX_BYTES ? assignUdfNames([{ name: c, isDir: i < parts.length - 1 }])[0] : c)).join('/');
}

/** What a link-target walk needs of a tree: an entry of a folder by its given name, and a folder's parent. */
export interface LinkWalkTree<D> {
  /** The entry `name` of folder `dir`: its recorded name, and itself as a folder (undefined for a file or link); undefined when there is none. */
  child(dir: D, name: string): { recorded: string; folder?: D } | undefined;
  /** The folder above `dir`; undefined above the root. */
  parent(dir: D): D | undefined;
}

/**
 * A link's target with each component the tree records under another name (a cut with its
 * sibling's counter) given as recorded, walked from the link's folder `from`. Past anything the
 * tree does not hold as a folder (outside it, above its root, through a file or another link) and
 * for an absolute target (the reader's root, not the disc's) components are cut alone
 * (udfLinkTarget). The writer walks its planned tree (udf/plan.ts); verify walks the expected
 * side's names (verify/recorded-names.ts): one rule for both.
 */
export function recordedLinkTarget<D>(target: string, from: D | undefined, tree: LinkWalkTree<D>): string {
  if (target.startsWith('/')) return udfLinkTarget(target);
  const parts = target.split('/');
  let dir = from;
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const c = parts[i];
    if (c === '' || c === '.') out.push(c);
    else if (c === '..') {
      out.push(c);
      dir = dir === undefined ? undefined : tree.parent(dir);
    } else {
      const entry = dir === undefined ? undefined : tree.child(dir, c);
      if (!entry) return [...out, udfLinkTarget(parts.slice(i).join('/'))].join('/');
      out.push(entry.recorded);
      dir = entry.folder;
    }
  }
  return out.join('/');
}
