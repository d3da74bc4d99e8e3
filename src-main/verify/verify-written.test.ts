import { describe, expect, it } from 'vitest';
import { sampleWindows } from './verify-written';

describe('quick verify windows', () => {
  it('cover the system area and volume descriptors, the UDF anchor, the end, given extents, spread samples; sorted and merged', () => {
    const w = sampleWindows(100_000, 8, [{ start: 5000, end: 5003 }]);
    expect(w[0]).toEqual({ start: 0, end: 64 });
    expect(w).toContainEqual({ start: 256, end: 257 });
    expect(w).toContainEqual({ start: 5000, end: 5003 });
    expect(w[w.length - 1]).toEqual({ start: 99_984, end: 100_000 });
    for (let i = 1; i < w.length; i++) expect(w[i].start).toBeGreaterThan(w[i - 1].end);
    const sampled = w.reduce((n, r) => n + r.end - r.start, 0);
    expect(sampled).toBeLessThan(64 + 1 + 3 + 16 + 8 * 16 + 1);
    expect(w.filter((r) => r.end - r.start === 16).length).toBeGreaterThanOrEqual(8);
  });

  it('a tiny area is read whole', () => {
    expect(sampleWindows(40, 32)).toEqual([{ start: 0, end: 40 }]);
  });
});
