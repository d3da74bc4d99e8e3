// ISO 9660 identifiers: d-character mapping, per-level length limits and deterministic,
// collision-free mangling. ECMA-119 §7.4.1 (d-characters), §7.5.1 (file identifier: name.ext;version,
// name+ext <= 30 bytes), §7.6.3 (directory identifier <= 31), §10.1 (level 1: 8.3 names, 8-char dirs).

export type IsoLevel = 1 | 2 | 3;

function mapD(s: string): string {
  // ASCII (most names): NFD and the combining-mark strip change nothing, so map code units directly.
  let ascii = true;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) { ascii = false; break; }
  if (ascii) {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0x61 && c <= 0x7a) c -= 0x20; // a-z → A-Z
      out += (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f ? String.fromCharCode(c) : '_';
    }
    return out;
  }
  let out = '';
  // Latin letters with diacritics keep their base letter (NFD splits off the combining marks).
  for (const ch of s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase()) {
    out += /^[A-Z0-9_]$/.test(ch) ? ch : '_';
  }
  return out;
}

interface Split { base: string; ext: string }

/** An entry to name: `isDir`, or a staging node's `kind` (passed as they are, no copy per entry). */
export interface NamedEntry {
  name: string;
  isDir?: boolean;
  kind?: string;
}

function splitFile(name: string): Split {
  const n = name.startsWith('.') ? '_' + name.slice(1) : name;
  const dot = n.lastIndexOf('.');
  if (dot <= 0) return { base: mapD(n), ext: '' };
  return { base: mapD(n.slice(0, dot)), ext: mapD(n.slice(dot + 1)) };
}

function limits(level: IsoLevel, isDir: boolean, extLen: number): { base: number; ext: number } {
  if (level === 1) return isDir ? { base: 8, ext: 0 } : { base: 8, ext: 3 };
  if (isDir) return { base: 31, ext: 0 };
  const ext = Math.min(extLen, 29);
  return { base: 30 - ext, ext };
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
    let base: string, ext: string;
    if (isDir) {
      base = mapD(e.name.replace(/^\./, '_'));
      ext = '';
    } else {
      ({ base, ext } = splitFile(e.name));
    }
    const lim = limits(level, isDir, ext.length);
    ext = ext.slice(0, lim.ext);
    if (base === '' ) base = '_';
    const key = (b: string) => (ext ? `${b}.${ext}` : b);
    let candidate = base.slice(0, lim.base);
    if (used.has(key(candidate))) {
      candidate = series.firstFree((width) => base.slice(0, Math.max(0, lim.base - width)), `${lim.base}.${ext}`, (prefix, n) => {
        const c = prefix + n;
        return c.length > lim.base ? c.slice(-lim.base) : c;
      }, (c) => used.has(key(c)));
    }
    used.add(key(candidate));
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
