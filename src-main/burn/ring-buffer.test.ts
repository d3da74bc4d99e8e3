import { describe, expect, it } from 'vitest';
import { SlotRing } from './ring-buffer';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('SlotRing', () => {
  it('bounds what the producer may run ahead, hands out views of its own memory in order, and refills a slot only once written', async () => {
    const ring = new SlotRing(8, 4); // two slots of 4 bytes
    let filled = 0;
    const producer = (async () => {
      for (let i = 0; i < 5; i++) {
        const { slot, dest } = await ring.acquire();
        const n = i === 4 ? 2 : 4; // the last one short, as at a source's end
        dest.fill(i, 0, n);
        ring.publish(slot, n);
        filled++;
      }
      ring.end();
    })();
    await tick();
    expect(filled).toBe(2); // both slots full: the third waits for the writer
    const got: number[] = [];
    for (let c = await ring.take(2); c; c = await ring.take(2)) {
      expect(c.data.buffer).toBe(ring.memory); // no copy
      got.push(...c.data);
      await tick();
      ring.wrote(c.slot, c.data.byteLength);
    }
    await producer;
    expect(got).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4]);
  });

  it('keeps a written slot full while another hold (the hasher) is not released', async () => {
    const ring = new SlotRing(8, 4);
    for (let i = 0; i < 2; i++) {
      const { slot, dest } = await ring.acquire();
      dest.fill(7);
      ring.publish(slot, 4, 2);
    }
    const first = (await ring.take(4))!;
    ring.wrote(first.slot, 4);
    let reacquired = false;
    const next = ring.acquire().then((a) => {
      reacquired = true;
      return a;
    });
    await tick();
    expect(reacquired).toBe(false); // written but not yet hashed: its bytes must stay
    ring.release(first.slot);
    expect((await next).slot).toBe(first.slot);
    expect(reacquired).toBe(true);
  });

  it('a disposed ring gives its memory to the next ring of that size (back-to-back burns do not each add a ring to the RSS)', async () => {
    const a = new SlotRing(64, 16);
    a.dispose();
    await expect(a.acquire()).rejects.toMatchObject({ code: 'CANCELLED' }); // unusable after dispose
    const b = new SlotRing(64, 16);
    expect(b.memory).toBe(a.memory);
    const c = new SlotRing(64, 16); // b still holds it: a new one
    expect(c.memory).not.toBe(b.memory);
  });

  it('a failure wakes both sides with the error; an aborted signal rejects the wait with CancelledError', async () => {
    const ring = new SlotRing(4, 4);
    const waiting = ring.take(4);
    ring.fail(new Error('source vanished'));
    await expect(waiting).rejects.toThrow('source vanished');
    await expect(ring.acquire()).rejects.toThrow('source vanished');
    const ac = new AbortController();
    const other = new SlotRing(4, 4);
    const t = other.take(4, ac.signal);
    ac.abort();
    await expect(t).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
