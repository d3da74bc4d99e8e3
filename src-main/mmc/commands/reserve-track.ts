// RESERVE TRACK (MMC-6): reserve a size (ARSV=0) or an LBA (ARSV=1, BD-R/DVD-R DL layer jump).
import { cdb, checkField, put32 } from '../bytes';
import { cmdNone, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildReserveTrack(opts: { blocks: number } | { lba: number }): MmcCommand {
  const b = cdb(10, Op.RESERVE_TRACK);
  if ('lba' in opts) {
    b[1] = 1;
    put32(b, 5, checkField('lba', opts.lba, 32));
  } else {
    put32(b, 5, checkField('blocks', opts.blocks, 32));
  }
  return cmdNone(b);
}

export function parseReserveTrackCdb(c: Uint8Array): { arsv: boolean; value: number } {
  return { arsv: (c[1] & 1) === 1, value: ((c[5] << 24) >>> 0) + ((c[6] << 16) | (c[7] << 8) | c[8]) };
}
