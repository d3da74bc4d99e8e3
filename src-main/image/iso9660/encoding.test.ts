import { describe, expect, it } from 'vitest';
import { DirDates, writeDirDate } from './encoding';

/** ECMA-119 §9.1.5 fields read from a Date, to check the arithmetic against. */
function viaDate(ms: number): number[] {
  const d = new Date(ms);
  return [d.getUTCFullYear() - 1900, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), 0];
}

function encoded(ms: number, dates?: DirDates): number[] {
  const b = Buffer.alloc(7, 0xaa);
  if (dates) dates.write(b, 0, new Date(ms));
  else writeDirDate(b, 0, new Date(ms));
  return [...b];
}

describe('writeDirDate (ECMA-119 §9.1.5)', () => {
  it('gives the calendar fields Date gives, across leap days, century years and the range ends', () => {
    const cases = [
      '1900-01-01T00:00:00Z', '1900-02-28T23:59:59Z', '1900-03-01T00:00:00Z', '1969-12-31T23:59:59Z', '1970-01-01T00:00:00Z',
      '2000-02-29T12:34:56Z', '2000-03-01T00:00:00Z', '2024-02-29T23:59:59Z', '2100-02-28T23:59:59Z', '2100-03-01T00:00:00Z',
      '2155-12-31T23:59:59Z',
    ].map((s) => Date.parse(s));
    let seed = 11;
    const lo = Date.UTC(1900, 0, 1), hi = Date.UTC(2155, 11, 31, 23, 59, 59);
    for (let i = 0; i < 20000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      cases.push(lo + Math.floor((seed / 2 ** 31) * (hi - lo)) + (i % 1000));
    }
    for (const ms of cases) expect(encoded(ms), new Date(ms).toISOString()).toEqual(viaDate(ms));
    // One run's DirDates, fed the same cases with repeats and returns to an earlier second, gives
    // the same bytes as the stateless writer (its memo is only ever a shortcut).
    const dates = new DirDates();
    for (let i = 0; i < cases.length; i++) {
      for (const ms of [cases[i], cases[i], cases[i] + 999, cases[Math.max(0, i - 1)]]) expect(encoded(ms, dates), new Date(ms).toISOString()).toEqual(viaDate(ms));
    }
  });

  it('keeps a run\'s memo to its own DirDates: two runs interleaved each write their own seconds', () => {
    const a = new DirDates(), b = new DirDates();
    const x = Date.UTC(2001, 2, 3, 4, 5, 6), y = Date.UTC(2022, 11, 30, 1, 2, 3);
    for (let i = 0; i < 3; i++) {
      expect(encoded(x, a)).toEqual(viaDate(x));
      expect(encoded(y, b)).toEqual(viaDate(y));
      expect(encoded(NaN, i % 2 ? a : b)).toEqual([70, 1, 1, 0, 0, 0, 0]);
    }
  });

  it('clamps dates outside 1900..2155 and takes an invalid Date as 1970', () => {
    expect(encoded(Date.UTC(1850, 5, 1))).toEqual([0, 1, 1, 0, 0, 0, 0]);
    expect(encoded(Date.UTC(2300, 5, 1))).toEqual([255, 12, 31, 23, 59, 59, 0]);
    expect(encoded(NaN)).toEqual([70, 1, 1, 0, 0, 0, 0]);
    const dates = new DirDates();
    expect(encoded(Date.UTC(1850, 5, 1), dates)).toEqual([0, 1, 1, 0, 0, 0, 0]);
    expect(encoded(Date.UTC(2300, 5, 1), dates)).toEqual([255, 12, 31, 23, 59, 59, 0]);
    expect(encoded(NaN, dates)).toEqual([70, 1, 1, 0, 0, 0, 0]);
  });
});
