// decode(encode(x)) for each SUSP/RRIP entry the writer records (SUSP 1.12, RRIP 1.10), and the
// split of a record's entries between its System Use field and continuation areas: reassembled
// by following CE, the entries are the ones planned, and the record holds a long name's start.
import { describe, expect, it } from 'vitest';
import {
  clEntry, decodeRockRidge, decodeSuspEntries, erEntry, nmEntries, planSystemUse, plEntry, PosixEntry, pxEntry, reEntry,
  slEntries, spEntry, tfEntry, writeEntries, type SuspEntry,
} from './susp';

const enc = (entries: SuspEntry[]) => {
  const buf = Buffer.alloc(entries.reduce((n, e) => n + e.len, 0));
  expect(writeEntries(buf, 0, entries)).toBe(buf.length);
  return buf;
};
const roundTrip = (entries: SuspEntry[]) => decodeRockRidge(decodeSuspEntries(enc(entries)));
const mtime = new Date('2024-05-06T07:08:09Z');
const atime = new Date('2023-01-02T03:04:05Z');
const ctime = new Date('2022-12-31T23:59:59Z');

describe('SUSP / Rock Ridge entries', () => {
  it('SP, ER, PX, TF, CL, PL, RE', () => {
    expect(roundTrip([spEntry(), erEntry()])).toMatchObject({ sp: true, er: 'RRIP_1991A' });
    expect(roundTrip([pxEntry(0o40755, 3, 1000, 100), tfEntry(mtime, atime, ctime)])).toMatchObject({
      mode: 0o40755, links: 3, uid: 1000, gid: 100, mtime: mtime.getTime(), atime: atime.getTime(), ctime: ctime.getTime(),
    });
    expect(roundTrip([clEntry(() => 1234), plEntry(() => 0x01020304), reEntry()])).toMatchObject({ childLink: 1234, parentLink: 0x01020304, relocated: true });
  });

  for (const name of ['a', 'x'.repeat(250), 'y'.repeat(251), 'ünïcødé 日本語 😀'.repeat(20)]) {
    it(`NM: a ${Buffer.byteLength(name)}-byte name (continuation flag across entries)`, () => {
      const entries = nmEntries(name);
      expect(entries.every((e) => e.len <= 255)).toBe(true);
      expect(roundTrip(entries).name).toBe(name);
    });
  }

  for (const target of ['../hello.txt', '/etc/passwd', '/', './a/../b', `${'t'.repeat(250)}/${'u'.repeat(600)}/./../x`, 'ünï/日本語']) {
    it(`SL: ${JSON.stringify(target.length > 40 ? `${target.slice(0, 20)}…` : target)}`, () => {
      const normal = target.replace(/\/+/g, '/');
      expect(roundTrip(slEntries(target)).symlinkTarget).toBe(normal.length > 1 ? normal.replace(/\/$/, '') : normal);
    });
  }

  it('PosixEntry: the bytes of PX + TF + NM', () => {
    const p = new PosixEntry({ mode: 0o100644, uid: 5, gid: 6, mtime, atime, ctime, name: 'file name.txt' }, 1);
    expect(enc([p]).equals(enc([pxEntry(0o100644, 1, 5, 6), tfEntry(mtime, atime, ctime), ...nmEntries('file name.txt')]))).toBe(true);
  });
});

describe('System Use split (SUSP §5.1 continuation areas)', () => {
  /** Lays the plan out as the writer does (areas at made-up places) and follows CE back. */
  function reassemble(entries: SuspEntry[], capacity: number) {
    const plan = planSystemUse(entries, capacity);
    expect(plan.inlineLength).toBeLessThanOrEqual(capacity);
    const disc = Buffer.alloc(2048 * (plan.areas.length + 1));
    plan.areas.forEach((a, i) => { a.lba = i + 1; a.offset = 16; expect(a.length).toBeLessThanOrEqual(2048 - 16); });
    for (const a of plan.areas) writeEntries(disc, a.lba * 2048 + a.offset, a.entries);
    const inline = decodeSuspEntries(enc(plan.inline));
    const all = [...inline];
    for (let ce = decodeRockRidge(inline).continuation; ce; ) {
      const area = decodeSuspEntries(disc, ce.lba * 2048 + ce.offset, ce.lba * 2048 + ce.offset + ce.length);
      all.push(...area);
      ce = decodeRockRidge(area).continuation;
    }
    return { inline, fields: decodeRockRidge(all.filter((e) => e.sig !== 'CE')) };
  }

  it('a 200-character name: as much NM as fits stays in the record, the rest follows in a CE area', () => {
    const name = 'L'.repeat(200);
    const { inline, fields } = reassemble([pxEntry(0o100644, 1, 0, 0), tfEntry(mtime, atime, ctime), ...nmEntries(name)], 254 - 34 - 30);
    expect(fields).toMatchObject({ name, mode: 0o100644 });
    const head = decodeRockRidge(inline.filter((e) => e.sig === 'NM')).name!;
    expect(head.length).toBeGreaterThan(60);
    expect(name.startsWith(head)).toBe(true);
  });

  it('never cuts a UTF-8 character, and chains areas for long link targets', () => {
    const name = 'é'.repeat(120); // 240 bytes
    const target = Array.from({ length: 12 }, (_, i) => `${i}`.repeat(240)).join('/');
    const { inline, fields } = reassemble([pxEntry(0o120777, 1, 0, 0), tfEntry(mtime, atime, ctime), ...nmEntries(name), ...slEntries(target)], 254 - 34 - 9);
    expect(fields).toMatchObject({ name, symlinkTarget: target });
    const head = decodeRockRidge(inline.filter((e) => e.sig === 'NM')).name!;
    expect(head).toBe('é'.repeat(head.length));
    expect(head.length).toBeGreaterThan(0);
  });
});
