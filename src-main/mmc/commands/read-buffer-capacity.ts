// READ BUFFER CAPACITY (MMC-6): drive buffer size and free space, for under-run control.
import { cdb, put16, ResponseView } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildReadBufferCapacity(block = false): MmcCommand {
  const b = cdb(10, Op.READ_BUFFER_CAPACITY);
  b[1] = block ? 1 : 0;
  put16(b, 7, 12);
  return cmdIn(b, 12);
}

export function parseReadBufferCapacity(data: Uint8Array, block = false): { bufferLength?: number; freeBytes?: number; freeBlocks?: number } {
  const v = new ResponseView('READ BUFFER CAPACITY', data);
  v.need(12);
  // Block=1: only Available Buffer Length in blocks at 8..11.
  return block ? { freeBlocks: v.u32(8) } : { bufferLength: v.u32(4), freeBytes: v.u32(8) };
}
