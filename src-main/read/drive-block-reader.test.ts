import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Drive } from '../drive/drive';
import { openImage } from '../image/reader';
import { requireTools } from '../testing/peer-tools';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { readDiscLayout } from './disc-layout';
import { driveBlockReader, lbaRanges, UnreadableSectorError } from './drive-block-reader';
import { pattern, scratched, writeTree, xorrisoImage } from './test-support';

const ok = requireTools('xorriso');

describe.skipIf(!ok)('drive-backed BlockReader over pressed discs', () => {
  let dir: string;
  let vt: VirtualTransport;
  let iso: Buffer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-dbr-'));
    writeTree(join(dir, 'src'), { 'a.txt': 'hello disc\n', 'dir/b.bin': pattern(100_000, 1), 'dir/deep/c.txt': 'c' });
    xorrisoImage(join(dir, 'src'), join(dir, 'in.iso'));
    iso = readFileSync(join(dir, 'in.iso'));
    vt = new VirtualTransport({ stateDir: join(dir, 'vr') });
    for (const fam of ['cd', 'dvd', 'bd'] as const) {
      await vt.create(fam, { media: null });
      await vt.insertPressed(fam, fam, join(dir, 'in.iso'));
      vt.recorder(fam).clearUnitAttention();
    }
  });
  afterAll(async () => {
    await vt.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const fam of ['cd', 'dvd', 'bd'] as const) {
    it(`${fam.toUpperCase()}-ROM: layout from the drive, and the image reader lists and reads the disc's files`, async () => {
      const dev = await vt.open(`virtual:${fam}`);
      try {
        const drive = new Drive(dev, { retryDelayMs: 1 });
        const layout = await readDiscLayout(drive);
        expect(layout.profile).toBe({ cd: 0x08, dvd: 0x10, bd: 0x40 }[fam]);
        expect(layout.status).toBe('complete');
        expect(layout.end).toBe(iso.length / 2048);
        expect(layout.sessions).toEqual([{ number: 1, start: 0, end: iso.length / 2048 }]);
        const info = await openImage(driveBlockReader(drive, { sectorCount: layout.end }));
        expect(info.facets).toEqual(expect.arrayContaining(['iso9660', 'rockridge', 'joliet']));
        const root = await info.tree('rockridge');
        expect(root.children!.map((c) => c.name).sort()).toEqual(['a.txt', 'dir']);
        const chunks: Buffer[] = [];
        for await (const c of info.readFile('rockridge', 'dir/b.bin')) chunks.push(c);
        expect(Buffer.concat(chunks).equals(pattern(100_000, 1))).toBe(true);
      } finally {
        await dev.close();
      }
    });
  }

  it('re-reads a marginal sector and names the LBA of one that stays unreadable', async () => {
    const dev = await vt.open('virtual:dvd');
    try {
      const marginal = scratched(dev, [20], { healAfter: 2 });
      const retries: number[] = [];
      const r = driveBlockReader(new Drive(marginal, { retryDelayMs: 1 }), { sectorCount: iso.length / 2048, retries: 3, onRetry: (l) => retries.push(l) });
      expect((await r.read(16, 8)).equals(iso.subarray(16 * 2048, 24 * 2048))).toBe(true);
      expect(retries).toEqual([20]); // failed in the chunk, then once alone, then read

      const bad = scratched(dev, [21, 22, 40]);
      const r2 = driveBlockReader(new Drive(bad, { retryDelayMs: 1 }), { sectorCount: iso.length / 2048, retries: 2 });
      const err = await r2.read(16, 8).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnreadableSectorError);
      expect((err as UnreadableSectorError).lba).toBe(21);
      expect((err as UnreadableSectorError).details).toMatchObject({ lba: 21, senseKey: 3, asc: 0x11 });
      expect(bad.attempts.get(21)).toBe(1 + 1 + 2); // the chunk, then the sector and its 2 re-reads

      const t = await r2.readTolerant(0, 64);
      expect(t.bad.map((b) => b.lba)).toEqual([21, 22, 40]);
      expect(lbaRanges(t.bad.map((b) => b.lba))).toEqual([[21, 22], [40, 40]]);
      expect(t.data.subarray(21 * 2048, 23 * 2048).every((b) => b === 0)).toBe(true);
      expect(t.data.subarray(0, 21 * 2048).equals(iso.subarray(0, 21 * 2048))).toBe(true);
      await expect(r2.read(iso.length / 2048 - 1, 2)).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
    } finally {
      await dev.close();
    }
  });
});
