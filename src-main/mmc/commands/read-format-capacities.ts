// READ FORMAT CAPACITIES (MMC-6 §6.23): current capacity and the format types FORMAT UNIT accepts.
import { cdb, checkField, MmcResponseError, put16, ResponseView } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildReadFormatCapacities(allocationLength = 0xfffc): MmcCommand {
  checkField('allocationLength', allocationLength, 16);
  const b = cdb(10, Op.READ_FORMAT_CAPACITIES);
  put16(b, 7, allocationLength);
  return cmdIn(b, allocationLength);
}

/** Descriptor Type of the current/maximum descriptor. */
export type CapacityDescriptorType = 'unformatted' | 'formatted' | 'no-media' | 'reserved';

export interface FormatCapacities {
  current: { blocks: number; type: CapacityDescriptorType; blockLength: number };
  /** Formattable capacity descriptors: Format Type (e.g. 00h full, 26h DVD+RW, 30h/31h BD-RE, 32h BD-R). */
  formattable: Array<{ blocks: number; formatType: number; typeDependent: number }>;
}

export function parseReadFormatCapacities(data: Uint8Array): FormatCapacities {
  const v = new ResponseView('READ FORMAT CAPACITIES', data);
  v.need(12, 'capacity list');
  const end = v.clip(4 + v.u8(3));
  if (end < 12) throw new MmcResponseError('READ FORMAT CAPACITIES', `capacity list length ${v.u8(3)} has no current capacity descriptor`);
  const current = { blocks: v.u32(4), type: (['reserved', 'unformatted', 'formatted', 'no-media'] as const)[v.u8(8) & 3], blockLength: v.u24(9) };
  const formattable = [];
  for (let off = 12; off + 8 <= end; off += 8) formattable.push({ blocks: v.u32(off), formatType: v.u8(off + 4) >> 2, typeDependent: v.u24(off + 5) });
  return { current, formattable };
}
