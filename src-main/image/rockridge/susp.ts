// System Use Sharing Protocol (IEEE P1281, "SUSP" 1.12) and Rock Ridge (IEEE P1282, "RRIP" 1.10)
// entries, plus the split of a record's entries between its System Use field and continuation areas.
import { type DirDates, writeDirDate, writeU32Both } from '../iso9660/encoding';

/**
 * One SUSP entry: its length, and a writer that encodes it in place when the directory is
 * encoded (fields that depend on the final layout, such as CE/CL/PL locations, are read then).
 * No per-entry Buffers: a 50,000-file tree would otherwise allocate hundreds of thousands.
 */
export interface SuspEntry {
  len: number;
  /** `dates`: the encoding run's date writer, for entries that record dates (TF). */
  write(buf: Buffer, off: number, dates?: DirDates): void;
  /**
   * Entries whose content may be cut (NM): the first `room` bytes or fewer as an entry flagged to
   * continue, and the rest; undefined when not even one character fits.
   */
  split?(room: number): [SuspEntry, SuspEntry] | undefined;
}

function head(buf: Buffer, off: number, sig: string, len: number): void {
  buf[off] = sig.charCodeAt(0);
  buf[off + 1] = sig.charCodeAt(1);
  buf[off + 2] = len;
  buf[off + 3] = 1; // entry version
}

/** SUSP §5.3: SP marks SUSP use; first entry of the root's "." record; check bytes BE EF, skip 0. */
export function spEntry(): SuspEntry {
  return { len: 7, write(b, o) { head(b, o, 'SP', 7); b[o + 4] = 0xbe; b[o + 5] = 0xef; b[o + 6] = 0; } };
}

const RRIP_ID = 'RRIP_1991A';
const RRIP_DES = 'THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS';
const RRIP_SRC = 'PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.';

/** SUSP §5.5 ER with the RRIP 1.10 identifier, description and source (RRIP §5). */
export function erEntry(): SuspEntry {
  const len = 8 + RRIP_ID.length + RRIP_DES.length + RRIP_SRC.length;
  return {
    len,
    write(b, o) {
      head(b, o, 'ER', len);
      b[o + 4] = RRIP_ID.length;
      b[o + 5] = RRIP_DES.length;
      b[o + 6] = RRIP_SRC.length;
      b[o + 7] = 1; // extension version
      b.write(RRIP_ID + RRIP_DES + RRIP_SRC, o + 8, 'latin1');
    },
  };
}

/** RRIP §4.1.1 PX (1.10 form, 36 bytes): mode, links, uid, gid, each both-endian. */
export function pxEntry(mode: number, links: number, uid: number, gid: number): SuspEntry {
  return {
    len: 36,
    write(b, o) {
      head(b, o, 'PX', 36);
      writeU32Both(b, o + 4, mode >>> 0);
      writeU32Both(b, o + 12, links >>> 0);
      writeU32Both(b, o + 20, uid >>> 0);
      writeU32Both(b, o + 28, gid >>> 0);
    },
  };
}

/** TF's modify, access and attribute dates, through the run's date writer when there is one. */
function writeDates(b: Buffer, o: number, mtime: Date, atime: Date, ctime: Date, dates: DirDates | undefined): void {
  if (dates) {
    dates.write(b, o, mtime);
    dates.write(b, o + 7, atime);
    dates.write(b, o + 14, ctime);
  } else {
    writeDirDate(b, o, mtime);
    writeDirDate(b, o + 7, atime);
    writeDirDate(b, o + 14, ctime);
  }
}

/** RRIP §4.1.6 TF: flags 0x0E = modify, access, attributes; 7-byte ECMA-119 §9.1.5 dates. */
export function tfEntry(mtime: Date, atime: Date, ctime: Date): SuspEntry {
  return {
    len: 26,
    write(b, o, dates) {
      head(b, o, 'TF', 26);
      b[o + 4] = 0x0e;
      writeDates(b, o + 5, mtime, atime, ctime, dates);
    },
  };
}

