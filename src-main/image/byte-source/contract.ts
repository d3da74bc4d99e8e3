// The ByteSource contract suite (byte-source.ts MUST rules), run against every implementation.
// Import it from a *.test.ts and call describeByteSourceContract(...) at top level.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { CancelledError } from '../../common/errors';
import type { ByteSource } from '../byte-source';

export interface ByteSourceFixture {
  /** A fresh source over the same data each time. */
  open(): Promise<ByteSource>;
  /** SHA-256 (hex) of everything the source must deliver. */
  sha256: string;
  sectorSize: number;
  totalSectors: number;
}

async function drain(src: ByteSource, maxSectors: number): Promise<{ sha256: string; chunks: number[] }> {
  const h = createHash('sha256');
  const chunks: number[] = [];
  for (;;) {
    const c = await src.read(maxSectors);
    if (c === null) break;
    chunks.push(c.byteLength);
    h.update(c);
  }
  return { sha256: h.digest('hex'), chunks };
}

export function describeByteSourceContract(name: string, setup: () => Promise<ByteSourceFixture>): void {
  describe(`ByteSource contract: ${name}`, () => {
    it('knows its size before the first read and delivers exactly that, in whole sectors of at most maxSectors', async () => {
      const fx = await setup();
      const src = await fx.open();
      expect(src.sectorSize).toBe(fx.sectorSize);
      expect(src.totalSectors).toBe(fx.totalSectors);
      expect(src.progress()).toEqual({ sectorsRead: 0, totalSectors: fx.totalSectors });
      const { sha256, chunks } = await drain(src, 7);
      expect(sha256).toBe(fx.sha256);
      expect(chunks.reduce((a, b) => a + b, 0)).toBe(fx.totalSectors * fx.sectorSize);
      for (const c of chunks) {
        expect(c % fx.sectorSize).toBe(0);
        expect(c).toBeGreaterThan(0);
        expect(c).toBeLessThanOrEqual(7 * fx.sectorSize);
      }
      expect(src.progress().sectorsRead).toBe(fx.totalSectors);
      expect(await src.read(7)).toBeNull();
    });

    it('gives the same bytes whatever the chunk size', async () => {
      const fx = await setup();
      expect((await drain(await fx.open(), 1)).sha256).toBe(fx.sha256);
      expect((await drain(await fx.open(), 100_000)).sha256).toBe(fx.sha256);
    });

    it('readInto (where the source has it) writes the same bytes into the caller\'s memory, whole sectors, 0 at the end', async () => {
      const fx = await setup();
      const src = await fx.open();
      if (!src.readInto) {
        await src.cancel();
        return;
      }
      // Room for 5 sectors and a bit (never more than whole sectors written), old bytes in it.
      const mem = new Uint8Array(new SharedArrayBuffer(5 * fx.sectorSize + 100)).fill(0xa5);
      const h = createHash('sha256');
      let total = 0;
      for (;;) {
        const n = await src.readInto(mem);
        if (n === 0) break;
        expect(n % fx.sectorSize).toBe(0);
        expect(n).toBeLessThanOrEqual(5 * fx.sectorSize);
        h.update(mem.subarray(0, n));
        total += n;
      }
      expect(total).toBe(fx.totalSectors * fx.sectorSize);
      expect(h.digest('hex')).toBe(fx.sha256);
      expect(src.progress().sectorsRead).toBe(fx.totalSectors);
      expect(await src.readInto(mem)).toBe(0);
      await expect(src.read(1)).resolves.toBeNull();
    });

    it('refuses a second concurrent read', async () => {
      const fx = await setup();
      const src = await fx.open();
      const first = src.read(1);
      await expect(src.read(1)).rejects.toMatchObject({ code: 'INTERNAL' });
      await first;
      await src.cancel();
    });

    it('after cancel(), reads reject with CancelledError; cancel is idempotent', async () => {
      const fx = await setup();
      const src = await fx.open();
      await src.read(1);
      await src.cancel();
      await src.cancel();
      await expect(src.read(1)).rejects.toBeInstanceOf(CancelledError);
    });

    it('an aborted signal rejects the read with CancelledError and cancels the source', async () => {
      const fx = await setup();
      const src = await fx.open();
      const ac = new AbortController();
      ac.abort();
      await expect(src.read(1, ac.signal)).rejects.toBeInstanceOf(CancelledError);
      await expect(src.read(1)).rejects.toBeInstanceOf(CancelledError);
    });
  });
}
