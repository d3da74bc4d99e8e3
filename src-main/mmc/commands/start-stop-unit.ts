// START STOP UNIT (MMC-6): LoEj+Start=0 ejects, LoEj+Start=1 loads (closes the tray).
import { cdb } from '../bytes';
import { cmdNone, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildStartStopUnit(opts: { start: boolean; loadEject: boolean; immediate?: boolean }): MmcCommand {
  const b = cdb(6, Op.START_STOP_UNIT);
  b[1] = opts.immediate ? 1 : 0;
  b[4] = (opts.loadEject ? 2 : 0) | (opts.start ? 1 : 0);
  return cmdNone(b, 60_000);
}
export const buildEject = (): MmcCommand => buildStartStopUnit({ start: false, loadEject: true });
export const buildLoad = (): MmcCommand => buildStartStopUnit({ start: true, loadEject: true });
