// BLANK (MMC-6 §6.2): erase CD-RW / DVD-RW.
import { cdb, checkField, put32 } from '../bytes';
import { cmdNone, type MmcCommand } from '../command';
import { Op } from '../opcodes';

/** Blanking Type. */
export const BlankType = { FULL: 0, MINIMAL: 1, TRACK: 2, UNRESERVE_TRACK: 3, TRACK_TAIL: 4, UNCLOSE_SESSION: 5, SESSION: 6 } as const;

export function buildBlank(type: number, opts: { immediate?: boolean; address?: number } = {}): MmcCommand {
  const b = cdb(12, Op.BLANK);
  b[1] = (opts.immediate ? 0x10 : 0) | checkField('blankingType', type, 3);
  put32(b, 2, checkField('address', opts.address ?? 0, 32));
  return cmdNone(b, 80 * 60_000);
}
