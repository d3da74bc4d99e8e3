// READ CAPACITY(10) (MMC-6 §6.18): last recorded LBA and block length.
import { cdb, ResponseView } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildReadCapacity(): MmcCommand {
  return cmdIn(cdb(10, Op.READ_CAPACITY), 8);
}

export interface ReadCapacityData {
  lastLba: number;
  blockLength: number;
  /** lastLba + 1; 0 for a blank disc reporting lastLba 0xFFFFFFFF or 0 with nothing recorded. */
  blocks: number;
}

export function parseReadCapacity(data: Uint8Array): ReadCapacityData {
  const v = new ResponseView('READ CAPACITY', data);
  v.need(8);
  const lastLba = v.u32(0);
  return { lastLba, blockLength: v.u32(4), blocks: lastLba === 0xffffffff ? 0 : lastLba + 1 };
}
