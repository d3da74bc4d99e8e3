// The virtual recorder's paced buffer at 48× CD drains CD-DA at 48 × 75 frames a second, i.e.
// 48 × 176,400 host bytes per second for 2352-byte audio blocks (and 48 × 75 × 2048 for mode 1
// data): what `npm run bench:audio`'s 48× burn row relies on. Measured without depending on the
// machine's load: the drain is computed from two READ BUFFER CAPACITY answers and the time between
// them, both taken on this thread, so a late timer changes the interval, not the rate.
import { afterEach, describe, expect, it } from 'vitest';
import { buildReadBufferCapacity, parseReadBufferCapacity } from '../mmc/commands/read-buffer-capacity';
import { buildWrite10 } from '../mmc/commands/write';
import { burnFixture, disposeFixture, type BurnFixture } from './contract/burn-contract';

let f: BurnFixture | undefined;
afterEach(async () => {
  if (f) await disposeFixture(f);
  f = undefined;
});

/** Host bytes per second the paced buffer drains after 48× is selected, for blocks of `dataBlockType`. */
async function drainRate(dataBlockType: 0 | 8, blockBytes: number): Promise<number> {
  f = await burnFixture('cd-r');
  f.transport.setPacing(f.name, true);
  const lease = await f.drives.lease(f.address, 'burn');
  try {
    const d = lease.drive;
    await d.setWriteSpeed(Math.round(48 * 176.4), 359_999);
    await d.setWriteParameters({ writeType: 'tao', dataBlockType, trackMode: dataBlockType === 0 ? 0 : 4, multiSession: 0, testWrite: false });
    // 3 MiB into the 4 MiB buffer: it drains from there.
    const blocks = Math.floor((3 << 20) / blockBytes / 27) * 27;
    for (let lba = 0; lba < blocks; lba += 27) await d.execute(buildWrite10(lba, 27, new Uint8Array(27 * blockBytes)));
    const free = async () => {
      const b = parseReadBufferCapacity(await d.query(buildReadBufferCapacity()));
      return { free: b.freeBytes!, at: performance.now() };
    };
    const a = await free();
    await new Promise((r) => setTimeout(r, 150));
    const b = await free();
    expect(b.free).toBeLessThan(4 << 20); // still draining, not empty
    return ((b.free - a.free) * 1000) / (b.at - a.at);
  } finally {
    await lease.release();
  }
}

describe('virtual recorder pacing on CD', () => {
  it('CD-DA (2352-byte blocks) drains at 48 × 176,400 bytes a second', async () => {
    const rate = await drainRate(0, 2352);
    expect(rate / 176_400).toBeGreaterThan(47);
    expect(rate / 176_400).toBeLessThan(49.5);
  });
  it('mode 1 data (2048-byte blocks) drains at 48 × 75 × 2048 bytes a second', async () => {
    const rate = await drainRate(8, 2048);
    expect(rate / (75 * 2048)).toBeGreaterThan(47);
    expect(rate / (75 * 2048)).toBeLessThan(49.5);
  });
});
