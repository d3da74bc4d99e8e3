// SET CD SPEED (MMC-6): speeds in kB/s (1000 bytes/s); FFFFh = maximum.
import { cdb, checkField, put16 } from '../bytes';
import { cmdNone, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export const MAX_SPEED = 0xffff;

export function buildSetCdSpeed(opts: { readKbps?: number; writeKbps?: number; cav?: boolean } = {}): MmcCommand {
  const b = cdb(12, Op.SET_CD_SPEED);
  b[1] = opts.cav ? 1 : 0;
  put16(b, 2, checkField('readKbps', opts.readKbps ?? MAX_SPEED, 16));
  put16(b, 4, checkField('writeKbps', opts.writeKbps ?? MAX_SPEED, 16));
  return cmdNone(b);
}
