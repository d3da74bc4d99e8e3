// MECHANISM STATUS (MMC-6): door/tray state and changer slots.
import { cdb, put16, ResponseView } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildMechanismStatus(allocationLength = 8): MmcCommand {
  const b = cdb(12, Op.MECHANISM_STATUS);
  put16(b, 8, allocationLength);
  return cmdIn(b, allocationLength);
}

export interface MechanismStatus {
  fault: boolean;
  changerState: number;
  currentSlot: number;
  /** 0 idle, 1 playing, 2 scanning, 3 active host / other. */
  mechanismState: number;
  doorOpen: boolean;
  slots: number;
}

export function parseMechanismStatus(data: Uint8Array): MechanismStatus {
  const v = new ResponseView('MECHANISM STATUS', data);
  v.need(8, 'mechanism status header');
  return { fault: v.bit(0, 7), changerState: (v.u8(0) >> 5) & 3, currentSlot: v.u8(0) & 0x1f, mechanismState: v.u8(1) >> 5, doorOpen: v.bit(1, 4), slots: v.u8(5) };
}
