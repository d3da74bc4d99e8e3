// PREVENT ALLOW MEDIUM REMOVAL (MMC-6): Prevent bit 0 locks the tray against the eject button.
import { cdb } from '../bytes';
import { cmdNone, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildPreventAllowMediumRemoval(prevent: boolean, persistent = false): MmcCommand {
  const b = cdb(6, Op.PREVENT_ALLOW_MEDIUM_REMOVAL);
  b[4] = (persistent ? 2 : 0) | (prevent ? 1 : 0);
  return cmdNone(b);
}
