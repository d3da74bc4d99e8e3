// GET PERFORMANCE (MMC-6 §6.8): type 00h performance, type 03h write speed descriptors.
import { cdb, checkField, put16, put32, ResponseView } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildGetPerformance(opts: { type: 0x00 | 0x03; write?: boolean; except?: 0 | 1 | 2; startLba?: number; maxDescriptors?: number }): MmcCommand {
  const max = opts.maxDescriptors ?? 32;
  checkField('maxDescriptors', max, 16);
  const b = cdb(12, Op.GET_PERFORMANCE);
  // Type 00h: Data Type = Write bit (bit 2) + Except (bits 1-0) (§6.8.2.2); type 03h ignores them.
  if (opts.type === 0x00) b[1] = (opts.write ? 0x04 : 0) | (opts.except ?? 0);
  put32(b, 2, checkField('startLba', opts.startLba ?? 0, 32));
  put16(b, 8, max);
  b[10] = opts.type;
  const perDescriptor = opts.type === 0x03 ? 16 : 16;
  return cmdIn(b, 8 + max * perDescriptor);
}

export interface WriteSpeedDescriptor {
  /** Write Rotation Control: 0 default (CLV), 1 CAV. */
  wrc: number;
  restoreDefaults: boolean;
  exact: boolean;
  mixedRead: boolean;
  endLba: number;
  readSpeedKbps: number;
  writeSpeedKbps: number;
}

/** Type 03h (§6.8.2.5): one 16-byte descriptor per supported write speed for the loaded medium. */
export function parseWriteSpeeds(data: Uint8Array): WriteSpeedDescriptor[] {
  const v = new ResponseView('GET PERFORMANCE write speed', data);
  v.need(8, 'performance header');
  const end = v.clip(v.u32(0) + 4);
  const out: WriteSpeedDescriptor[] = [];
  for (let off = 8; off + 16 <= end; off += 16) {
    const b0 = v.u8(off);
    out.push({ wrc: (b0 >> 3) & 3, restoreDefaults: (b0 & 4) !== 0, exact: (b0 & 2) !== 0, mixedRead: (b0 & 1) !== 0, endLba: v.u32(off + 4), readSpeedKbps: v.u32(off + 8), writeSpeedKbps: v.u32(off + 12) });
  }
  return out;
}

/** Type 00h nominal performance (§6.8.2.3): start/end LBA with kB/s at each end. */
export function parsePerformance(data: Uint8Array): Array<{ startLba: number; startKbps: number; endLba: number; endKbps: number }> {
  const v = new ResponseView('GET PERFORMANCE', data);
  v.need(8, 'performance header');
  const end = v.clip(v.u32(0) + 4);
  const out = [];
  for (let off = 8; off + 16 <= end; off += 16) out.push({ startLba: v.u32(off), startKbps: v.u32(off + 4), endLba: v.u32(off + 8), endKbps: v.u32(off + 12) });
  return out;
}
