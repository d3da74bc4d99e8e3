// TEST UNIT READY (SPC-4): GOOD when a disc is loaded and ready; sense says why not.
import { cdb } from '../bytes';
import { cmdNone, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildTestUnitReady(): MmcCommand {
  return cmdNone(cdb(6, Op.TEST_UNIT_READY));
}
