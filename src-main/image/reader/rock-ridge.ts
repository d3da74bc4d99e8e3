// SUSP (IEEE P1281) system use entries and the Rock Ridge (IEEE P1282, RRIP) entries built on them.
import { InvalidImageError } from '../../common/errors';
import { type BlockReader, SECTOR } from './block-reader';
import { dirDateTime, decDateTime } from './bytes';
import type { TreeBudget } from './limits';

/** SUSP continuation areas followed per directory record; real writers use one or two. */
const MAX_CE_PER_RECORD = 32;
const MAX_SUSP_BYTES = 64 * 1024;

export interface SuspEntry {
  sig: string;
  version: number;
  data: Buffer; // the entry body after the 4-byte header
}

export interface RockRidgeAttrs {
  name?: string;
  mode?: number;
  nlink?: number;
  uid?: number;
  gid?: number;
  mtime?: string;
  symlinkTarget?: string;
  /** RRIP §4.1.5.1 CL: this file record stands for a directory relocated to this sector. */
  childLink?: number;
  /** RRIP §4.1.5.3 RE: this directory was relocated; list it under its CL parent only. */
  relocated?: boolean;
  /** RRIP §4.1.5.2 PL. */
  parentLink?: number;
  /** SUSP §5.3 SP found (only meaningful on the root's "." record). */
  sp?: { skip: number };
  er: string[];
}

/**
 * Splits a system use area into SUSP entries (SUSP §4: signature, length, version, data), following
 * CE continuation areas (SUSP §5.1) with a visit set and a count limit so loops end.
 */
export async function readSuspEntries(reader: BlockReader, area: Buffer, budget?: TreeBudget): Promise<SuspEntry[]> {
  const out: SuspEntry[] = [];
  const seen = new Set<string>();
  let total = 0;
  let cur: Buffer | undefined = area;
  let hops = 0;
  while (cur) {
    const buf: Buffer = cur;
    cur = undefined;
    let ce: { lba: number; off: number; len: number } | undefined;
    let p = 0;
    while (p + 4 <= buf.length) {
      const len = buf[p + 2];
      // Padding after the last entry (SUSP §4: remaining bytes < 4 or a zero length) ends the area.
      if (len < 4 || p + len > buf.length) break;
      const sig = buf.toString('latin1', p, p + 2);
      const e: SuspEntry = { sig, version: buf[p + 3], data: buf.subarray(p + 4, p + len) };
      p += len;
      if (sig === 'ST') break; // SUSP §5.4 terminator
      if (sig === 'CE' && e.data.length >= 24) {
        ce = { lba: e.data.readUInt32LE(0), off: e.data.readUInt32LE(8), len: e.data.readUInt32LE(16) };
        continue;
      }
      if (sig === 'PD') continue;
      out.push(e);
    }
    if (ce) {
      const key = `${ce.lba}:${ce.off}`;
      if (seen.has(key) || ++hops > MAX_CE_PER_RECORD) throw new InvalidImageError(`SUSP continuation area loop at sector ${ce.lba}+${ce.off}`, { lba: ce.lba });
      seen.add(key);
      total += ce.len;
      if (total > MAX_SUSP_BYTES) throw new InvalidImageError(`SUSP continuation areas exceed ${MAX_SUSP_BYTES} bytes`, { lba: ce.lba });
      // Continuation areas count toward the walk's directory bytes: records of one directory may
      // each name the same 64 KiB area, which no overlap rule can refuse (writers share CE sectors).
      budget?.charge(ce.len, `SUSP continuation area at sector ${ce.lba}`);
      const first = ce.lba + Math.floor(ce.off / SECTOR);
      const count = Math.ceil(((ce.off % SECTOR) + ce.len) / SECTOR);
      if (ce.len === 0) break;
      if (first + count > reader.sectorCount) throw new InvalidImageError(`SUSP continuation area at sector ${ce.lba} lies outside the image`, { lba: ce.lba });
      const block = await reader.read(first, count);
      cur = block.subarray(ce.off % SECTOR, (ce.off % SECTOR) + ce.len);
    }
  }
  return out;
}

/** Decodes the Rock Ridge entries of one directory record. Unknown entries are ignored (SUSP §4). */
export function decodeRockRidge(entries: SuspEntry[]): RockRidgeAttrs {
  const rr: RockRidgeAttrs = { er: [] };
  let name: string | undefined;
  let link: string[] | undefined;
  let linkPart = '';
  for (const { sig, data } of entries) {
    switch (sig) {
      case 'SP': // SUSP §5.3: check bytes BE EF, then LEN_SKP
        if (data.length >= 3 && data[0] === 0xbe && data[1] === 0xef) rr.sp = { skip: data[2] };
        break;
      case 'ER': { // SUSP §5.5: LEN_ID, LEN_DES, LEN_SRC, EXT_VER, then identifier
        if (data.length < 4) break;
        const lenId = data[0];
        rr.er.push(data.toString('latin1', 4, Math.min(data.length, 4 + lenId)));
        break;
      }
      case 'PX': // RRIP §4.1.1: mode, links, uid, gid (both-endian 32-bit), optional serial
        if (data.length >= 32) {
          rr.mode = data.readUInt32LE(0);
          rr.nlink = data.readUInt32LE(8);
          rr.uid = data.readUInt32LE(16);
          rr.gid = data.readUInt32LE(24);
        }
        break;
      case 'NM': { // RRIP §4.1.4: flags (bit0 CONTINUE, bit1 CURRENT, bit2 PARENT), name bytes
        if (data.length < 1) break;
        const flags = data[0];
        if (flags & 0x06) break; // "." / ".." aliases carry no name
        name = (name ?? '') + data.toString('utf8', 1);
        break;
      }
      case 'SL': { // RRIP §4.1.3: flags byte then component records (flags, len, content)
        link ??= [];
        let p = 1;
        while (p + 2 <= data.length) {
          const cf = data[p];
          const cl = data[p + 1];
          const content = data.toString('utf8', p + 2, Math.min(data.length, p + 2 + cl));
          p += 2 + cl;
          if (cf & 0x08) {
            link.push(''); // ROOT: a leading empty component makes the joined path absolute
            continue;
          }
          linkPart += cf & 0x02 ? '.' : cf & 0x04 ? '..' : content;
          if (!(cf & 0x01)) {
            link.push(linkPart);
            linkPart = '';
          }
        }
        break;
      }
      case 'TF': { // RRIP §4.1.6: flags select creation, modify, access, … ; bit 7 = 17-byte dates
        if (data.length < 1) break;
        const flags = data[0];
        const long = (flags & 0x80) !== 0;
        const size = long ? 17 : 7;
        let p = 1;
        for (let bit = 0; bit < 7; bit++) {
          if (!(flags & (1 << bit))) continue;
          if (p + size > data.length) break;
          if (bit === 1) rr.mtime = long ? decDateTime(data, p) : dirDateTime(data, p);
          p += size;
        }
        break;
      }
      case 'CL':
        if (data.length >= 8) rr.childLink = data.readUInt32LE(0);
        break;
      case 'PL':
        if (data.length >= 8) rr.parentLink = data.readUInt32LE(0);
        break;
      case 'RE':
        rr.relocated = true;
        break;
    }
  }
  if (name !== undefined) rr.name = name;
  if (link) {
    if (linkPart) link.push(linkPart);
    rr.symlinkTarget = link.length === 1 && link[0] === '' ? '/' : link.join('/');
  }
  return rr;
}
