// Random CDBs and parameter data against the virtual recorder: it must always answer GOOD or CHECK
// CONDITION with well-formed sense (the transport contract), never reject or crash, whatever the
// media and state.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ascText, parseSense } from '../../mmc/sense';
import { MEDIA_TYPE_NAMES } from '../../common/model/drive';
import { virtualFixture, type VirtualFixture } from './testing';

const OPCODES = [0x00, 0x03, 0x04, 0x12, 0x1b, 0x1e, 0x23, 0x25, 0x28, 0x2a, 0x35, 0x43, 0x46, 0x4a, 0x51, 0x52, 0x53, 0x54, 0x55, 0x5a, 0x5b, 0x5c, 0x5d, 0xa1, 0xa8, 0xaa, 0xac, 0xad, 0xb6, 0xbb, 0xbd, 0xbe, 0xbf, 0x02, 0xff];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    s ^= s >>> 13;
    return (s >>> 0) / 4294967296;
  };
}

let f: VirtualFixture | undefined;
const seenSense = new Set<string>();
afterEach(async () => {
  await f?.cleanup();
  f = undefined;
});
afterAll(() => {
  // Every sense the recorder produced has a specific text in mmc/sense.ts's table.
  const unknown = [...seenSense].filter((k) => {
    const [, asc, ascq] = k.split('/').map(Number);
    return /unknown condition|vendor specific/.test(ascText(asc, ascq));
  });
  expect(unknown).toEqual([]);
  expect(seenSense.size).toBeGreaterThan(10);
});

describe('virtual recorder under random commands', () => {
  it.each(MEDIA_TYPE_NAMES)('%s: 1500 random commands answer GOOD or CHECK CONDITION', async (media) => {
    f = await virtualFixture(media);
    f.transport.recorder(f.name).immediatePolls = 0;
    const rand = rng(media.length * 1000 + media.charCodeAt(0));
    const small = () => (rand() < 0.5 ? Math.floor(rand() * 64) : Math.floor(rand() * 256));
    for (let i = 0; i < 1500; i++) {
      const op = OPCODES[Math.floor(rand() * OPCODES.length)];
      const len = op >= 0xa0 ? 12 : op >= 0x20 ? 10 : 6;
      const cdb = new Uint8Array(len);
      cdb[0] = op;
      for (let j = 1; j < len; j++) cdb[j] = rand() < 0.6 ? 0 : small();
      // Mostly small LBAs and lengths so writes and reads reach the interesting paths.
      if (rand() < 0.7 && len >= 10) {
        cdb[2] = cdb[3] = 0;
        cdb[7] = 0;
        cdb[8] = Math.floor(rand() * 40);
      }
      const out = [0x04, 0x2a, 0xaa, 0x55, 0x5d, 0xb6, 0xbf].includes(op);
      const blocks = op === 0x2a ? (cdb[7] << 8) | cdb[8] : op === 0xaa ? 0 : 0;
      const size = out ? (op === 0x2a ? blocks * (rand() < 0.8 ? 2048 : 2352) : Math.floor(rand() * 80)) : 0;
      const data = new Uint8Array(size);
      for (let j = 0; j < size; j += 97) data[j] = small();
      const cmd = out ? { cdb, direction: 'out' as const, data } : { cdb, direction: 'in' as const, length: Math.floor(rand() * 300) };
      const r = await f.device.execute(cmd);
      expect([0, 2], `opcode ${op.toString(16)} cdb ${Buffer.from(cdb).toString('hex')}`).toContain(r.status);
      if (r.status === 2) {
        const sd = parseSense(r.sense);
        expect(sd).toBeDefined();
        seenSense.add(`${sd!.key}/${sd!.asc}/${sd!.ascq}`);
      }
      if (cmd.direction === 'in') expect(r.data.length + r.residual).toBe(cmd.length);
    }
  });
});
