// Layout rules (layout.ts) and CD-TEXT packs (cd-text.ts), checked by hand-computed positions and by
// CPython's binascii.crc_hqx for the pack CRCs (an implementation that shares nothing with ours).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../common/errors';
import { cdTextPacksOf, rwOfCdTextPacks } from '../cd/cd-text-packs';
import { leadOutLimit, layoutDisc } from './layout';
import { buildCdTextPacks } from './cd-text';
import { titleFromFileName } from './audio-tags';

const SEC = 588;

describe('layoutDisc', () => {
  it('pregaps: track 1 at LBA 0 after the implicit 2 s; later tracks padded to a sector, then their pause', () => {
    const l = layoutDisc([
      { samples: 300 * SEC + 100, pregapSectors: 150 },
      { samples: 400 * SEC, pregapSectors: 150 },
    ]);
    expect(l.tracks[0]).toMatchObject({ pregapStart: -150, start: 0, end: 301, firstSample: 0 });
    expect(l.tracks[1]).toMatchObject({ pregapStart: 301, start: 451, firstSample: 451 * SEC, end: 851 });
    expect(l.leadOut).toBe(851);
  });

  it('gapless: audio continuous, a track starts at the sector holding its first sample, only the end padded', () => {
    const a = 400 * SEC + 300; // ends 300 samples into sector 400
    const l = layoutDisc([
      { samples: a, pregapSectors: 150 },
      { samples: 350 * SEC + 10, pregapSectors: 0 },
      { samples: 320 * SEC, pregapSectors: 0 },
    ]);
    expect(l.tracks[1]).toMatchObject({ firstSample: a, start: 400, pregapStart: 400 });
    expect(l.tracks[2].firstSample).toBe(a + 350 * SEC + 10);
    expect(l.tracks[2].start).toBe(Math.floor((a + 350 * SEC + 10) / SEC));
    expect(l.leadOut).toBe(Math.ceil((a + 350 * SEC + 10 + 320 * SEC) / SEC));
    expect(l.tracks[0].end).toBe(400);
  });

  it('HTOA lengthens track 1\'s pause; index points, flags and ISRC are placed', () => {
    const l = layoutDisc([{ samples: 400 * SEC, pregapSectors: 150, hiddenSamples: 1000 * SEC + 1, indexes: [75, 150], isrc: 'USRC17607839', preEmphasis: true, copyPermitted: true }]);
    expect(l.tracks[0]).toMatchObject({ start: 1001, indexes: [1076, 1151], control: 0x3, isrc: 'USRC17607839', hiddenSamples: 1000 * SEC + 1 });
  });

  it('refuses what the Red Book forbids: short tracks, a short first pause, bad ISRC/MCN, too long a program', () => {
    expect(() => layoutDisc([{ samples: 299 * SEC, pregapSectors: 150 }])).toThrow(/4 s/);
    expect(() => layoutDisc([{ samples: 400 * SEC, pregapSectors: 100 }])).toThrow(/at least 2 seconds/);
    expect(() => layoutDisc([{ samples: 400 * SEC, pregapSectors: 150, isrc: 'US-RC1' }])).toThrow(InvalidInputError);
    expect(() => layoutDisc([{ samples: 400 * SEC, pregapSectors: 150 }], { mcn: '123' })).toThrow(/13 digits/);
    const eightyOne = 81 * 60 * 75 * SEC;
    expect(() => layoutDisc([{ samples: eightyOne, pregapSectors: 150 }], { discMinutes: 80 })).toThrow(/80-minute disc/);
    expect(layoutDisc([{ samples: eightyOne, pregapSectors: 150 }], { discMinutes: 90 }).leadOut).toBeLessThanOrEqual(leadOutLimit(90));
    expect(leadOutLimit(80)).toBe(359849); // ATIP lead-out start 79:59:74 of an 80-minute CD-R
  });
});

