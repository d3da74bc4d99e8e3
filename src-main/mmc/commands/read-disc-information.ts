// READ DISC INFORMATION (MMC-6 §6.21), Standard Disc Information (data type 000b, §6.21.3.1).
import { cdb, checkField, msfToLba, put16, ResponseView } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildReadDiscInformation(allocationLength = 34, dataType = 0): MmcCommand {
  checkField('allocationLength', allocationLength, 16);
  checkField('dataType', dataType, 3);
  const b = cdb(10, Op.READ_DISC_INFORMATION);
  b[1] = dataType;
  put16(b, 7, allocationLength);
  return cmdIn(b, allocationLength);
}

export type DiscStatusCode = 'blank' | 'appendable' | 'complete' | 'other';
export type SessionState = 'empty' | 'incomplete' | 'damaged' | 'complete';

export interface DiscInformation {
  erasable: boolean;
  lastSessionState: SessionState;
  discStatus: DiscStatusCode;
  firstTrack: number;
  sessions: number;
  firstTrackInLastSession: number;
  lastTrackInLastSession: number;
  unrestrictedUse: boolean;
  /** Background format status (§6.21.3.1.9): 0 none, 1 started but neither running nor complete, 2 in progress, 3 complete. */
  bgFormatStatus: number;
  /** 00h CD-DA/CD-ROM, 10h CD-I, 20h CD-ROM XA, FFh undefined. */
  discType: number;
  discId?: number;
  /** CD only: start of the lead-in of the last session as LBA (negative values are in the lead-in). */
  lastSessionLeadInStart?: number;
  lastPossibleLeadOutStart?: number;
  lastSessionLeadInStartRaw?: number;
  lastPossibleLeadOutStartRaw?: number;
  barCode?: Uint8Array;
  applicationCode?: number;
}

const STATUS: DiscStatusCode[] = ['blank', 'appendable', 'complete', 'other'];
const SESSION: SessionState[] = ['empty', 'incomplete', 'damaged', 'complete'];

export function parseReadDiscInformation(data: Uint8Array): DiscInformation {
  const v = new ResponseView('READ DISC INFORMATION', data);
  v.need(7);
  const declared = v.u16(0) + 2;
  // The drive may clip to the allocation length; use the lesser of declared and transferred.
  const end = v.clip(declared);
  const b2 = v.u8(2);
  const msb = (off: number) => (end > off ? v.u8(off) << 8 : 0);
  const info: DiscInformation = {
    erasable: (b2 & 0x10) !== 0,
    lastSessionState: SESSION[(b2 >> 2) & 3],
    discStatus: STATUS[b2 & 3],
    firstTrack: v.u8(3),
    sessions: msb(9) | v.u8(4),
    firstTrackInLastSession: msb(10) | v.u8(5),
    lastTrackInLastSession: msb(11) | v.u8(6),
    unrestrictedUse: end > 7 ? v.bit(7, 5) : false,
    bgFormatStatus: end > 7 ? v.u8(7) & 3 : 0,
    discType: end > 8 ? v.u8(8) : 0xff,
  };
  if (end >= 16 && v.bit(7, 7)) info.discId = v.u32(12);
  if (end >= 24) {
    // CD: MSF as 00 MM SS FF (§6.21.3.1.13). Other media: FFFFFFFFh, or (tgtd, some DVD drives) an
    // LBA; only well-formed MSF is converted, the raw field is always kept.
    const msf = (off: number) => {
      const raw = v.u32(off);
      const [z, m, s, f] = [v.u8(off), v.u8(off + 1), v.u8(off + 2), v.u8(off + 3)];
      return raw === 0xffffffff || z !== 0 || m > 99 || s > 59 || f > 74 || raw === 0 ? undefined : msfToLba(m, s, f);
    };
    info.lastSessionLeadInStartRaw = v.u32(16);
    info.lastPossibleLeadOutStartRaw = v.u32(20);
    info.lastSessionLeadInStart = msf(16);
    info.lastPossibleLeadOutStart = msf(20);
  }
  if (end >= 32 && v.bit(7, 6)) info.barCode = v.bytes(24, 8).slice();
  if (end >= 33 && v.bit(7, 4)) info.applicationCode = v.u8(32);
  return info;
}
