// READ(10) and READ(12) (MMC-6): user data, 2048 bytes per block on data media.
import { cdb, checkField, put16, put32 } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildRead10(lba: number, blocks: number, blockSize = 2048): MmcCommand {
  checkField('blocks', blocks, 16);
  const b = cdb(10, Op.READ_10);
  put32(b, 2, checkField('lba', lba, 32));
  put16(b, 7, blocks);
  return cmdIn(b, blocks * blockSize);
}

export function buildRead12(lba: number, blocks: number, opts: { blockSize?: number; streaming?: boolean } = {}): MmcCommand {
  checkField('blocks', blocks, 32);
  const b = cdb(12, Op.READ_12);
  put32(b, 2, checkField('lba', lba, 32));
  put32(b, 6, blocks);
  if (opts.streaming) b[10] = 0x80;
  return cmdIn(b, blocks * (opts.blockSize ?? 2048));
}
