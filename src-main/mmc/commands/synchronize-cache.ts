// SYNCHRONIZE CACHE (MMC-6): flush the drive buffer to the disc before closing.
import { cdb } from '../bytes';
import { cmdNone, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildSynchronizeCache(immediate = false): MmcCommand {
  const b = cdb(10, Op.SYNCHRONIZE_CACHE);
  b[1] = immediate ? 0x02 : 0;
  return cmdNone(b, 10 * 60_000);
}
