// MODE SENSE(10) / MODE SELECT(10) (SPC-4; MMC-6 §6.12 for MODE SENSE(10)) with the MMC pages a burner uses:
// 05h Write Parameters (MMC-6 §7.5) and 2Ah CD/DVD Capabilities and Mechanical Status (MMC-3 §6.3.11;
// obsolete in MMC-6 but still the only place many drives report write speeds and lock state).
import { cdb, checkField, MmcResponseError, put16, put32, ResponseView } from '../bytes';
import { cmdIn, cmdOut, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export const ModePage = { READ_WRITE_ERROR_RECOVERY: 0x01, WRITE_PARAMETERS: 0x05, CACHING: 0x08, POWER_CONDITION: 0x1a, TIMEOUT_PROTECT: 0x1d, CAPABILITIES: 0x2a, ALL: 0x3f } as const;

/** Page Control (SPC-4 MODE SENSE PC field): 0 current, 1 changeable, 2 default, 3 saved. */
export function buildModeSense10(page: number, opts: { pageControl?: 0 | 1 | 2 | 3; subpage?: number; allocationLength?: number } = {}): MmcCommand {
  const alloc = opts.allocationLength ?? 0xfff0;
  checkField('page', page, 6);
  checkField('allocationLength', alloc, 16);
  const b = cdb(10, Op.MODE_SENSE_10);
  b[1] = 0x08; // DBD: MMC drives have no block descriptors (MMC-6 §7.2)
  b[2] = ((opts.pageControl ?? 0) << 6) | page;
  b[3] = checkField('subpage', opts.subpage ?? 0, 8);
  put16(b, 7, alloc);
  return cmdIn(b, alloc);
}

export interface ModePageData {
  code: number;
  parametersSavable: boolean;
  /** Page bytes including the 2-byte page header. */
  bytes: Uint8Array;
}

/** Splits a MODE SENSE(10) response into pages, skipping block descriptors. */
export function parseModeSense10(data: Uint8Array): { pages: ModePageData[] } {
  const v = new ResponseView('MODE SENSE(10)', data);
  v.need(8, 'mode parameter header');
  const end = v.clip(v.u16(0) + 2);
  const pages: ModePageData[] = [];
  for (let off = 8 + v.u16(6); off + 2 <= end; ) {
    const len = v.u8(off + 1);
    if (off + 2 + len > end) break;
    pages.push({ code: v.u8(off) & 0x3f, parametersSavable: v.bit(off, 7), bytes: v.bytes(off, len + 2).slice() });
    off += 2 + len;
  }
  return { pages };
}

/** MODE SELECT(10) with PF=1 (SPC-4 MODE SELECT(10)); pages are sent after an 8-byte zeroed header. */
export function buildModeSelect10(pages: Uint8Array[], opts: { savePages?: boolean } = {}): MmcCommand {
  const total = 8 + pages.reduce((n, p) => n + p.length, 0);
  checkField('parameterListLength', total, 16);
  const data = new Uint8Array(total);
  let off = 8;
  for (const p of pages) {
    const copy = p.slice();
    copy[0] &= 0x3f; // PS is reserved in MODE SELECT
    data.set(copy, off);
    off += p.length;
  }
  const b = cdb(10, Op.MODE_SELECT_10);
  b[1] = 0x10 | (opts.savePages ? 0x01 : 0);
  put16(b, 7, total);
  return cmdOut(b, data);
}

/** Write Type (MMC-6). */
export type WriteType = 'packet' | 'tao' | 'sao' | 'raw' | 'layer-jump';
const WRITE_TYPES: WriteType[] = ['packet', 'tao', 'sao', 'raw', 'layer-jump'];

export interface WriteParameters {
  bufferUnderrunFree: boolean;
  linkSizeValid: boolean;
  testWrite: boolean;
  writeType: WriteType;
  /** 00b no next session (close disc), 01b next session not allowed (CD: B0 pointer FFh), 11b next session allowed. */
  multiSession: number;
  fixedPacket: boolean;
  copy: boolean;
  /** CONTROL nibble of the track (4 = data, uninterrupted). */
  trackMode: number;
  /** Data Block Type: 0 raw 2352, 8 mode 1 2048, 10 mode 2 form 1, 13 mode 2 2336. */
  dataBlockType: number;
  linkSize: number;
  applicationCode: number;
  /** 00h CD-DA/CD-ROM, 10h CD-I, 20h CD-ROM XA. */
  sessionFormat: number;
  packetSize: number;
  audioPauseLength: number;
  /** Sub-header bytes 0–3 (file, channel, sub-mode, coding) the drive writes in mode 2 blocks (data block types 10–13). */
  subHeader?: [number, number, number, number];
  /** Media Catalog Number (13 digits) the drive records in Q mode 2 frames (bytes 16–31, MCVAL). */
  mcn?: string;
  /** The track's ISRC (12 characters) the drive records in Q mode 3 frames (bytes 32–47, TCVAL). */
  isrc?: string;
}

export const DEFAULT_WRITE_PARAMETERS: WriteParameters = {
  bufferUnderrunFree: true, linkSizeValid: false, testWrite: false, writeType: 'tao', multiSession: 0, fixedPacket: false, copy: false,
  trackMode: 4, dataBlockType: 8, linkSize: 0, applicationCode: 0, sessionFormat: 0, packetSize: 0, audioPauseLength: 150,
};

export function parseWriteParametersPage(page: Uint8Array): WriteParameters {
  const v = new ResponseView('MODE SENSE page 05h', page);
  v.need(16, 'write parameters page');
  if ((v.u8(0) & 0x3f) !== ModePage.WRITE_PARAMETERS) throw new MmcResponseError('MODE SENSE', `expected page 05h, got ${(v.u8(0) & 0x3f).toString(16)}h`);
  return {
    bufferUnderrunFree: v.bit(2, 6),
    linkSizeValid: v.bit(2, 5),
    testWrite: v.bit(2, 4),
    writeType: WRITE_TYPES[v.u8(2) & 0x0f] ?? 'packet',
    multiSession: v.u8(3) >> 6,
    fixedPacket: v.bit(3, 5),
    copy: v.bit(3, 4),
    trackMode: v.u8(3) & 0x0f,
    dataBlockType: v.u8(4) & 0x0f,
    linkSize: v.u8(5),
    applicationCode: v.u8(7) & 0x3f,
    sessionFormat: v.u8(8),
    packetSize: v.u32(10),
    audioPauseLength: v.u16(14),
    ...(page.length >= 30 && v.bit(16, 7) ? { mcn: String.fromCharCode(...page.subarray(17, 30)) } : {}),
    ...(page.length >= 45 && v.bit(32, 7) ? { isrc: String.fromCharCode(...page.subarray(33, 45)) } : {}),
  };
}

/** Encodes page 05h (length 32h = 50 bytes after the header, MMC-6). */
export function encodeWriteParametersPage(p: Partial<WriteParameters>): Uint8Array {
  const w = { ...DEFAULT_WRITE_PARAMETERS, ...p };
  const b = new Uint8Array(52);
  b[0] = ModePage.WRITE_PARAMETERS;
  b[1] = 0x32;
  b[2] = (w.bufferUnderrunFree ? 0x40 : 0) | (w.linkSizeValid ? 0x20 : 0) | (w.testWrite ? 0x10 : 0) | WRITE_TYPES.indexOf(w.writeType);
  b[3] = ((w.multiSession & 3) << 6) | (w.fixedPacket ? 0x20 : 0) | (w.copy ? 0x10 : 0) | (w.trackMode & 0x0f);
  b[4] = w.dataBlockType & 0x0f;
  b[5] = w.linkSize & 0xff;
  b[7] = w.applicationCode & 0x3f;
  b[8] = w.sessionFormat & 0xff;
  put32(b, 10, w.packetSize);
  put16(b, 14, w.audioPauseLength);
  if (w.subHeader) b.set(w.subHeader.map((x) => x & 0xff), 48);
  // MCN: MCVAL, N1–N13 as ASCII digits; ISRC: TCVAL, I1–I12 as ASCII (MMC-6 page 05h). Each applies
  // to the tracks written while it is set (TAO: set per track).
  if (w.mcn) {
    b[16] = 0x80;
    b.set([...w.mcn.slice(0, 13)].map((c) => c.charCodeAt(0) & 0x7f), 17);
  }
  if (w.isrc) {
    b[32] = 0x80;
    b.set([...w.isrc.slice(0, 12)].map((c) => c.charCodeAt(0) & 0x7f), 33);
  }
  return b;
}

export interface CapabilitiesPage {
  readCdR: boolean;
  readCdRw: boolean;
  readDvdRom: boolean;
  readDvdR: boolean;
  readDvdRam: boolean;
  writeCdR: boolean;
  writeCdRw: boolean;
  writeDvdR: boolean;
  writeDvdRam: boolean;
  testWrite: boolean;
  bufferUnderrunFree: boolean;
  multiSession: boolean;
  lockSupported: boolean;
  locked: boolean;
  preventJumper: boolean;
  eject: boolean;
  loadingMechanism: number;
  bufferSizeKb: number;
  /** Write speeds in kB/s from the performance descriptor table (MMC-3), fastest first. */
  writeSpeeds: number[];
  currentWriteSpeed: number;
}

export function parseCapabilitiesPage(page: Uint8Array): CapabilitiesPage {
  const v = new ResponseView('MODE SENSE page 2Ah', page);
  v.need(14, 'capabilities page');
  const end = v.clip(v.u8(1) + 2);
  const speeds: number[] = [];
  if (end >= 32) {
    const n = v.u16(30);
    for (let i = 0, off = 32; i < n && off + 4 <= end; i++, off += 4) speeds.push(v.u16(off + 2));
  }
  speeds.sort((a, b) => b - a);
  return {
    readCdR: v.bit(2, 0), readCdRw: v.bit(2, 1), readDvdRom: v.bit(2, 3), readDvdR: v.bit(2, 4), readDvdRam: v.bit(2, 5),
    writeCdR: v.bit(3, 0), writeCdRw: v.bit(3, 1), testWrite: v.bit(3, 2), writeDvdR: v.bit(3, 4), writeDvdRam: v.bit(3, 5),
    bufferUnderrunFree: v.bit(4, 7), multiSession: v.bit(4, 6),
    lockSupported: v.bit(6, 0), locked: v.bit(6, 1), preventJumper: v.bit(6, 2), eject: v.bit(6, 3), loadingMechanism: v.u8(6) >> 5,
    bufferSizeKb: v.u16(12),
    writeSpeeds: speeds,
    currentWriteSpeed: end >= 30 ? v.u16(28) : 0,
  };
}
