// READ CD (MMC-6 §6.19): selects which parts of a 2352-byte CD sector are returned.
import { cdb, checkField, put24, put32 } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';

/** Expected Sector Type: 0 any, 1 CD-DA, 2 mode 1, 3 mode 2 formless, 4 form 1, 5 form 2. */
export type SectorType = 0 | 1 | 2 | 3 | 4 | 5;

export interface ReadCdOptions {
  lba: number;
  blocks: number;
  sectorType?: SectorType;
  /** Byte 9: SYNC, header codes, user data, EDC/ECC. Default: user data only (10h). */
  sync?: boolean;
  headerCodes?: 0 | 1 | 2 | 3;
  userData?: boolean;
  edcEcc?: boolean;
  /** Sub-channel selection: 0 none, 1 raw P-W, 2 formatted Q, 4 R-W. */
  subChannel?: 0 | 1 | 2 | 4;
}

/** Bytes per sector the drive returns for the selection (common combinations). */
export function readCdSectorSize(o: ReadCdOptions): number {
  const audio = o.sectorType === 1;
  const full = o.sync && o.userData && o.edcEcc && (o.headerCodes ?? 0) === 3;
  let size = audio || full ? 2352 : 0;
  if (!size) {
    if (o.sync) size += 12;
    const h = o.headerCodes ?? 0;
    if (h === 1 || h === 3) size += 4;
    if (h === 2 || h === 3) size += 8 * (o.sectorType === 4 || o.sectorType === 5 ? 1 : 0);
    if (o.userData ?? true) size += o.sectorType === 3 ? 2336 : o.sectorType === 5 ? 2324 : 2048;
    if (o.edcEcc) size += o.sectorType === 2 ? 288 : o.sectorType === 4 ? 280 : 0;
  }
  if (o.subChannel === 1 || o.subChannel === 4) size += 96;
  else if (o.subChannel === 2) size += 16;
  return size;
}

export function buildReadCd(o: ReadCdOptions): MmcCommand {
  checkField('blocks', o.blocks, 24);
  const b = cdb(12, Op.READ_CD);
  b[1] = (o.sectorType ?? 0) << 2;
  put32(b, 2, o.lba >>> 0);
  put24(b, 6, o.blocks);
  b[9] = (o.sync ? 0x80 : 0) | ((o.headerCodes ?? 0) << 5) | ((o.userData ?? true) ? 0x10 : 0) | (o.edcEcc ? 0x08 : 0);
  b[10] = o.subChannel ?? 0;
  return cmdIn(b, o.blocks * readCdSectorSize(o));
}
