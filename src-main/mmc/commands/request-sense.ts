// REQUEST SENSE (SPC-4): also used to poll progress of immediate BLANK/FORMAT/CLOSE.
import { cdb, checkField, MmcResponseError } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';
import { decodeSense, type DecodedSense } from '../sense';

export function buildRequestSense(allocationLength = 252, descriptorFormat = false): MmcCommand {
  checkField('allocationLength', allocationLength, 8);
  const b = cdb(6, Op.REQUEST_SENSE);
  if (descriptorFormat) b[1] = 0x01;
  b[4] = allocationLength;
  return cmdIn(b, allocationLength);
}

export function parseRequestSense(data: Uint8Array): DecodedSense {
  const d = decodeSense(data);
  if (!d) throw new MmcResponseError('REQUEST SENSE', 'no recognisable sense data');
  return d;
}
