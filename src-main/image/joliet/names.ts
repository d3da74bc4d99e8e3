// Joliet names: UCS-2 big endian identifiers of at most 64 characters (Joliet specification §3.3
// "Identifier length: 64 characters"), without the characters it forbids (§3.4: U+0000-001F, '*',
// '/', ':', ';', '?', '\'). Characters outside the BMP have no UCS-2 form and become '_'.
import { CounterSeries, type NamedEntry } from '../iso9660/names';

export const JOLIET_MAX = 64;

function mapUcs2(name: string): string {
  // Most names need no mapping: return them as they are (no new string).
  let clean = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff) || c === 0x2a || c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3f || c === 0x5c) {
      clean = false;
      break;
    }
  }
  if (clean) return name;
  let out = '';
  for (const ch of name) {
    const cp = ch.codePointAt(0)!;
    out += cp > 0xffff || cp < 0x20 || '*/:;?\\'.includes(ch) ? '_' : ch;
  }
  return out;
}

/**
 * Assigns Joliet names to the entries of one directory, in the given (sorted) order. Names over
 * 64 characters are cut keeping a short extension; a cut or mapped name that collides gets '~N'
 * before its extension. Joliet comparison is case-sensitive; readers that fold case see the RR/UDF
 * names instead.
 */
export function assignJolietNames(entries: readonly NamedEntry[]): string[] {
  const used = new Set<string>();
  const series = new CounterSeries();
  const out: string[] = [];
  for (const e of entries) {
    const mapped = mapUcs2(e.name);
    const dot = (e.isDir ?? e.kind === 'dir') ? -1 : mapped.lastIndexOf('.');
    const ext = dot > 0 && mapped.length - dot <= 16 ? mapped.slice(dot) : '';
    const base = ext ? mapped.slice(0, dot) : mapped;
    let candidate = mapped.length <= JOLIET_MAX ? mapped : base.slice(0, JOLIET_MAX - ext.length) + ext;
    if (used.has(candidate)) {
      // The first free ~N, resumed per series (CounterSeries: near-linear however many collide).
      candidate = series.firstFree((width) => base.slice(0, Math.min(base.length, JOLIET_MAX - ext.length - 1 - width)), ext,
        (prefix, n) => `${prefix}~${n}${ext}`, (c) => used.has(c));
    }
    used.add(candidate);
    out.push(candidate);
  }
  return out;
}

export function encodeUcs2(s: string): Buffer {
  // allocUnsafe: every byte is written below, and small buffers come from Node's shared pool
  // instead of one ArrayBuffer per name (50,000 names: 50,000 backing stores for the GC).
  const b = Buffer.allocUnsafe(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    b[2 * i] = c >> 8;
    b[2 * i + 1] = c & 0xff;
  }
  return b;
}

/** Joliet records sort by the UCS-2 code units of the identifier (ECMA-119 §9.3 applied to SVD). */
export function compareUcs2(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
