// Small helpers shared by the virtual recorder's conformance tests.
import { expect } from 'vitest';
import type { ScsiCommand, ScsiDevice } from '../transport';
import { parseSense } from '../../mmc/sense';

export interface Answer {
  status: number;
  sense?: [number, number, number];
  data: Buffer;
}

export async function send(dev: ScsiDevice, cmd: ScsiCommand): Promise<Answer> {
  const r = await dev.execute(cmd);
  const s = parseSense(r.sense);
  return { status: r.status, sense: s ? [s.key, s.asc, s.ascq] : undefined, data: r.data };
}

/** Sends and asserts GOOD; returns the data-in bytes. */
export async function ok(dev: ScsiDevice, cmd: ScsiCommand): Promise<Buffer> {
  const a = await send(dev, cmd);
  expect(a.status, `opcode ${cmd.cdb[0].toString(16)} answered sense ${JSON.stringify(a.sense?.map((n) => n.toString(16)))}`).toBe(0);
  return a.data;
}

/** Sends and asserts CHECK CONDITION with the given key/ASC/ASCQ. */
export async function check(dev: ScsiDevice, cmd: ScsiCommand, sense: [number, number, number]): Promise<void> {
  const a = await send(dev, cmd);
  expect(a.status, `opcode ${cmd.cdb[0].toString(16)} should fail with ${sense.map((n) => n.toString(16))}`).toBe(2);
  expect(a.sense?.map((n) => n.toString(16))).toEqual(sense.map((n) => n.toString(16)));
}

export function blocks(n: number, seed: number, size = 2048): Uint8Array {
  const b = new Uint8Array(n * size);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + seed * 7 + (i >> 11)) & 0xff;
  return b;
}
