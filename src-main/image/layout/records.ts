// The records the ISO 9660 and Joliet directory writers share: a directory (Dir) holds records
// (Rec), each one or more extent parts (Part) pointing at a directory or at a file's placed data
// (DataItem). Plan: the tree builders (iso9660/tree.ts, joliet/tree.ts) make them; regions: the
// layout pass gives each directory its LBA; encode: encodeDirsAndRelease writes them (ECMA-119 §9.1,
// §6.8.1.1) with iso9660/directory-record.ts.
import { InternalError } from '../../common/errors';
import { type DirDates, SECTOR, sectorsFor } from '../iso9660/encoding';
import { FLAG_DIRECTORY, FLAG_HIDDEN, FLAG_MULTI_EXTENT, recordLength, systemUseOffset, writeDirRecord } from '../iso9660/directory-record';
import { planSystemUse, writeEntries, type SuspEntry, type SystemUsePlan } from '../rockridge/susp';
import type { StagingNode, StagingSource } from '../staging/staging-tree';

/** ECMA-119 §6.8.2.1: at most 8 levels of directory hierarchy (root = level 1). */
export const MAX_ISO_DEPTH = 8;
/** Largest single extent of a multi-extent file: a whole number of sectors under 4 GiB (ECMA-119 §9.1.4). */
export const ISO_MAX_EXTENT = 0xfffff800;
export const FOUR_GIB = 0x100000000;

export interface DataItem { lba: number; size: number; source: StagingSource; path: string; patch?: (lba: number) => Buffer }

/** One extent part of a directory record; the LBA and length are read when encoding. */
export interface Part {
  dir?: Dir;
  item?: DataItem;
  /** Part number of a multi-extent file. */
  index: number;
  length: number;
  last: boolean;
  su: SystemUsePlan | null;
}

/** A directory record; it is its file's first (usually only) extent part. */
export interface Rec extends Part {
  /** Identifier: latin1 bytes, or UCS-2 BE characters when `wide` (Joliet). */
  id: string;
  wide: boolean;
  isDir: boolean;
  hidden: boolean;
  mtime: Date;
  /** Multi-extent files: the parts after the first, each recorded as a record of its own. */
  more: Part[] | undefined;
}

/** Every Rec has this one shape (one object per record: there is one record per file per facet). */
export function rec(id: string, wide: boolean, isDir: boolean, hidden: boolean, mtime: Date, first: Part, more?: Part[]): Rec {
  return { id, wide, isDir, hidden, mtime, dir: first.dir, item: first.item, index: first.index, length: first.length, last: first.last, su: first.su, more };
}

/** The record's extent parts in order (the record itself first). */
export function partAt(r: Rec, i: number): Part {
  return i === 0 ? r : r.more![i - 1];
}
export const partCount = (r: Rec) => (r.more ? r.more.length + 1 : 1);

export const idLen = (r: Rec) => (r.wide ? r.id.length * 2 : r.id.length);
export const partLba = (p: Part) => (p.dir ? p.dir.lba : p.item && p.item.size ? p.item.lba + p.index * (ISO_MAX_EXTENT / SECTOR) : 0);
export const partLength = (p: Part) => (p.dir ? p.dir.size : p.length);

export interface Dir {
  node: StagingNode;
  parent: Dir | undefined;
  idBytes: Buffer;
  depth: number;
  number: number;
  lba: number;
  size: number;
  /** The records, dot and dot-dot first; or empty while `recipe` holds them. */
  records: Rec[];
  /**
   * Makes the records when they are encoded (the same ones every call): a writer whose records
   * need nothing but the tree and the placed data keeps this instead of one object per file
   * alive from its plan to the encoding (the garbage collector copies every survivor twice).
   */
  recipe?: () => Rec[];
  subdirs: Dir[];
}

/** The directory's own node and its ancestors' up to the root (root last). */
export function ancestorsOf(d: Dir): StagingNode[] {
  const out: StagingNode[] = [];
  for (let x: Dir | undefined = d; x; x = x.parent) out.push(x.node);
  return out;
}

