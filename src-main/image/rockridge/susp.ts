// System Use Sharing Protocol (IEEE P1281, "SUSP" 1.12) and Rock Ridge (IEEE P1282, "RRIP" 1.10)
// entries, plus the split of a record's entries between its System Use field and continuation areas.
import { writeDirDate, writeU32Both } from '../iso9660/encoding';

/** One SUSP entry; `patch` fills fields that depend on the final layout (CE/CL/PL locations). */
export interface SuspEntry {
  bytes: Buffer;
  patch?: (b: Buffer) => void;
}

function header(sig: string, len: number, version = 1): Buffer {
  const b = Buffer.alloc(len);
  b.write(sig, 0, 'latin1');
  b[2] = len;
  b[3] = version;
  return b;
}

/** SUSP §5.3: SP marks SUSP use; first entry of the root's "." record; check bytes BE EF, skip 0. */
export function spEntry(): SuspEntry {
  const b = header('SP', 7);
  b[4] = 0xbe;
  b[5] = 0xef;
  b[6] = 0;
  return { bytes: b };
}

const RRIP_ID = 'RRIP_1991A';
const RRIP_DES = 'THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS';
const RRIP_SRC = 'PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.';

/** SUSP §5.5 ER with the RRIP 1.10 identifier, description and source (RRIP §5). */
export function erEntry(): SuspEntry {
  const len = 8 + RRIP_ID.length + RRIP_DES.length + RRIP_SRC.length;
  const b = header('ER', len);
  b[4] = RRIP_ID.length;
  b[5] = RRIP_DES.length;
  b[6] = RRIP_SRC.length;
  b[7] = 1; // extension version
  b.write(RRIP_ID + RRIP_DES + RRIP_SRC, 8, 'latin1');
  return { bytes: b };
}

/** RRIP §4.1.1 PX (1.10 form, 36 bytes): mode, links, uid, gid, each both-endian. */
export function pxEntry(mode: number, links: number, uid: number, gid: number): SuspEntry {
  const b = header('PX', 36);
  writeU32Both(b, 4, mode >>> 0);
  writeU32Both(b, 12, links >>> 0);
  writeU32Both(b, 20, uid >>> 0);
  writeU32Both(b, 28, gid >>> 0);
  return { bytes: b };
}

/** RRIP §4.1.6 TF: flags 0x0E = modify, access, attributes; 7-byte ECMA-119 §9.1.5 dates. */
export function tfEntry(mtime: Date, atime: Date, ctime: Date): SuspEntry {
  const b = header('TF', 5 + 21);
  b[4] = 0x0e;
  writeDirDate(b, 5, mtime);
  writeDirDate(b, 12, atime);
  writeDirDate(b, 19, ctime);
  return { bytes: b };
}

/** RRIP §4.1.4 NM: the POSIX name, split over several entries with the CONTINUE flag (bit 0). */
export function nmEntries(name: string): SuspEntry[] {
  const raw = Buffer.from(name, 'utf8');
  const out: SuspEntry[] = [];
  const max = 250;
  for (let off = 0; off < raw.length || out.length === 0; off += max) {
    const part = raw.subarray(off, off + max);
    const b = header('NM', 5 + part.length);
    b[4] = off + max < raw.length ? 0x01 : 0;
    part.copy(b, 5);
    out.push({ bytes: b });
  }
  return out;
}

/**
 * RRIP §4.1.3 SL: the target as component records (flags 0x02 ".", 0x04 "..", 0x08 root, 0x01 the
 * component continues in the next record); entries chain with the SL CONTINUE flag (bit 0).
 */
