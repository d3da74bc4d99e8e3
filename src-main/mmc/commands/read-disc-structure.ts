// READ DISC STRUCTURE (MMC-6 §6.22) / SEND DISC STRUCTURE (MMC-6): DVD physical format (00h) and
// layer boundary information (20h), which carry the dual-layer break.
import { cdb, checkField, put16, put32, ResponseView } from '../bytes';
import { cmdIn, cmdOut, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export function buildReadDiscStructure(opts: { format: number; mediaType?: 0 | 1; address?: number; layer?: number; allocationLength?: number }): MmcCommand {
  const alloc = opts.allocationLength ?? 4 + 2048;
  checkField('allocationLength', alloc, 16);
  const b = cdb(12, Op.READ_DISC_STRUCTURE);
  b[1] = opts.mediaType ?? 0; // 0000b DVD/HD DVD, 0001b BD
  put32(b, 2, checkField('address', opts.address ?? 0, 32));
  b[6] = checkField('layer', opts.layer ?? 0, 8);
  b[7] = checkField('format', opts.format, 8);
  put16(b, 8, alloc);
  return cmdIn(b, alloc);
}

export interface PhysicalFormat {
  /** Book type (DVD: 0 ROM, 1 RAM, 2 -R, 3 -RW, 9 +RW, 10 +R, 13 +RW DL, 14 +R DL). */
  bookType: number;
  partVersion: number;
  layers: number;
  trackPathOpposite: boolean;
  layerType: number;
  startPsn: number;
  endPsn: number;
  endPsnLayer0: number;
}

export function parsePhysicalFormat(data: Uint8Array): PhysicalFormat {
  const v = new ResponseView('READ DISC STRUCTURE 00h', data);
  v.need(4 + 16, 'physical format information');
  return {
    bookType: v.u8(4) >> 4, partVersion: v.u8(4) & 0x0f, layers: ((v.u8(6) >> 5) & 3) + 1, trackPathOpposite: v.bit(6, 4), layerType: v.u8(6) & 0x0f,
    startPsn: v.u32(8) & 0xffffff, endPsn: v.u32(12) & 0xffffff, endPsnLayer0: v.u32(16) & 0xffffff,
  };
}

export function parseLayerBoundary(data: Uint8Array): { initialized: boolean; layer0Blocks: number } {
  const v = new ResponseView('READ DISC STRUCTURE 20h', data);
  v.need(12, 'layer boundary information');
  // Init Status bit 7 of byte 4 set = the L0 capacity may still be changed (not yet fixed).
  return { initialized: !v.bit(4, 7), layer0Blocks: v.u32(8) };
}

/** SEND DISC STRUCTURE format 20h: set the L0 data zone capacity (layer break) of a blank DL disc. */
export function buildSendLayerBoundary(layer0Blocks: number): MmcCommand {
  const d = new Uint8Array(12);
  put16(d, 0, 10);
  put32(d, 8, checkField('layer0Blocks', layer0Blocks, 32));
  const b = cdb(12, Op.SEND_DISC_STRUCTURE);
  b[7] = 0x20;
  put16(b, 8, d.length);
  return cmdOut(b, d);
}
