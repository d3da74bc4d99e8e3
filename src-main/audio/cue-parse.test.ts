// The strict CUE parser: our own sheets and an EAC-style sheet over FLAC parse, and agree with
// cuetools' cuebreakpoints (libcue) on the track boundaries; every mistake names its line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../testing/peer-tools';
import { msfText } from '../cd/msf';
import { checkCueSources, parseCueText } from './cue-parse';
import { cueSheetText } from './image-files';
import { layoutDisc } from './layout';

const ok = requireTools('cuebreakpoints', 'sox', 'flac');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gm-cue-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EAC = `REM GENRE Rock
REM DATE 1999
PERFORMER "The Band"
TITLE "Album \u00c9"
CATALOG 0123456789012
FILE "Album.flac" WAVE
  TRACK 01 AUDIO
    TITLE "One"
    FLAGS DCP
    INDEX 01 00:00:00
  TRACK 02 AUDIO
    TITLE "Two"
    ISRC USRC17607839
    INDEX 00 00:04:10
    INDEX 01 00:06:10
  TRACK 03 AUDIO
    TITLE "Three"
    INDEX 01 00:11:00
    INDEX 02 00:12:00
`;

describe('parseCueText', () => {
  it('reads an EAC-style sheet over one FLAC file', () => {
    const s = parseCueText(EAC, 'a.cue');
    expect(s).toMatchObject({ catalog: '0123456789012', title: 'Album É', performer: 'The Band', files: [{ name: 'Album.flac', type: 'WAVE' }] });
    expect(s.tracks.map((t) => [t.number, t.title, t.indexes.map((i) => [i.number, i.frames])])).toEqual([
      [1, 'One', [[1, 0]]],
      [2, 'Two', [[0, 310], [1, 460]]],
      [3, 'Three', [[1, 825], [2, 900]]],
    ]);
    expect(s.tracks[0].flags).toEqual(['DCP']);
    expect(s.tracks[1].isrc).toBe('USRC17607839');
  });

  it('round-trips the sheets Glassmaster writes (every index at the laid-out LBA)', () => {
    const layout = layoutDisc([
      { samples: 588 * 400 + 7, pregapSectors: 300, indexes: [75] },
      { samples: 588 * 500, pregapSectors: 150, isrc: 'USRC17607839', copyPermitted: true },
      { samples: 588 * 333, pregapSectors: 0 },
    ], { mcn: '0123456789012' });
    const s = parseCueText(cueSheetText(layout, { bin: 'x.bin' }), 'x.cue');
    expect(s.tracks.map((t) => t.indexes.find((i) => i.number === 1)!.frames)).toEqual(layout.tracks.map((t) => t.start));
    expect(s.tracks[0].indexes.map((i) => i.frames)).toEqual([0, layout.tracks[0].start, layout.tracks[0].indexes[0]]);
    expect(s.tracks[1].indexes[0].frames).toBe(layout.tracks[1].pregapStart);
    expect(s.tracks[1].flags).toEqual(['DCP']);
  });

  it.skipIf(!ok)('agrees with cuebreakpoints (libcue) on the track boundaries', () => {
    writeFileSync(join(dir, 'eac.cue'), EAC, 'latin1');
    const theirs = execFileSync('cuebreakpoints', [join(dir, 'eac.cue')], { encoding: 'utf8' }).trim().split('\n');
    const ours = parseCueText(EAC, 'eac.cue').tracks.slice(1).map((t) => t.indexes.find((i) => i.number === 1)!.frames);
    // cuebreakpoints prints M:SS.FF; compare in frames.
    expect(theirs.map((b) => { const [m, rest] = b.split(':'); const [sec, fr] = rest.split('.'); return (Number(m) * 60 + Number(sec)) * 75 + Number(fr); })).toEqual(ours);
    expect(msfText(ours[0])).toBe('00:06:10');
  });

  it.each([
    ['TRACK 01 AUDIO\n', 1, /TRACK before any FILE/],
    ['FILE "a.wav" WAVE\n  TRACK 02 AUDIO\n', 2, /track 2 where track 1 was expected/],
    ['FILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:61:00\n', 3, /not a time MM:SS:FF/],
    ['FILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 02 00:00:00\n', 3, /INDEX 02 where INDEX 00 or 01 was expected/],
    ['FILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:05:00\n  TRACK 02 AUDIO\n    INDEX 01 00:04:00\n', 5, /does not come after/],
    ['FILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 00 00:00:00\n  TRACK 02 AUDIO\n', 4, /track 1 has no INDEX 01/],
    ['FILE "a.wav WAVE\n', 1, /no closing "/],
    ['FILE "a.wav" OGG\n', 1, /unknown FILE type OGG/],
    ['CATALOG 123\n', 1, /not 13 digits/],
    ['FILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    ISRC XX\n', 3, /ISRC "XX"/],
    ['FILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    FLAGS LOUD\n', 3, /unknown flag LOUD/],
    ['FILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n    BOGUS 1\n', 4, /unknown command BOGUS/],
    ['FILE "a.wav" WAVE\n  TRACK 01 AUDIO\n', 2, /track 1 has no INDEX 01/],
  ])('rejects %j at line %i', (text, line, message) => {
    let err: unknown;
    try {
      parseCueText(text, 'bad.cue');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'INVALID_INPUT', details: { path: 'bad.cue', line } });
    expect((err as Error).message).toMatch(new RegExp(`^bad\\.cue:${line}: `));
    expect((err as Error).message).toMatch(message);
  });
});

describe.skipIf(!ok)('checkCueSources', () => {
  it('accepts FLAC and WAV files (also a FLAC typed WAVE) and names the line of a missing or foreign file', async () => {
    execFileSync('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', join(dir, 'a.wav'), 'synth', '1', 'sine', '440']);
    execFileSync('flac', ['-s', '-f', join(dir, 'a.wav'), '-o', join(dir, 'Album.flac')]);
    const good = `FILE "Album.flac" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\nFILE "a.wav" WAVE\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n`;
    expect(await checkCueSources(parseCueText(good, 'g.cue'), join(dir, 'g.cue'))).toEqual([join(dir, 'Album.flac'), join(dir, 'a.wav')]);
    const missing = good.replace('a.wav', 'gone.wav');
    await expect(checkCueSources(parseCueText(missing, 'm.cue'), join(dir, 'm.cue'))).rejects.toThrow(/m\.cue:4: cannot open FILE "gone\.wav"/);
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    const foreign = good.replace('a.wav', 'notes.txt');
    await expect(checkCueSources(parseCueText(foreign, 'f.cue'), join(dir, 'f.cue'))).rejects.toThrow(/f\.cue:4: FILE "notes\.txt" is not a supported audio file/);
    const data = 'FILE "a.wav" WAVE\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n';
    await expect(checkCueSources(parseCueText(data, 'd.cue'), join(dir, 'd.cue'))).rejects.toThrow(/d\.cue:2: track 1 is a MODE1\/2352 data track/);
  });
});
