import { describe, expect, it } from 'vitest';
import { utcFields } from './calendar';

describe('utcFields', () => {
  it('equals the UTC fields of Date from year 1 to 9999, before and after 1970', () => {
    const first = new Date(0);
    first.setUTCFullYear(1, 0, 1); // Date.UTC would read year 1 as 1901
    const from = first.getTime(), to = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    const cases = [from, to, 0, -1, 951782400000 /* 2000-02-29 */, 4107456000000 /* 2100-02-28 */, -2203891200000 /* 1900-02-28 */];
    let seed = 5;
    for (let i = 0; i < 50000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      cases.push(Math.floor(from + (seed / 2 ** 31) * (to - from)));
    }
    // Into a fresh array, or one the caller keeps and reuses (every field is rewritten each call).
    const scratch = new Int32Array(7);
    for (const [i, ms] of cases.entries()) {
      const d = new Date(ms);
      expect([...utcFields(ms, i % 2 ? scratch : undefined)], d.toISOString()).toEqual([
        d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds(),
      ]);
    }
  });
});
