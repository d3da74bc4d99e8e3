// SEND OPC INFORMATION (MMC-6): DoOpc=1 asks the drive to run power calibration now.
import { cdb } from '../bytes';
import { cmdNone, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildSendOpcInformation(doOpc = true): MmcCommand {
  const b = cdb(10, Op.SEND_OPC_INFORMATION);
  b[1] = doOpc ? 1 : 0;
  return cmdNone(b, 60_000);
}
