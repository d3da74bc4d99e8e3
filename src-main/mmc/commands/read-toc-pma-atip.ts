// READ TOC/PMA/ATIP (MMC-6 §6.25): formats 0 (TOC), 1 (session info), 2 (full TOC), 3 (PMA), 4 (ATIP), 5 (CD-TEXT).
import { cdb, checkField, msfString, msfToLba, put16, ResponseView } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export type TocFormat = 0 | 1 | 2 | 3 | 4 | 5;

export function buildReadTocPmaAtip(opts: { format: TocFormat; msf?: boolean; trackOrSession?: number; allocationLength?: number }): MmcCommand {
  const alloc = opts.allocationLength ?? 0xfffe;
  checkField('allocationLength', alloc, 16);
  checkField('format', opts.format, 4);
  const b = cdb(10, Op.READ_TOC_PMA_ATIP);
  if (opts.msf) b[1] = 0x02;
  b[2] = opts.format;
  b[6] = checkField('trackOrSession', opts.trackOrSession ?? (opts.format === 2 ? 1 : 0), 8);
  put16(b, 7, alloc);
  return cmdIn(b, alloc);
}

export interface TocEntry {
  adr: number;
  /** CONTROL nibble (MMC-6 §4.2.3.4): bit 2 data track, bit 0 pre-emphasis / incremental. */
  control: number;
  /** Track number, AAh for the lead-out. */
  track: number;
  /** Start address as LBA (MSF responses are converted). */
  lba: number;
}

export interface Toc {
  firstTrack: number;
  lastTrack: number;
  entries: TocEntry[];
}

function addr(v: ResponseView, off: number, msf: boolean): number {
  return msf ? msfToLba(v.u8(off + 1), v.u8(off + 2), v.u8(off + 3)) : v.i32(off);
}

function descriptorsEnd(v: ResponseView): number {
  v.need(4, 'TOC header');
  return v.clip(v.u16(0) + 2);
}

/** Format 0000b (§6.25.3.2): one 8-byte descriptor per track plus the lead-out (AAh). */
export function parseToc(data: Uint8Array, msf = false): Toc {
  const v = new ResponseView('READ TOC', data);
  const end = descriptorsEnd(v);
  const entries: TocEntry[] = [];
  for (let off = 4; off + 8 <= end; off += 8) {
    const b1 = v.u8(off + 1);
    entries.push({ adr: b1 >> 4, control: b1 & 0x0f, track: v.u8(off + 2), lba: addr(v, off + 4, msf) });
  }
  return { firstTrack: v.u8(2), lastTrack: v.u8(3), entries };
}

/** Format 0001b (§6.25.3.3): the first track of the last complete session. */
export function parseSessionInfo(data: Uint8Array, msf = false): { firstSession: number; lastSession: number; firstTrackInLastSession: number; lastSessionStartLba?: number } {
  const v = new ResponseView('READ TOC session info', data);
  descriptorsEnd(v);
  v.need(7, 'session info');
  // tgtd sends this descriptor 2 bytes short; the start address is then unknown rather than an error.
  return { firstSession: v.u8(2), lastSession: v.u8(3), firstTrackInLastSession: v.u8(6), lastSessionStartLba: v.has(8, 4) ? addr(v, 8, msf) : undefined };
}

export interface RawTocEntry {
  session: number;
  adr: number;
  control: number;
  tno: number;
  point: number;
  min: number;
  sec: number;
  frame: number;
  zero: number;
  pmin: number;
  psec: number;
  pframe: number;
}

/** Formats 0010b (full TOC, §6.25.3.4) and 0011b (PMA, §6.25.3.6): 11-byte Q-subcode descriptors. */
export function parseRawToc(data: Uint8Array, format: 2 | 3 = 2): { first: number; last: number; entries: RawTocEntry[] } {
  const v = new ResponseView(format === 2 ? 'READ TOC full TOC' : 'READ TOC PMA', data);
  const end = descriptorsEnd(v);
  const entries: RawTocEntry[] = [];
  for (let off = 4; off + 11 <= end; off += 11) {
    const b1 = v.u8(off + 1);
    entries.push({
      session: v.u8(off), adr: b1 >> 4, control: b1 & 0x0f, tno: v.u8(off + 2), point: v.u8(off + 3),
      min: v.u8(off + 4), sec: v.u8(off + 5), frame: v.u8(off + 6), zero: v.u8(off + 7), pmin: v.u8(off + 8), psec: v.u8(off + 9), pframe: v.u8(off + 10),
    });
  }
  return { first: v.u8(2), last: v.u8(3), entries };
}

export interface Atip {
  indicativeWritePower: number;
  referenceSpeed: number;
  unrestrictedUse: boolean;
  /** Disc Type bit (§6.25.3.7): set for CD-RW. */
  erasable: boolean;
  discSubType: number;
  leadInStart: { m: number; s: number; f: number };
  leadOutStart: { m: number; s: number; f: number };
  leadInStartLba: number;
  lastLeadOutStartLba: number;
  manufacturer: string;
}

/** Format 0100b (§6.25.3.7): ATIP from the pre-groove of CD-R/RW. */
export function parseAtip(data: Uint8Array): Atip {
  const v = new ResponseView('READ TOC ATIP', data);
  descriptorsEnd(v);
  v.need(15, 'ATIP descriptor');
  const li = { m: v.u8(8), s: v.u8(9), f: v.u8(10) };
  const lo = { m: v.u8(12), s: v.u8(13), f: v.u8(14) };
  return {
    indicativeWritePower: (v.u8(4) >> 4) & 0x07,
    referenceSpeed: v.u8(4) & 0x07,
    unrestrictedUse: v.bit(5, 6),
    erasable: v.bit(6, 6),
    discSubType: (v.u8(6) >> 3) & 0x07,
    leadInStart: li,
    leadOutStart: lo,
    leadInStartLba: msfToLba(li.m, li.s, li.f),
    lastLeadOutStartLba: msfToLba(lo.m, lo.s, lo.f),
    manufacturer: atipManufacturer(li.m, li.s, li.f),
  };
}

// Orange Book Part II assigns each disc manufacturer a lead-in start time; the frame's tens digit
// is the manufacturer, its units digit the dye/type. Partial list of well-known assignments.
const ATIP_MANUFACTURERS: ReadonlyArray<[number, number, number, string]> = [
  [97, 15, 1, 'Ritek Co.'],
  [97, 24, 0, 'Taiyo Yuden Company Ltd.'],
  [97, 26, 6, 'CMC Magnetics Corporation'],
  [97, 34, 2, 'Mitsubishi Chemical Corporation'],
];

export function atipManufacturer(m: number, s: number, f: number): string {
  const hit = ATIP_MANUFACTURERS.find(([mm, ss, ff]) => mm === m && ss === s && ff === Math.floor(f / 10));
  return hit ? hit[3] : `unknown (lead-in ${msfString(m, s, f)})`;
}

/** Format 0101b (§6.25.3.8): CD-TEXT packs of 18 bytes (type, track, sequence, block/position, 12 text bytes, CRC). */
export function parseCdTextPacks(data: Uint8Array): Uint8Array[] {
  const v = new ResponseView('READ TOC CD-TEXT', data);
  const end = descriptorsEnd(v);
  const packs: Uint8Array[] = [];
  for (let off = 4; off + 18 <= end; off += 18) packs.push(v.bytes(off, 18).slice());
  return packs;
}
