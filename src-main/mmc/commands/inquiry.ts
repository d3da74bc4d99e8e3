// INQUIRY (SPC-4): standard inquiry data identifies an MMC drive by peripheral type 05h.
import { checkField, cdb, put16, ResponseView } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildInquiry(allocationLength = 96): MmcCommand {
  checkField('allocationLength', allocationLength, 16);
  const b = cdb(6, Op.INQUIRY);
  put16(b, 3, allocationLength);
  return cmdIn(b, allocationLength);
}

export interface InquiryData {
  peripheralQualifier: number;
  /** 05h: CD/DVD/BD device (SPC-4 peripheral device type 05h). */
  peripheralType: number;
  removable: boolean;
  version: number;
  responseDataFormat: number;
  vendor: string;
  product: string;
  revision: string;
}

export function parseInquiry(data: Uint8Array): InquiryData {
  const v = new ResponseView('INQUIRY', data);
  v.need(5);
  // Identification fields at 8..15, 16..31, 32..35 (SPC-4 standard INQUIRY data); absent fields read as ''.
  const field = (off: number, n: number) => (v.has(off, 1) ? v.ascii(off, Math.min(n, v.length - off)) : '');
  return {
    peripheralQualifier: v.u8(0) >> 5,
    peripheralType: v.u8(0) & 0x1f,
    removable: v.bit(1, 7),
    version: v.u8(2),
    responseDataFormat: v.u8(3) & 0x0f,
    vendor: field(8, 8),
    product: field(16, 16),
    revision: field(32, 4),
  };
}
