// The RAW-96 block stream: the ByteSource contract, and its lead-in decoded back — the table of
// contents in Q (TNO 00, POINT A0/A1/A2 and every track, each three frames, CRC valid) and the
// CD-TEXT packs in R-W (all packs, in order, valid CRCs). The program's Q is checked through the
// virtual recorder in burn/audio-burn.test.ts.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeByteSourceContract } from '../image/byte-source/contract';
import { cdTextPacksOf } from '../cd/cd-text-packs';
import { fromBcd, msfOf } from '../cd/msf';
import { qCrcValid, unpackPq } from '../cd/subchannel';
import { buildCdTextPacks } from './cd-text';
import { layoutDisc } from './layout';
import type { AudioBurnPlan } from './audio-plan';
import { raw96Source, RAW96_BLOCK_BYTES } from './raw96-source';
import { programSubchannel } from '../cd/program-q';

const dir = mkdtempSync(join(tmpdir(), 'gm-raw96-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pcm = [randomBytes(4 * 588 * 300 + 8), randomBytes(4 * 588 * 302)];
pcm.forEach((b, i) => writeFileSync(join(dir, `${i}.cdda`), b));
const layout = layoutDisc([{ samples: pcm[0].length / 4, pregapSectors: 150 }, { samples: pcm[1].length / 4, pregapSectors: 75, isrc: 'USRC17607839' }], { mcn: '0123456789012' });
const packs = buildCdTextPacks([{ album: { title: 'Raw Album', performer: 'Raw' }, tracks: [{ title: 'First' }, { title: 'Second' }] }]).packs;
const plan: AudioBurnPlan = { layout, cdTextPacks: packs, placements: layout.tracks.map((t, i) => ({ file: join(dir, `${i}.cdda`), firstSample: t.firstSample, samples: t.samples })) };
const LEAD_IN = -450; // a short lead-in keeps the test small; a burn starts at the ATIP lead-in start

describeByteSourceContract('RAW-96 blocks', async () => {
  // Expected: lead-in blocks taken from a first full read, the program part rebuilt from the PCM.
  const src = raw96Source(plan, LEAD_IN);
  const parts: Uint8Array[] = [];
  for (let c = await src.read(100); c; c = await src.read(100)) parts.push(c);
  const all = Buffer.concat(parts);
  const leadIn = -150 - LEAD_IN;
  const program = Buffer.alloc((layout.leadOut + 150) * 2352);
  layout.tracks.forEach((t, i) => pcm[i].copy(program, 150 * 2352 + t.firstSample * 4));
  const expected = Buffer.alloc(all.length);
  all.copy(expected, 0, 0, leadIn * RAW96_BLOCK_BYTES);
  for (let k = 0; k < layout.leadOut + 150; k++) {
    program.copy(expected, (leadIn + k) * RAW96_BLOCK_BYTES, k * 2352, (k + 1) * 2352);
    expected.set(programSubchannel(layout, k - 150), (leadIn + k) * RAW96_BLOCK_BYTES + 2352);
  }
  return { open: async () => raw96Source(plan, LEAD_IN), sha256: createHash('sha256').update(expected).digest('hex'), sectorSize: RAW96_BLOCK_BYTES, totalSectors: leadIn + layout.leadOut + 150 };
});

describe('RAW-96 lead-in', () => {
  it('Q carries the TOC (A0 first track, A1 last, A2 lead-out, track starts), three frames each, valid CRCs; R-W the CD-TEXT packs', async () => {
    const src = raw96Source(plan, LEAD_IN);
    const blocks = await src.read(-150 - LEAD_IN);
    await src.cancel();
    const seen = new Map<number, number[]>();
    const rw: string[] = [];
    for (let i = 0; i < 300; i++) {
      const pw = blocks!.subarray(i * RAW96_BLOCK_BYTES + 2352, (i + 1) * RAW96_BLOCK_BYTES);
      const { p, q } = unpackPq(pw);
      expect(qCrcValid(q), `CRC of lead-in frame ${i}`).toBe(true);
      expect(p).toBe(false);
      expect([q[0] & 0x0f, q[1]]).toEqual([1, 0]); // mode 1, TNO 00
      expect([fromBcd(q[3]) * 4500 + fromBcd(q[4]) * 75 + fromBcd(q[5])]).toEqual([i]); // running time
      const point = q[2] >= 0xa0 ? q[2] : fromBcd(q[2]);
      seen.set(point, [fromBcd(q[7]), fromBcd(q[8]), fromBcd(q[9])]);
      if (i % 3 === 1) expect(q[2]).toBe(unpackPq(blocks!.subarray((i - 1) * RAW96_BLOCK_BYTES + 2352, i * RAW96_BLOCK_BYTES)).q[2]);
      rw.push(...cdTextPacksOf(pw).map((pk) => Buffer.from(pk).toString('hex')));
    }
    expect(seen.get(0xa0)![0]).toBe(1);
    expect(seen.get(0xa1)![0]).toBe(2);
    expect(seen.get(0xa2)).toEqual(msfOf(layout.leadOut + 150));
    expect(seen.get(1)).toEqual(msfOf(layout.tracks[0].start + 150));
    expect(seen.get(2)).toEqual(msfOf(layout.tracks[1].start + 150));
    // The packs cycle four to a block: the first blocks hold all of them, in order.
    expect(rw.slice(0, packs.length)).toEqual(packs.map((pk) => Buffer.from(pk).toString('hex')));
  });
});

describe('RAW-96 lead-in of a session closed appendable (CD-Extra audio session)', () => {
  it('adds mode 5 B0h (next program area, ZERO = 2 kinds, outermost lead-out) and C0h (ATIP power, first lead-in) to the cycle, three frames each, CRCs valid; mode 1 items keep the running time', async () => {
    const next = { nextProgramLba: layout.leadOut + 11400, lastLeadOut: { m: 79, s: 59, f: 71 }, firstLeadIn: { m: 97, s: 26, f: 66, atipPower: 0x55 } };
    const src = raw96Source(plan, LEAD_IN, next);
    const blocks = await src.read(-150 - LEAD_IN);
    await src.cancel();
    const mode5 = new Map<number, number[][]>();
    for (let i = 0; i < 300; i++) {
      const { q } = unpackPq(blocks!.subarray(i * RAW96_BLOCK_BYTES + 2352, (i + 1) * RAW96_BLOCK_BYTES));
      expect(qCrcValid(q), `CRC of lead-in frame ${i}`).toBe(true);
      expect(q[1]).toBe(0);
      if ((q[0] & 0x0f) === 1) {
        expect(fromBcd(q[3]) * 4500 + fromBcd(q[4]) * 75 + fromBcd(q[5])).toBe(i);
        continue;
      }
      expect(q[0] & 0x0f).toBe(5);
      const list = mode5.get(q[2]) ?? [];
      list.push([...q.subarray(3, 10)]);
      mode5.set(q[2], list);
    }
    expect([...mode5.keys()].sort()).toEqual([0xb0, 0xc0]);
    const [m, s, f] = msfOf(next.nextProgramLba + 150);
    const b = (x: number) => parseInt(String(x), 16); // the BCD byte of a two-digit number
    expect(mode5.get(0xb0)![0]).toEqual([b(m), b(s), b(f), 2, 0x79, 0x59, 0x71]);
    expect(mode5.get(0xc0)![0]).toEqual([0x55, 0, 0, 0, 0x97, 0x26, 0x66]);
    // Each item three frames in a row, like the mode 1 items.
    expect(mode5.get(0xb0)!.length % 3).toBe(0);
  });
});