/** RRIP §4.1.4 NM: the POSIX name, split over several entries with the CONTINUE flag (bit 0). */
export function nmEntries(name: string): SuspEntry[] {
  const max = 250;
  let ascii = true;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 0x7f) { ascii = false; break; }
  if (ascii && name.length <= max) return [nmPart(Buffer.from(name, 'latin1'), 0)];
  const raw = Buffer.from(name, 'utf8');
  const out: SuspEntry[] = [];
  for (let off = 0; off < raw.length || out.length === 0;) {
    const end = off + max >= raw.length ? raw.length : utf8Boundary(raw, off + max);
    out.push(nmPart(raw.subarray(off, end), end < raw.length ? 0x01 : 0));
    off = end;
  }
  return out;
}

/** The largest index ≤ at that starts a UTF-8 character (a cut there leaves every part valid UTF-8). */
function utf8Boundary(raw: Uint8Array, at: number): number {
  let i = at;
  while (i > 0 && (raw[i] & 0xc0) === 0x80) i--;
  return i;
}

/**
 * One NM entry. It can split itself so a record carries as much of the name as its System Use
 * field holds, the rest following in a continuation area (as libisofs does): readers that do not
 * follow CE (libcdio's iso-info) then show at least the name's beginning.
 */
function nmPart(bytes: Buffer, flags: number): SuspEntry {
  const len = 5 + bytes.length;
  return {
    len,
    write(b, o) { head(b, o, 'NM', len); b[o + 4] = flags; bytes.copy(b, o + 5); },
    split(room) {
      const cut = utf8Boundary(bytes, Math.min(bytes.length - 1, room - 5));
      if (cut <= 0) return undefined;
      return [nmPart(bytes.subarray(0, cut), 0x01), nmPart(bytes.subarray(cut), flags)];
    },
  };
}

const NO_AREAS: ContinuationArea[] = [];

/**
 * PX, TF and a single NM as one entry that is also its own System Use plan: what almost every
 * record of a tree carries, as one object instead of a dozen (a 50,000-file tree keeps them all
 * until its directories are encoded). Bytes are those of pxEntry + tfEntry + nmEntries.
 */
/** What PX, TF and NM record of a file: a staged node has these fields (held, not copied). */
export interface PosixSource {
  readonly name: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: Date;
  readonly atime: Date;
  readonly ctime: Date;
}

export class PosixEntry implements SuspEntry, SystemUsePlan {
  readonly len: number;
  private readonly nameBytes: number;
  /** `src` is read when the record is written (one reference per file, not eight fields). */
  constructor(private readonly src: PosixSource, private readonly links: number) {
    this.nameBytes = Buffer.byteLength(src.name, 'utf8');
    this.len = PosixEntry.lengthFor(this.nameBytes);
  }
  /** The entry's bytes for a name of `nameBytes` UTF-8 bytes: PX 36, TF 26 (three dates), NM 5 + the name. */
  static lengthFor(nameBytes: number): number {
    return 36 + 26 + 5 + nameBytes;
  }
  /** The largest name (UTF-8 bytes) this form holds: one NM entry (its length is one byte); a longer one is split by nmEntries. */
  static readonly MAX_NAME_BYTES = 250;
  get inline(): SuspEntry[] {
    return [this];
  }
  get inlineLength(): number {
    return this.len;
  }
  get areas(): ContinuationArea[] {
    return NO_AREAS;
  }
  write(b: Buffer, o: number, dates?: DirDates): void {
    const src = this.src;
    head(b, o, 'PX', 36);
    writeU32Both(b, o + 4, src.mode >>> 0);
    writeU32Both(b, o + 12, this.links >>> 0);
    writeU32Both(b, o + 20, src.uid >>> 0);
    writeU32Both(b, o + 28, src.gid >>> 0);
    o += 36;
    head(b, o, 'TF', 26);
    b[o + 4] = 0x0e;
    writeDates(b, o + 5, src.mtime, src.atime, src.ctime, dates);
    o += 26;
    head(b, o, 'NM', 5 + this.nameBytes);
    b[o + 4] = 0;
    const name = src.name;
    // Mostly ASCII names: a byte loop is cheaper than Buffer.write's call into C++ per entry.
    if (this.nameBytes === name.length) for (let i = 0; i < name.length; i++) b[o + 5 + i] = name.charCodeAt(i);
    else b.write(name, o + 5, 'utf8');
  }
}

