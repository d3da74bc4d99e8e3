// FORMAT UNIT (MMC-6 §6.5): Format Code 001b with one Format Descriptor (§6.5.3.2).
import { cdb, checkField, put24, put32 } from '../bytes';
import { cmdOut, type MmcCommand } from '../command';
import { Op } from '../opcodes';

/** Format Types used by burners. */
export const FormatType = { FULL: 0x00, DVD_RW_QUICK_GROW: 0x13, DVD_RW_QUICK: 0x15, DVD_PLUS_RW_FULL: 0x26, BD_RE_SPARES: 0x30, BD_RE_NO_SPARES: 0x31, BD_R_SPARES: 0x32 } as const;

/** Format Subtype of Format Type 30h/31h (BD-RE, MMC-6 §6.5.4.2.15): 00b quick reformat, 10b full certification, 11b quick certification. */
export const BdFormatSubtype = { QUICK_REFORMAT: 0, NO_CERTIFICATION: 1, FULL_CERTIFICATION: 2, QUICK_CERTIFICATION: 3 } as const;

export function buildFormatUnit(opts: { formatType: number; blocks: number; typeDependent?: number; subtype?: number; immediate?: boolean }): MmcCommand {
  const data = new Uint8Array(12);
  // Format List Header: FOV=1 so IMMED is honoured, IMMED bit 1.
  data[1] = 0x80 | (opts.immediate ? 0x02 : 0);
  data[3] = 8;
  put32(data, 4, checkField('blocks', opts.blocks, 32));
  data[8] = (checkField('formatType', opts.formatType, 6) << 2) | checkField('subtype', opts.subtype ?? 0, 2);
  put24(data, 9, checkField('typeDependent', opts.typeDependent ?? 0, 24));
  const b = cdb(6, Op.FORMAT_UNIT);
  b[1] = 0x11; // FmtData=1, Format Code 001b
  return cmdOut(b, data, 80 * 60_000);
}
