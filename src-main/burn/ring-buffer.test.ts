import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('bounds what the producer may run ahead, and hands out exact sizes across chunk borders', async () => {
    const ring = new RingBuffer(10);
    let pushed = 0;
    let peak = 0;
    const producer = (async () => {
      for (let i = 0; i < 10; i++) {
        await ring.push(Uint8Array.from([i, i, i]));
        pushed++;
        peak = Math.max(peak, ring.size);
      }
      ring.end();
    })();
    await new Promise((r) => setTimeout(r, 10));
    expect(pushed).toBe(3); // 9 bytes in, the 4th chunk would overflow 10
    const got: number[] = [];
    for (let c = await ring.take(4); c; c = await ring.take(4)) got.push(...c);
    await producer;
    expect(got).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9]);
    expect(peak).toBeLessThanOrEqual(10);
  });

  it('a failure wakes both sides with the error; an aborted signal rejects the wait with CancelledError', async () => {
    const ring = new RingBuffer(4);
    const waiting = ring.take(4);
    ring.fail(new Error('source vanished'));
    await expect(waiting).rejects.toThrow('source vanished');
    await expect(ring.push(new Uint8Array(1))).rejects.toThrow('source vanished');
    const ac = new AbortController();
    const other = new RingBuffer(4);
    const t = other.take(4, ac.signal);
    ac.abort();
    await expect(t).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
