// READ TRACK INFORMATION (MMC-6 §6.26): per-track state, NWA and free blocks.
import { cdb, checkField, put16, put32, ResponseView } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';

/** Address/Number Type (§6.26.2.2): 0 = LBA, 1 = logical track number, 2 = session number. */
export type TrackAddressType = 'lba' | 'track' | 'session';

/** Track number FFh addresses the invisible/incomplete track (§6.26.2.2). */
export const INVISIBLE_TRACK = 0xff;

export function buildReadTrackInformation(opts: { type?: TrackAddressType; address: number; open?: boolean; allocationLength?: number }): MmcCommand {
  const alloc = opts.allocationLength ?? 48;
  checkField('allocationLength', alloc, 16);
  checkField('address', opts.address >>> 0, 32);
  const b = cdb(10, Op.READ_TRACK_INFORMATION);
  b[1] = ({ lba: 0, track: 1, session: 2 } as const)[opts.type ?? 'track'] | (opts.open ? 0x04 : 0);
  put32(b, 2, opts.address >>> 0);
  put16(b, 7, alloc);
  return cmdIn(b, alloc);
}

export interface TrackInformation {
  track: number;
  session: number;
  damage: boolean;
  copy: boolean;
  /** CONTROL nibble (§4.2.3.4): bit 2 set = data track. */
  trackMode: number;
  reserved: boolean;
  blank: boolean;
  packet: boolean;
  fixedPacket: boolean;
  /** 1 = mode 1, 2 = mode 2, Fh = unknown (§6.26.3.10). */
  dataMode: number;
  startLba: number;
  nextWritableAddress?: number;
  freeBlocks: number;
  fixedPacketSize: number;
  trackSize: number;
  lastRecordedAddress?: number;
  readCompatibilityLba?: number;
}

export function parseReadTrackInformation(data: Uint8Array): TrackInformation {
  const v = new ResponseView('READ TRACK INFORMATION', data);
  v.need(28);
  const end = v.clip(v.u16(0) + 2);
  const b6 = v.u8(6);
  const b7 = v.u8(7);
  const info: TrackInformation = {
    track: (end > 32 ? v.u8(32) << 8 : 0) | v.u8(2),
    session: (end > 33 ? v.u8(33) << 8 : 0) | v.u8(3),
    damage: v.bit(5, 5),
    copy: v.bit(5, 4),
    trackMode: v.u8(5) & 0x0f,
    reserved: (b6 & 0x80) !== 0,
    blank: (b6 & 0x40) !== 0,
    packet: (b6 & 0x20) !== 0,
    fixedPacket: (b6 & 0x10) !== 0,
    dataMode: b6 & 0x0f,
    startLba: v.i32(8),
    freeBlocks: v.u32(16),
    fixedPacketSize: v.u32(20),
    trackSize: v.u32(24),
  };
  if (b7 & 0x01) info.nextWritableAddress = v.i32(12);
  if (b7 & 0x02 && end >= 32) info.lastRecordedAddress = v.i32(28);
  if (end >= 40) info.readCompatibilityLba = v.i32(36);
  return info;
}
