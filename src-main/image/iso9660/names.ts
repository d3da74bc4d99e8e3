// ISO 9660 identifiers: d-character mapping, per-level length limits and deterministic,
// collision-free mangling. ECMA-119 §7.4.1 (d-characters), §7.5.1 (file identifier: name.ext;version,
// name+ext <= 30 bytes), §7.6.3 (directory identifier <= 31), §10.1 (level 1: 8.3 names, 8-char dirs).

export type IsoLevel = 1 | 2 | 3;

/** Anything but a d-character (ECMA-119 §7.4.1) of an upper-cased name: one '_' each. */
const NOT_D = /[^A-Z0-9_]/g;

function mapD(s: string): string {
  // ASCII (most names): NFD and the combining-mark strip change nothing, and upper-casing changes
  // only a-z; a name that is all d-characters then is its own identifier (no new string per
  // character: this runs for every file of every image).
  let ascii = true;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) { ascii = false; break; }
  if (ascii) {
    const up = s.toUpperCase();
    for (let i = 0; i < up.length; i++) {
      const c = up.charCodeAt(i);
      if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)) return up.replace(NOT_D, '_');
    }
    return up;
  }
  let out = '';
  // Latin letters with diacritics keep their base letter (NFD splits off the combining marks).
  for (const ch of s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase()) {
    out += /^[A-Z0-9_]$/.test(ch) ? ch : '_';
  }
  return out;
}

/** An entry to name: `isDir`, or a staging node's `kind` (passed as they are, no copy per entry). */
export interface NamedEntry {
  name: string;
  isDir?: boolean;
  kind?: string;
}

/** The collision key: what readers compare (no version, no bare '.'). */
function isoKey(base: string, ext: string): string {
  return ext ? `${base}.${ext}` : base;
}

/**
 * Assigns ISO identifiers to the entries of one directory. Entries are visited in the given
 * order (callers pass them sorted by original name) so the result is deterministic; a name
 * taken already gets the first free decimal counter in place of its last base characters. Files
 * get ';1'. Collision keys ignore the version and a bare '.', as readers strip both.
 *
 * Near-linear in the number of entries however many collide (issue 13: counting from 1 for every
 * colliding name made 20,000 of them take 40–120 s): see CounterSeries.
 */
export function assignIsoNames(entries: readonly NamedEntry[], level: IsoLevel): string[] {
  const used = new Set<string>();
  const series = new CounterSeries();
  const out: string[] = [];
  for (const e of entries) {
    const isDir = e.isDir ?? e.kind === 'dir';
    // A leading '.' becomes '_' (no hidden-name convention in ISO 9660); a file's last '.' after
    // that splits name and extension.
    const name = e.name.charCodeAt(0) === 0x2e ? '_' + e.name.slice(1) : e.name;
    const dot = isDir ? -1 : name.lastIndexOf('.');
    let base = mapD(dot <= 0 ? name : name.slice(0, dot));
    let ext = dot <= 0 ? '' : mapD(name.slice(dot + 1));
    // Per-level limits (ECMA-119 §7.5.1, §7.6.3, §10.1).
    let limBase: number, limExt: number;
    if (level === 1) { limBase = 8; limExt = isDir ? 0 : 3; }
    else if (isDir) { limBase = 31; limExt = 0; }
    else { limExt = Math.min(ext.length, 29); limBase = 30 - limExt; }
    if (ext.length > limExt) ext = ext.slice(0, limExt);
    if (base === '') base = '_';
    let candidate = base.length > limBase ? base.slice(0, limBase) : base;
    if (used.has(isoKey(candidate, ext))) {
      const stem = base;
      const x = ext;
      candidate = series.firstFree((width) => stem.slice(0, Math.max(0, limBase - width)), `${limBase}.${x}`, (prefix, n) => {
        const c = prefix + n;
        return c.length > limBase ? c.slice(-limBase) : c;
      }, (c) => used.has(isoKey(c, x)));
    }
    used.add(isoKey(candidate, ext));
    out.push(isDir ? candidate : `${candidate}.${ext};1`);
  }
  return out;
}

/**
 * The first free counter for a colliding name, without counting from 1 each time. A candidate with
 * an n-digit counter is a function of (the prefix kept before the counter, n, the rest of the
 * key): call that its series. The names taken only grow, so every counter of a series below the
 * last one found free or taken stays taken: each search resumes where the previous one in the
 * same series stopped. Each (series, counter) is then found taken at most once, and the result is
 * exactly that of counting from 1 (the smallest free counter, so the names do not change). A
 * series per whole stem would not do: stems that differ only in the characters a wider counter
 * replaces share its candidates ("ABCDEFG1" and "ABCDEFH1" both lead to "ABCDEF10").
 * Shared by the ISO 9660 and Joliet namers (joliet/names.ts).
 */
export class CounterSeries {
  private readonly next = new Map<string, number>();

  /**
   * `prefix(width)`: what is kept before a counter of `width` digits; `rest`: the rest of what the
   * candidate depends on (limits, extension); `candidate(prefix, n)`; `taken(candidate)`.
   */
  firstFree(prefix: (width: number) => string, rest: string, candidate: (prefix: string, n: number) => string, taken: (c: string) => boolean): string {
    let n = 1;
    for (let width = 1, end = 10; ; width++, end *= 10) {
      const p = prefix(width);
      const id = `${width}/${rest}/${p}`;
      n = Math.max(n, this.next.get(id) ?? 1);
      for (; n < end; n++) {
        const c = candidate(p, n);
        if (!taken(c)) {
          this.next.set(id, n + 1);
          return c;
        }
      }
      this.next.set(id, end);
    }
  }
}

/** ECMA-119 §9.3: order by name (space padded), then extension (space padded), then version descending. */
export function compareIsoIds(a: string, b: string): number {
  // Compared in place (no split strings): directories sort thousands of identifiers.
  const sa = a.indexOf(';'), sb = b.indexOf(';');
  const ea = sa >= 0 ? sa : a.length, eb = sb >= 0 ? sb : b.length;
  let da = a.indexOf('.'), db = b.indexOf('.');
  if (da >= ea) da = -1;
  if (db >= eb) db = -1;
  const c =
    padCompare(a, 0, da >= 0 ? da : ea, b, 0, db >= 0 ? db : eb) ||
    padCompare(a, da >= 0 ? da + 1 : ea, ea, b, db >= 0 ? db + 1 : eb, eb);
  if (c) return c;
  return version(b, sb) - version(a, sa);
}

function version(id: string, semi: number): number {
  return semi >= 0 ? Number(id.slice(semi + 1)) : 0;
}

/** Compares a[a0, a1) with b[b0, b1), the shorter one padded with spaces. */
function padCompare(a: string, a0: number, a1: number, b: string, b0: number, b1: number): number {
  const n = Math.max(a1 - a0, b1 - b0);
  for (let i = 0; i < n; i++) {
    const ca = a0 + i < a1 ? a.charCodeAt(a0 + i) : 0x20;
    const cb = b0 + i < b1 ? b.charCodeAt(b0 + i) : 0x20;
    if (ca !== cb) return ca - cb;
  }
  return 0;
}

/** ECMA-119 §8.4.5 volume identifier: d-characters, 32 bytes. */
export function isoVolumeId(label: string): string {
  return mapD(label).slice(0, 32);
}