function rawEntry(sig: string, flags: number, body: Buffer): SuspEntry {
  const len = 5 + body.length;
  return { len, write(b, o) { head(b, o, sig, len); b[o + 4] = flags; body.copy(b, o + 5); } };
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
  return entries.map((recs, i) => rawEntry('SL', i < entries.length - 1 ? 0x01 : 0, Buffer.concat(recs)));
}

function locationEntry(sig: string, lba: () => number): SuspEntry {
  return { len: 12, write(b, o) { head(b, o, sig, 12); writeU32Both(b, o + 4, lba()); } };
}

/** RRIP §4.1.5.1 CL: the relocated directory's location (on the placeholder file record). */
export function clEntry(lba: () => number): SuspEntry {
  return locationEntry('CL', lba);
}

/** RRIP §4.1.5.2 PL: the original parent's location (on the relocated directory's ".." record). */
export function plEntry(lba: () => number): SuspEntry {
  return locationEntry('PL', lba);
}

/** RRIP §4.1.5.3 RE: marks the relocated directory's own record in the relocation directory. */
export function reEntry(): SuspEntry {
  return { len: 4, write(b, o) { head(b, o, 'RE', 4); } };
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
    len: CE_LEN,
    write(b, o) {
      head(b, o, 'CE', CE_LEN);
      writeU32Both(b, o + 4, next.lba);
      writeU32Both(b, o + 12, next.offset);
      writeU32Both(b, o + 20, next.length);
    },
  };
}

/**
 * Splits entries between a record's System Use field (`capacity` bytes free) and continuation
 * areas of at most 2048 bytes (SUSP §5.1: a CE entry points to the next area; areas are placed so
 * none crosses a logical block boundary).
 */
