// SET STREAMING (MMC-6) with a Performance Descriptor (Type 00h).
import { cdb, checkField, put16, put32 } from '../bytes';
import { cmdOut, type MmcCommand } from '../command';
import { Op } from '../opcodes';

export interface StreamingPerformance {
  startLba?: number;
  endLba: number;
  /** kB per second: size in kB over time in ms = kB/ms; we send size/1000 ms. */
  readKbps: number;
  writeKbps: number;
  restoreDefaults?: boolean;
  exact?: boolean;
  wrc?: 0 | 1;
}

export function buildSetStreaming(p: StreamingPerformance): MmcCommand {
  const d = new Uint8Array(28);
  d[0] = ((p.wrc ?? 0) << 3) | (p.restoreDefaults ? 4 : 0) | (p.exact ? 2 : 0);
  put32(d, 4, checkField('startLba', p.startLba ?? 0, 32));
  put32(d, 8, checkField('endLba', p.endLba, 32));
  put32(d, 12, checkField('readKbps', p.readKbps, 32));
  put32(d, 16, 1000); // read time in ms: Read Size / Read Time = kB/s
  put32(d, 20, checkField('writeKbps', p.writeKbps, 32));
  put32(d, 24, 1000);
  const b = cdb(12, Op.SET_STREAMING);
  b[8] = 0x00;
  put16(b, 9, d.length);
  return cmdOut(b, d);
}
