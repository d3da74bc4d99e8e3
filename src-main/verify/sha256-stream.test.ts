import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Stream, WORKER_HASH_MIN_BYTES } from './sha256-stream';

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
