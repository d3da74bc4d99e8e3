// SEND CUE SHEET (MMC-6) and the Session At Once cue sheet format (8-byte entries).
import { cdb, checkField, MmcResponseError, put24 } from '../bytes';
import { cmdOut, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export interface CueSheetEntry {
  /** CTL (bits 7-4) / ADR (bits 3-0): ADR 1 = position, 2 = MCN, 3 = ISRC. */
  ctlAdr: number;
  /** Track number, 0 for the lead-in, AAh for the lead-out. */
  tno: number;
  index: number;
  /** Data Form: 00h CD-DA 2352, 10h mode 1 2048, 01h lead-in/out audio … */
  dataForm: number;
  scms: number;
  min: number;
  sec: number;
  frame: number;
}

export function encodeCueSheet(entries: CueSheetEntry[]): Uint8Array {
  const b = new Uint8Array(entries.length * 8);
  entries.forEach((e, i) => {
    b.set([e.ctlAdr, e.tno, e.index, e.dataForm, e.scms, e.min, e.sec, e.frame], i * 8);
  });
  return b;
}

export function parseCueSheet(data: Uint8Array): CueSheetEntry[] {
  if (data.length % 8 !== 0) throw new MmcResponseError('SEND CUE SHEET', `cue sheet length ${data.length} is not a multiple of 8`);
  const out: CueSheetEntry[] = [];
  for (let i = 0; i < data.length; i += 8) {
    out.push({ ctlAdr: data[i], tno: data[i + 1], index: data[i + 2], dataForm: data[i + 3], scms: data[i + 4], min: data[i + 5], sec: data[i + 6], frame: data[i + 7] });
  }
  return out;
}

export function buildSendCueSheet(sheet: Uint8Array): MmcCommand {
  checkField('cueSheetSize', sheet.length, 24);
  const b = cdb(10, Op.SEND_CUE_SHEET);
  put24(b, 6, sheet.length);
  return cmdOut(b, sheet);
}