/** ECMA-119 §6.5.1/§9.1.6 bit 7: a file over 4 GiB as several extents (level 3), without System Use. */
export function multiExtentRec(id: string, wide: boolean, n: StagingNode, it: DataItem): Rec {
  const count = Math.ceil(it.size / ISO_MAX_EXTENT);
  const parts: Part[] = [];
  for (let i = 0; i < count; i++) {
    parts.push({ item: it, index: i, length: Math.min(ISO_MAX_EXTENT, it.size - i * ISO_MAX_EXTENT), last: i === count - 1, su: null });
  }
  return rec(id, wide, false, n.hidden, n.mtime, parts[0], parts.slice(1));
}

/** The System Use bytes a record keeps inline: records stay ≤ 255 bytes (an 8-bit length, ECMA-119 §9.1.1), less one for an odd pad. */
export function suCapacity(idLen: number): number {
  return 254 - systemUseOffset(idLen);
}

export function mkRec(
  id: string, wide: boolean, isDir: boolean, hidden: boolean, mtime: Date, target: { dir?: Dir; item?: DataItem },
  su: SuspEntry[] | null, ceAreas: SystemUsePlan['areas'],
): Rec {
  const plan = su ? planSystemUse(su, suCapacity(wide ? id.length * 2 : id.length)) : null;
  if (plan && plan.areas.length) for (const a of plan.areas) ceAreas.push(a);
  return { id, wide, isDir, hidden, mtime, dir: target.dir, item: target.item, index: 0, length: target.item ? target.item.size : 0, last: true, su: plan, more: undefined };
}

/** ECMA-119 §6.8.1.1: a record never crosses a logical sector; the rest of the sector is zero. */
export function dirSize(records: Rec[]): number {
  const size = new DirSizer();
  for (const r of records) size.addRecord(r);
  return size.bytes;
}

/** dirSize from the records' lengths alone, in their order (a writer sizing a directory before making its records). */
export class DirSizer {
  private off = 0;
  add(len: number): void {
    if ((this.off % SECTOR) + len > SECTOR) this.off = Math.ceil(this.off / SECTOR) * SECTOR;
    this.off += len;
  }
  /** A record made already: each of its extent parts. */
  addRecord(r: Rec): void {
    for (let i = 0, n = partCount(r); i < n; i++) this.add(recordLength(idLen(r), partAt(r, i).su?.inlineLength ?? 0));
  }
  get bytes(): number {
    return Math.max(1, sectorsFor(this.off)) * SECTOR;
  }
}

/**
 * Encodes a facet's directories (laid out back to back) into one buffer — one allocation, not one
 * per directory — and drops their records, so they are garbage before the UDF encoder runs.
 */
export function encodeDirsAndRelease(dirs: Dir[], dates: DirDates): { lba: number; data: Buffer } {
  const first = dirs[0].lba;
  const last = dirs[dirs.length - 1];
  const buf = Buffer.alloc((last.lba - first) * SECTOR + last.size);
  for (const d of dirs) {
    encodeDir(d, d.recipe ? d.recipe() : d.records, buf, (d.lba - first) * SECTOR, dates);
    d.records = [];
    d.recipe = undefined;
  }
  return { lba: first, data: buf };
}

function encodeDir(d: Dir, records: Rec[], buf: Buffer, at: number, dates: DirDates): void {
  let off = 0;
  for (const r of records) {
    for (let i = 0, n = partCount(r); i < n; i++) {
      const p = partAt(r, i);
      const suLen = p.su?.inlineLength ?? 0;
      const il = idLen(r);
      const len = recordLength(il, suLen);
      if ((off % SECTOR) + len > SECTOR) off = Math.ceil(off / SECTOR) * SECTOR;
      writeDirRecord(buf, at + off, len, r.id, r.wide, partLba(p), partLength(p), r.mtime, (r.isDir ? FLAG_DIRECTORY : 0) | (r.hidden ? FLAG_HIDDEN : 0) | (p.last ? 0 : FLAG_MULTI_EXTENT), dates);
      if (p.su) writeEntries(buf, at + off + systemUseOffset(il), p.su.inline, dates);
      off += len;
    }
  }
  if (off > d.size) throw new InternalError(`directory records overrun their extent (${off} > ${d.size})`);
}
