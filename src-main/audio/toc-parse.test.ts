// The strict cdrdao TOC parser against cdrdao itself: on the TOC files our author writes and on a
// hand-written TOC using SWAP, byte offsets, sample counts, SILENCE, START, INDEX and four-channel
// flags, `cdrdao show-toc` prints the same track starts, pauses, index points, ends, ISRCs, flags
// and catalogue number as `tocTrackExtents` computes; broken TOCs fail naming file and line (and
// cdrdao refuses them too where its grammar does).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../testing/peer-tools';
import { AudioDecoderPool } from './audio-decoder-pool';
import { authorAudioImage } from './author';
import { parseTocText, tocTrackExtents, type TocFile } from './toc-parse';

const ok = requireTools('cdrdao', 'sox');
let dir: string;
const p = (...n: string[]) => join(dir, ...n);

/** cdrdao show-toc's view: per track [start, pause, indexes, end, isrc, copy, pre, four], and the catalogue. */
function showToc(toc: string): { catalog?: string; tracks: Array<{ start: number; pause: number; indexes: number[]; end: number; isrc?: string; copy: boolean; pre: boolean; four: boolean }> } {
  const out = execFileSync('cdrdao', ['show-toc', toc], { cwd: dir, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
  const blocks = out.split(/^TRACK\s+\d+\s+Mode \S+:$/m).slice(1);
  const num = (b: string, key: string) => Number(new RegExp(`^\\s+${key}\\s+\\S+\\(\\s*(\\d+)\\)`, 'm').exec(b)?.[1] ?? 0);
  return {
    catalog: /^CATALOG NUMBER: (\d+)/m.exec(out)?.[1],
    tracks: blocks.map((b) => ({
      start: num(b, 'START'),
      pause: num(b, 'PREGAP'),
      indexes: [...b.matchAll(/^\s+INDEX\s+\d+\s+\S+\(\s*(\d+)\)/gm)].map((m) => Number(m[1])),
      end: num(b, 'END'),
      isrc: /ISRC (\w\w) (\w{3}) (\d\d) (\d{5})/.exec(b)?.slice(1).join(''),
      copy: /COPY PERMITTED/.test(b),
      pre: /^\s+PRE-EMPHASIS/m.test(b),
      four: /FOUR CHANNEL/.test(b),
    })),
  };
}

function ours(toc: TocFile, name: string) {
  const ext = tocTrackExtents(toc, (f) => statSync(p(f)).size, name);
  return {
    catalog: toc.catalog,
    tracks: ext.map((e, i) => {
      const t = toc.tracks[i];
      return { start: e.start, pause: e.start - e.pregapStart, indexes: e.indexes, end: e.end, isrc: t.isrc, copy: t.copy, pre: t.preEmphasis, four: t.fourChannel };
    }),
  };
}

const HAND = `// hand-written
CD_DA
CATALOG "0123456789012"
CD_TEXT {
  LANGUAGE_MAP { 0:EN 1 : 8 }
  LANGUAGE 0 { TITLE "Album \\"quoted\\" \\351t\\351" PERFORMER "Band" GENRE { 0, 1, 65, 0 } }
  LANGUAGE 1 { TITLE "Album" }
}
TRACK AUDIO
COPY
ISRC "USRC17607839"
CD_TEXT { LANGUAGE 0 { TITLE "One" } }
PREGAP 0:1:0
FILE "a.raw" 0 0:4:0
TRACK AUDIO
NO COPY
PRE_EMPHASIS
FOUR_CHANNEL_AUDIO
SILENCE 0:1:10
AUDIOFILE "a.raw" SWAP #1000 100 176400 // 4 s given in samples
START 0:0:30
INDEX 0:2:0
INDEX 0:3:5
TRACK AUDIO
SILENCE 588
START
FILE "a.raw" 0
`;

describe.skipIf(!ok)('parseTocText against cdrdao show-toc', () => {
  let pool: AudioDecoderPool;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gm-toc-'));
    execFileSync('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', '-t', 'raw', p('a.raw'), 'synth', '5', 'sine', '300']);
    execFileSync('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('x.wav'), 'synth', '5.13', 'sine', '300']);
    execFileSync('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('y.wav'), 'synth', '4.71', 'sine', '500']);
    pool = new AudioDecoderPool({ size: 1 });
  });
  afterAll(async () => {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a hand-written TOC: same starts, pauses, indexes, ends, ISRC, flags, catalogue; CD-TEXT and escapes read', () => {
    writeFileSync(p('hand.toc'), HAND, 'latin1');
    const toc = parseTocText(readFileSync(p('hand.toc'), 'latin1'), 'hand.toc');
    const theirs = showToc('hand.toc');
    expect(theirs.tracks[1]).toMatchObject({ start: 405, pause: 30, indexes: [555, 635], end: 760, four: true, pre: true, copy: false });
    expect(theirs.tracks[2]).toMatchObject({ start: 761, pause: 1, end: 1136 });
    expect(ours(toc, 'hand.toc')).toEqual(theirs);
    expect(toc.languageMap).toEqual(new Map([[0, 'EN'], [1, '8']]));
    expect(toc.cdText.get(0)).toEqual({ TITLE: 'Album "quoted" été', PERFORMER: 'Band', GENRE: [0, 1, 65, 0] });
    expect(toc.tracks[0].cdText.get(0)).toEqual({ TITLE: 'One' });
    expect(toc.tracks[1].sources[1]).toMatchObject({ kind: 'file', swap: true, byteOffset: 1000, startSamples: 100, lengthSamples: 176400 });
  });

  it('the TOC files our author writes (pregaps, gapless, index points, ISRC, CD-TEXT) agree with cdrdao', async () => {
    for (const [name, spec] of [
      ['gaps', { tracks: [{ path: p('x.wav'), isrc: 'GBAYE6700001', copyPermitted: true, title: 'X' }, { path: p('y.wav'), indexSeconds: [1.5], preEmphasis: true }], mcn: '0123456789012', pregapSeconds: 3, album: { title: 'A', performer: 'B' } }],
      ['gapless', { tracks: [{ path: p('x.wav'), pregapSeconds: 4 }, { path: p('y.wav') }, { path: p('x.wav') }], gapless: true }],
    ] as const) {
      mkdirSync(p(name));
      await authorAudioImage(spec as unknown as Parameters<typeof authorAudioImage>[0], p(name, 'album.cue'), { pool });
      const rel = join(name, 'album.toc');
      const text = readFileSync(p(rel), 'latin1').replace(/FILE "album.bin"/g, `FILE "${name}/album.bin"`);
      writeFileSync(p(`${name}.toc`), text, 'latin1');
      const toc = parseTocText(text, `${name}.toc`);
      expect(ours(toc, `${name}.toc`), name).toEqual(showToc(`${name}.toc`));
    }
  });

  const BAD: Array<[string, string, number, RegExp, boolean]> = [
    ['no closing quote', 'CD_DA\nTRACK AUDIO\nFILE "a.raw 0\n', 3, /no closing "/, true],
    ['bad time', 'CD_DA\nTRACK AUDIO\nFILE "a.raw" 0 0:60:0\n', 3, /not a time MM:SS:FF/, false],
    ['unknown mode', 'CD_DA\n\nTRACK AUDIOX\nFILE "a.raw" 0\n', 3, /unknown track mode "AUDIOX"/, true],
    ['bad catalog', 'CD_DA\nCATALOG "123"\nTRACK AUDIO\nFILE "a.raw" 0\n', 2, /CATALOG "123" is not 13 digits/, true],
    ['bad ISRC', 'CD_DA\nTRACK AUDIO\nISRC "US-RC1-76-07839"\nFILE "a.raw" 0\n', 3, /ISRC "US-RC1-76-07839" is not CCOOOYYNNNNN/, true],
    ['INDEX before data', 'CD_DA\nTRACK AUDIO\nINDEX 0:1:0\nFILE "a.raw" 0\n', 3, /INDEX before the track has data/, true],
    ['falling INDEX', 'CD_DA\nTRACK AUDIO\nFILE "a.raw" 0\nINDEX 0:2:0\nINDEX 0:1:0\n', 5, /must rise/, false],
    ['track without data', 'CD_DA\nTRACK AUDIO\nCOPY\nTRACK AUDIO\nFILE "a.raw" 0\n', 2, /track 1 has no data/, true],
    ['unknown statement', 'CD_DA\nTRACK AUDIO\nFILE "a.raw" 0\nFADE 0:1:0\n', 4, /unknown track statement FADE/, true],
    ['unknown CD-TEXT item', 'CD_DA\nCD_TEXT {\n  LANGUAGE_MAP { 0 : EN }\n  LANGUAGE 0 { NAME "x" }\n}\nTRACK AUDIO\nFILE "a.raw" 0\n', 4, /unknown CD-TEXT item "NAME"/, true],
    ['flag after data', 'CD_DA\nTRACK AUDIO\nFILE "a.raw" 0\nCOPY\n', 4, /COPY belongs before the track's data/, true],
    ['a comma in LANGUAGE_MAP', 'CD_DA\nCD_TEXT {\n  LANGUAGE_MAP { 0 : EN, 1 : 8 }\n  LANGUAGE 0 { TITLE "x" }\n}\nTRACK AUDIO\nFILE "a.raw" 0\n', 3, /separated by blanks/, true],
    ['START and PREGAP', 'CD_DA\nTRACK AUDIO\nPREGAP 0:1:0\nFILE "a.raw" 0\nSTART 0:1:0\n', 5, /START and PREGAP/, false],
    ['samples mixed with sectors', 'CD_DA\nTRACK AUDIO\nSILENCE 0:1:0\nDATAFILE "a.raw"\n', 4, /track 1 mixes FILE\/AUDIOFILE\/SILENCE\/PREGAP with DATAFILE\/ZERO/, true],
    ['PREGAP before a DATAFILE', 'CD_DA\nTRACK AUDIO\nPREGAP 0:1:0\nDATAFILE "a.raw"\n', 4, /mixes/, true],
    ['CD_TEXT after PREGAP', 'CD_DA\nTRACK AUDIO\nPREGAP 0:1:0\nCD_TEXT { LANGUAGE 0 { TITLE "x" } }\nFILE "a.raw" 0\n', 4, /CD_TEXT belongs before PREGAP/, true],
  ];
  it.each(BAD)('refuses %s naming file and line', (_, text, line, msg, cdrdaoRefuses) => {
    expect(() => parseTocText(text, 'bad.toc')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(new RegExp(`^bad\\.toc:${line}: .*${msg.source}`)) }));
    if (cdrdaoRefuses) {
      writeFileSync(p('bad.toc'), text);
      expect(spawnSync('cdrdao', ['show-toc', 'bad.toc'], { cwd: dir }).status).not.toBe(0);
    }
  });

  it('a FILE span past the end of its file is an error at its line', () => {
    const toc = parseTocText('CD_DA\nTRACK AUDIO\n\nFILE "a.raw" 0 0:6:0\n', 'long.toc');
    expect(() => tocTrackExtents(toc, (f) => statSync(p(f)).size, 'long.toc')).toThrow(/^long\.toc:4: FILE "a\.raw": the span ends past the file's end/);
  });
});
