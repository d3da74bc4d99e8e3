// WRITE(10) and WRITE(12) (MMC-6; Streaming bit for DVD/BD real-time writing).
import { cdb, checkField, InvalidMediaArgumentError, put16, put32 } from '../bytes';
import { cmdOut, type MmcCommand } from '../command';
import { Op } from '../opcodes';

// Bytes per block a host may send: 2048 user data, CD mode 2 (2336), raw (2352), raw + PQ (2368), raw + P-W (2448) — MMC-6 page 05h Data Block Type;
// in SAO a cue sheet sub-channel data form adds 96 R-W bytes (2144, 2432, 2448), and a lead-in with
// generated main data and host R-W (CD-TEXT, data form 41h/C1h) is 96 bytes per block.
const BLOCK_SIZES = new Set([96, 2048, 2056, 2144, 2324, 2332, 2336, 2340, 2352, 2368, 2432, 2448]);

function checkData(blocks: number, data: Uint8Array): void {
  const ok = blocks === 0 ? data.length === 0 : data.length % blocks === 0 && BLOCK_SIZES.has(data.length / blocks);
  if (!ok) throw new InvalidMediaArgumentError('data.length', data.length, 0, blocks * 2448);
}

/** lba may be negative on CD (SAO pregap at -150); sent as two's complement. */
export function buildWrite10(lba: number, blocks: number, data: Uint8Array, timeoutMs?: number): MmcCommand {
  checkField('blocks', blocks, 16);
  checkData(blocks, data);
  const b = cdb(10, Op.WRITE_10);
  put32(b, 2, lba >>> 0);
  put16(b, 7, blocks);
  return cmdOut(b, data, timeoutMs);
}

export function buildWrite12(lba: number, blocks: number, data: Uint8Array, opts: { streaming?: boolean; timeoutMs?: number } = {}): MmcCommand {
  checkField('blocks', blocks, 32);
  checkData(blocks, data);
  const b = cdb(12, Op.WRITE_12);
  put32(b, 2, lba >>> 0);
  put32(b, 6, blocks);
  if (opts.streaming) b[10] = 0x80;
  return cmdOut(b, data, opts.timeoutMs);
}