export function planSystemUse(entries: SuspEntry[], capacity: number): SystemUsePlan {
  const total = entries.reduce((s, e) => s + e.len, 0);
  if (total <= capacity) return { inline: entries, inlineLength: total, areas: [] };
  const inline: SuspEntry[] = [];
  let used = 0;
  let i = 0;
  while (i < entries.length && used + entries[i].len + CE_LEN <= capacity) {
    used += entries[i].len;
    inline.push(entries[i++]);
  }
  // The entry that did not fit whole goes in part (NM), so the record holds its beginning.
  const parts = i < entries.length ? entries[i].split?.(capacity - used - CE_LEN) : undefined;
  if (parts) {
    entries = [...entries.slice(0, i), ...parts, ...entries.slice(i + 1)];
    used += parts[0].len;
    inline.push(entries[i++]);
  }
  const areas: ContinuationArea[] = [];
  let cur: ContinuationArea = { entries: [], length: 0, lba: 0, offset: 0 };
  areas.push(cur);
  inline.push(ceEntry(cur));
  used += CE_LEN;
  for (; i < entries.length; i++) {
    const len = entries[i].len;
    const rest = entries.slice(i + 1).reduce((s, e) => s + e.len, 0);
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

/** Writes entries at buf[off..]; `dates`: the encoding run's date writer (TF entries). */
export function writeEntries(buf: Buffer, off: number, entries: SuspEntry[], dates?: DirDates): number {
  for (const e of entries) {
    e.write(buf, off, dates);
    off += e.len;
  }
  return off;
}

// ---------------------------------------------------------------------------------------------
// Decoding (beside the encoders, so decode(encode(x)) is tested per entry: susp.test.ts)

/** One SUSP entry as recorded (SUSP §4: signature, length, version, data). */
export interface DecodedEntry {
  sig: string;
  version: number;
  /** The entry's bytes after its 4-byte header. */
  body: Buffer;
}

/** Splits a System Use field or continuation area into its entries (stops at padding or "ST", SUSP §5.4). */
export function decodeSuspEntries(buf: Buffer, off = 0, end = buf.length): DecodedEntry[] {
  const out: DecodedEntry[] = [];
  while (off + 4 <= end) {
    const sig = buf.toString('latin1', off, off + 2);
    const len = buf[off + 2];
    if (len < 4 || off + len > end || sig === 'ST') break;
    out.push({ sig, version: buf[off + 3], body: buf.subarray(off + 4, off + len) });
    off += len;
  }
  return out;
}

/** What the RRIP entries of one record say (RRIP 1.10 §4.1), NM and SL continuations joined. */
export interface RockRidgeFields {
  mode?: number; links?: number; uid?: number; gid?: number;
  /** TF times as UTC milliseconds. */
  mtime?: number; atime?: number; ctime?: number;
  name?: string;
  symlinkTarget?: string;
  childLink?: number; parentLink?: number; relocated?: boolean;
  continuation?: { lba: number; offset: number; length: number };
  sp?: boolean; er?: string;
}

export function decodeRockRidge(entries: DecodedEntry[]): RockRidgeFields {
  const r: RockRidgeFields = {};
  const name: Buffer[] = [];
  const slParts: Buffer[][] = [];
  let slRoot = false;
  let slOpen = false; // the last SL component continues in the next record
  let hasSl = false;
  const date = (b: Buffer, o: number) => Date.UTC(1900 + b[o], b[o + 1] - 1, b[o + 2], b[o + 3], b[o + 4], b[o + 5]) - b.readInt8(o + 6) * 15 * 60_000;
  for (const { sig, body: b } of entries) {
    if (sig === 'SP') r.sp = b[0] === 0xbe && b[1] === 0xef;
    else if (sig === 'ER') r.er = b.toString('latin1', 4, 4 + b[0]);
    else if (sig === 'CE') r.continuation = { lba: b.readUInt32LE(0), offset: b.readUInt32LE(8), length: b.readUInt32LE(16) };
    else if (sig === 'PX') { r.mode = b.readUInt32LE(0); r.links = b.readUInt32LE(8); r.uid = b.readUInt32LE(16); r.gid = b.readUInt32LE(24); }
    else if (sig === 'TF') {
      // Flags 0x0E (modify, access, attributes) in the 7-byte form, in that order.
      let o = 1;
      if (b[0] & 0x01) o += 7; // creation (not written here)
      if (b[0] & 0x02) { r.mtime = date(b, o); o += 7; }
      if (b[0] & 0x04) { r.atime = date(b, o); o += 7; }
      if (b[0] & 0x08) r.ctime = date(b, o);
    } else if (sig === 'NM') name.push(b.subarray(1));
    else if (sig === 'SL') {
      // Component records (RRIP §4.1.3.1): 0x08 root, 0x02 ".", 0x04 "..", 0x01 continues in the next.
      for (let o = 1; o + 2 <= b.length; o += 2 + b[o + 1]) {
        const flags = b[o];
        if (flags & 0x08) { slRoot = true; slOpen = false; continue; }
        const text = flags & 0x02 ? Buffer.from('.') : flags & 0x04 ? Buffer.from('..') : b.subarray(o + 2, o + 2 + b[o + 1]);
        if (slOpen) slParts[slParts.length - 1].push(text);
        else slParts.push([text]);
        slOpen = (flags & 0x01) !== 0;
      }
      hasSl = true;
    } else if (sig === 'CL') r.childLink = b.readUInt32LE(0);
    else if (sig === 'PL') r.parentLink = b.readUInt32LE(0);
    else if (sig === 'RE') r.relocated = true;
  }
  if (name.length) r.name = Buffer.concat(name).toString('utf8');
  if (hasSl) r.symlinkTarget = (slRoot ? '/' : '') + slParts.map((p) => Buffer.concat(p).toString('utf8')).join('/');
  return r;
}