export function slEntries(target: string): SuspEntry[] {
  const comps: { flags: number; data: Buffer }[] = [];
  if (target.startsWith('/')) comps.push({ flags: 0x08, data: Buffer.alloc(0) });
  for (const part of target.split('/')) {
    if (part === '') continue;
    if (part === '.') comps.push({ flags: 0x02, data: Buffer.alloc(0) });
    else if (part === '..') comps.push({ flags: 0x04, data: Buffer.alloc(0) });
    else {
      const raw = Buffer.from(part, 'utf8');
      for (let off = 0; off < raw.length; off += 248) {
        comps.push({ flags: off + 248 < raw.length ? 0x01 : 0, data: raw.subarray(off, off + 248) });
      }
    }
  }
  const entries: Buffer[][] = [[]];
  let used = 0;
  for (const c of comps) {
    const rec = Buffer.alloc(2 + c.data.length);
    rec[0] = c.flags;
    rec[1] = c.data.length;
    c.data.copy(rec, 2);
    if (used + rec.length > 250) {
      entries.push([]);
      used = 0;
    }
    entries[entries.length - 1].push(rec);
    used += rec.length;
  }
  return entries.map((recs, i) => {
    const body = Buffer.concat(recs);
    const b = header('SL', 5 + body.length);
    b[4] = i < entries.length - 1 ? 0x01 : 0;
    body.copy(b, 5);
    return { bytes: b };
  });
}

/** RRIP §4.1.5.1 CL: the relocated directory's location (on the placeholder file record). */
export function clEntry(lba: () => number): SuspEntry {
  return { bytes: header('CL', 12), patch: (b) => writeU32Both(b, 4, lba()) };
}

/** RRIP §4.1.5.2 PL: the original parent's location (on the relocated directory's ".." record). */
export function plEntry(lba: () => number): SuspEntry {
  return { bytes: header('PL', 12), patch: (b) => writeU32Both(b, 4, lba()) };
}

/** RRIP §4.1.5.3 RE: marks the relocated directory's own record in the relocation directory. */
export function reEntry(): SuspEntry {
  return { bytes: header('RE', 4) };
}

/** A continuation area: placed by the CE allocator (lba/offset), at most one sector long. */
export interface ContinuationArea {
  entries: SuspEntry[];
  length: number;
  lba: number;
  offset: number;
}

export interface SystemUsePlan {
  inline: SuspEntry[];
  inlineLength: number;
  areas: ContinuationArea[];
}

const CE_LEN = 28;

function ceEntry(next: ContinuationArea): SuspEntry {
  return {
    bytes: header('CE', CE_LEN),
    patch: (b) => {
      writeU32Both(b, 4, next.lba);
      writeU32Both(b, 12, next.offset);
      writeU32Both(b, 20, next.length);
    },
  };
}

/**
 * Splits entries between a record's System Use field (`capacity` bytes free) and continuation
 * areas of at most 2048 bytes (SUSP §5.1: a CE entry points to the next area; areas are placed so
 * none crosses a logical block boundary).
 */
export function planSystemUse(entries: SuspEntry[], capacity: number): SystemUsePlan {
  const total = entries.reduce((s, e) => s + e.bytes.length, 0);
  if (total <= capacity) return { inline: entries, inlineLength: total, areas: [] };
  const inline: SuspEntry[] = [];
  let used = 0;
  let i = 0;
  while (i < entries.length && used + entries[i].bytes.length + CE_LEN <= capacity) {
    used += entries[i].bytes.length;
    inline.push(entries[i++]);
  }
  const areas: ContinuationArea[] = [];
  let cur: ContinuationArea = { entries: [], length: 0, lba: 0, offset: 0 };
  areas.push(cur);
  inline.push(ceEntry(cur));
  used += CE_LEN;
  for (; i < entries.length; i++) {
    const len = entries[i].bytes.length;
    const rest = entries.slice(i + 1).reduce((s, e) => s + e.bytes.length, 0);
    const fitsAll = cur.length + len + rest <= 2048;
    if (!fitsAll && cur.length + len + CE_LEN > 2048) {
      const next: ContinuationArea = { entries: [], length: 0, lba: 0, offset: 0 };
      cur.entries.push(ceEntry(next));
      cur.length += CE_LEN;
      areas.push(next);
      cur = next;
    }
    cur.entries.push(entries[i]);
    cur.length += len;
  }
  return { inline, inlineLength: used, areas };
}

/** Writes entries at buf[off..]; patches run with each entry's own slice. */
export function writeEntries(buf: Buffer, off: number, entries: SuspEntry[]): number {
  for (const e of entries) {
    e.bytes.copy(buf, off);
    e.patch?.(buf.subarray(off, off + e.bytes.length));
    off += e.bytes.length;
  }
  return off;
}
