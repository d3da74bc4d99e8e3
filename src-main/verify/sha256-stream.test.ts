import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Stream, sharedSha256, WORKER_HASH_MIN_BYTES } from './sha256-stream';

describe('sha256Stream', () => {
  const chunks = [randomBytes(1 << 20), randomBytes(12345), Buffer.alloc(0), randomBytes(3 << 20)];
  const want = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');

  it('hashes in a worker thread what createHash hashes inline, copying views it may not take', async () => {
    const big = Buffer.concat(chunks);
    const h = sha256Stream({ worker: true, maxPendingBytes: 1 << 20 });
    expect(h.threaded).toBe(true);
    // Views of one buffer: copied, so the caller's bytes stay intact.
    for (let off = 0; off < big.length; off += 700_000) await h.update(big.subarray(off, off + 700_000), { transfer: true });
    expect(await h.digest()).toBe(want);
    expect(createHash('sha256').update(big).digest('hex')).toBe(want);
  });

  it('takes over a buffer it owns when asked (transferred, detached afterwards)', async () => {
    const h = sha256Stream({ worker: true });
    const owned = new Uint8Array(chunks[0]);
    await h.update(owned, { transfer: true });
    expect(owned.byteLength).toBe(0);
    expect(await h.digest()).toBe(createHash('sha256').update(chunks[0]).digest('hex'));
  });

  it('stays inline below the worker threshold', async () => {
    const h = sha256Stream({ expectedBytes: WORKER_HASH_MIN_BYTES - 1 });
    expect(h.threaded).toBe(false);
    for (const c of chunks) await h.update(c);
    expect(await h.digest()).toBe(want);
  });

  it('refuses use after close', async () => {
    const h = sha256Stream({ worker: true });
    h.close();
    await expect(h.update(chunks[0])).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});

describe('sharedSha256', () => {
  const memory = new SharedArrayBuffer(3 << 20);
  const bytes = new Uint8Array(memory);
  bytes.set(randomBytes(bytes.length));
  // Ranges in a different order than in memory, as a ring hands out its slots.
  const ranges: Array<[number, number]> = [[2 << 20, 1 << 20], [0, 1 << 20], [1 << 20, 777], [(1 << 20) + 777, (1 << 20) - 777]];
  const want = createHash('sha256').update(Buffer.concat(ranges.map(([o, n]) => bytes.subarray(o, o + n)))).digest('hex');

  for (const worker of [true, false]) {
    it(`hashes ranges of shared memory in place, in the order given (${worker ? 'worker thread' : 'inline'})`, async () => {
      const h = sharedSha256(memory, { worker });
      expect(h.threaded).toBe(worker);
      await Promise.all(ranges.map(([o, n]) => h.update(o, n)));
      expect(await h.digest()).toBe(want);
    });
  }

  it('resolves each range once it is hashed (the caller may reuse it then), and rejects after close', async () => {
    const h = sharedSha256(memory, { worker: true });
    const copy = new Uint8Array(bytes.subarray(0, 1 << 20));
    await h.update(0, 1 << 20);
    bytes.fill(0, 0, 1 << 20); // overwritten after its update resolved: the digest has the old bytes
    const d = await h.digest();
    bytes.set(copy, 0);
    expect(d).toBe(createHash('sha256').update(copy).digest('hex'));
    const g = sharedSha256(memory, { worker: true });
    g.close();
    await expect(g.update(0, 10)).rejects.toBeTruthy();
  });
});
