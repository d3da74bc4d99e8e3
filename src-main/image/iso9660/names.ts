// ISO 9660 identifiers: d-character mapping, per-level length limits and deterministic,
// collision-free mangling. ECMA-119 §7.4.1 (d-characters), §7.5.1 (file identifier: name.ext;version,
// name+ext <= 30 bytes), §7.6.3 (directory identifier <= 31), §10.1 (level 1: 8.3 names, 8-char dirs).

export type IsoLevel = 1 | 2 | 3;

function mapD(s: string): string {
  let out = '';
  // Latin letters with diacritics keep their base letter (NFD splits off the combining marks).
  for (const ch of s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase()) {
    out += /^[A-Z0-9_]$/.test(ch) ? ch : '_';
  }
  return out;
}

interface Split { base: string; ext: string }

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
 * taken already gets a decimal counter in place of its last base characters. Files get ';1'.
 * Collision keys ignore the version and a bare '.', as readers strip both.
 */
export function assignIsoNames(entries: { name: string; isDir: boolean }[], level: IsoLevel): string[] {
  const used = new Set<string>();
  const out: string[] = [];
  for (const e of entries) {
    let base: string, ext: string;
    if (e.isDir) {
      base = mapD(e.name.replace(/^\./, '_'));
      ext = '';
    } else {
      ({ base, ext } = splitFile(e.name));
    }
    const lim = limits(level, e.isDir, ext.length);
    ext = ext.slice(0, lim.ext);
    if (base === '' ) base = '_';
    let candidate = base.slice(0, lim.base);
    const key = (b: string) => (ext ? `${b}.${ext}` : b);
    for (let n = 1; used.has(key(candidate)); n++) {
      const digits = String(n);
      candidate = base.slice(0, Math.max(0, lim.base - digits.length)) + digits;
      if (candidate.length > lim.base) candidate = candidate.slice(-lim.base);
    }
    used.add(key(candidate));
    out.push(e.isDir ? candidate : `${candidate}.${ext};1`);
  }
  return out;
}

/** ECMA-119 §9.3: order by name (space padded), then extension (space padded), then version descending. */
export function compareIsoIds(a: string, b: string): number {
  const pa = parts(a), pb = parts(b);
  const c = padCompare(pa.name, pb.name) || padCompare(pa.ext, pb.ext);
  if (c) return c;
  return pb.ver - pa.ver;
}

function parts(id: string): { name: string; ext: string; ver: number } {
  const semi = id.indexOf(';');
  const ver = semi >= 0 ? Number(id.slice(semi + 1)) : 0;
  const body = semi >= 0 ? id.slice(0, semi) : id;
  const dot = body.indexOf('.');
  return dot >= 0 ? { name: body.slice(0, dot), ext: body.slice(dot + 1), ver } : { name: body, ext: '', ver };
}

function padCompare(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = i < a.length ? a.charCodeAt(i) : 0x20;
    const cb = i < b.length ? b.charCodeAt(i) : 0x20;
    if (ca !== cb) return ca - cb;
  }
  return 0;
}

/** ECMA-119 §8.4.5 volume identifier: d-characters, 32 bytes. */
export function isoVolumeId(label: string): string {
  return mapD(label).slice(0, 32);
}