describe('CD-TEXT packs', () => {
  const blocks = () =>
    buildCdTextPacks([
      {
        album: { title: 'A very long album title that spans packs', performer: 'Ärzte', genre: { code: 0x0c, text: 'Pop' }, discId: 'XY-1', upcEan: '0123456789012' },
        tracks: [{ title: 'One', performer: 'Ärzte', isrc: 'USRC17607839' }, { title: 'Two' }],
      },
      { language: 0x69, charset: 'ms-jis', album: { title: '日本' }, tracks: [{ title: 'ア' }, { title: '二' }] },
    ]);

  it('every pack carries a CRC that CPython\'s binascii.crc_hqx confirms (inverted CCITT)', () => {
    const { packs } = blocks();
    const hex = packs.map((p) => Buffer.from(p).toString('hex')).join(',');
    const r = spawnSync('/usr/bin/python3', ['-c', `
import sys, binascii
bad = 0
for h in sys.argv[1].split(','):
    b = bytes.fromhex(h)
    if (binascii.crc_hqx(b[:16], 0) ^ 0xffff) != int.from_bytes(b[16:18], 'big'): bad += 1
print(bad)`, hex], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('0');
  });

  it('text runs through 12-byte payloads with track numbers, character positions, per-block sequence numbers and size information', () => {
    const { packs, perBlock } = blocks();
    const b0 = packs.slice(0, perBlock[0]);
    const titles = b0.filter((p) => p[0] === 0x80);
    const text = Buffer.concat(titles.map((p) => Buffer.from(p.subarray(4, 16)))).toString('latin1');
    expect(text.split('\0').slice(0, 3)).toEqual(['A very long album title that spans packs', 'One', 'Two']);
    // 41 + 4 + 4 bytes: packs 0–3 start inside the album title, pack 4 inside track 2's (its NUL).
    expect(titles.map((p) => p[1])).toEqual([0, 0, 0, 0, 2]);
    expect(titles[1][3] & 0x0f).toBe(12); // second pack starts at character 12 of the album title
    expect(b0.map((p) => p[2])).toEqual(b0.map((_, i) => i));
    const size = b0.slice(-3);
    expect(size.map((p) => [p[0], p[1]])).toEqual([[0x8f, 0], [0x8f, 1], [0x8f, 2]]);
    const info = Buffer.concat(size.map((p) => Buffer.from(p.subarray(4, 16))));
    expect([info[0], info[1], info[2]]).toEqual([0x00, 1, 2]);
    expect(info[4 + 0x0f]).toBe(3);
    expect(info[4]).toBe(titles.length);
    expect(info[20]).toBe(perBlock[0] - 1); // last sequence number of block 0
    expect(info[21]).toBe(perBlock[1] - 1);
    expect([info[28], info[29]]).toEqual([0x09, 0x69]);
    const genre = b0.find((p) => p[0] === 0x87)!;
    expect([genre[4], genre[5]]).toEqual([0x00, 0x0c]);
    // Block 1 is MS-JIS: DBCC flag, block number 1, character code 80h, Shift-JIS text.
    const b1 = packs.slice(perBlock[0]);
    expect(b1.every((p) => (p[3] & 0x80) !== 0 && ((p[3] >> 4) & 7) === 1)).toBe(true);
    const sjis = Buffer.from(b1.find((p) => p[0] === 0x80)!.subarray(4, 8));
    expect(new TextDecoder('shift_jis').decode(sjis)).toBe('日本');
  });

  it('survives the lead-in R-W carriage (four packs a sector)', () => {
    const { packs } = blocks();
    expect(cdTextPacksOf(rwOfCdTextPacks(packs.slice(0, 4))).map((p) => Buffer.from(p))).toEqual(packs.slice(0, 4).map((p) => Buffer.from(p)));
  });

  it('refuses characters outside the block\'s character set, naming the field', () => {
    expect(() => buildCdTextPacks([{ album: { title: 'Ωmega' }, tracks: [{}] }])).toThrow(/title of the album: "Ω"/);
  });
});

describe('titles from file names', () => {
  it('drop the track-number prefix and the extension', () => {
    expect(titleFromFileName('/m/01 - Intro.flac')).toBe('Intro');
    expect(titleFromFileName('02_Second_Song.wav')).toBe('Second Song');
    expect(titleFromFileName('3. Finale.mp3')).toBe('Finale');
    expect(titleFromFileName('1999.flac')).toBe('1999');
  });
});
