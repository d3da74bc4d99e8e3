// A cdrdao TOC as a burn plan: what the recorder is sent, sector for sector, equals the sources as
// cdrdao reads them — a WAVE decoded, a big-endian raw DATAFILE swapped, a raw FILE with SWAP taken
// as it is — placed where `cdrdao show-toc` puts the tracks (the same TOC is checked with cdrdao
// here), with the Q flags, ISRC, MCN and CD-TEXT of the TOC; and refusals that name the TOC line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Q_CONTROL } from '../cd/subchannel';
import { requireTools } from '../testing/peer-tools';
import { AudioDecoderPool } from './audio-decoder-pool';
import { programSource } from './audio-plan';
import { decodeCdTextPacks } from './cd-text-decode';
import { tocBurnPlan } from './toc-plan';

const ok = requireTools('sox', 'cdrdao');
let dir: string;
const p = (...n: string[]) => join(dir, ...n);
const SECTOR = 2352;

const TOC = `CD_DA
CATALOG "0724384924626"
CD_TEXT {
  LANGUAGE_MAP { 0 : EN }
  LANGUAGE 0 { TITLE "Toc Album" PERFORMER "Toc Band" GENRE { 0, 8, 74, 97, 122, 122, 0 } }
}
// 1: a WAVE file, to its end
TRACK AUDIO
COPY
ISRC "USRC17607839"
CD_TEXT { LANGUAGE 0 { TITLE "Wave" } }
FILE "a.wav" 0
// 2: two seconds of zeros as the pause, then big-endian raw samples (DATAFILE has no SWAP)
TRACK AUDIO
PRE_EMPHASIS
CD_TEXT { LANGUAGE 0 { TITLE "Big" } }
ZERO 0:2:0
DATAFILE "b.raw"
START 0:2:0
// 3: little-endian raw (SWAP) with its first second as the pause, and an index 02
TRACK AUDIO
CD_TEXT { LANGUAGE 0 { TITLE "Little" } }
FILE "c.raw" SWAP #0 0
START 0:1:0
INDEX 0:2:0
`;

describe.skipIf(!ok)('tocBurnPlan', () => {
  let pool: AudioDecoderPool;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gm-tocplan-'));
    const synth = (out: string[], secs: string, f: number) => execFileSync('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', ...out, 'synth', secs, 'sine', String(f), 'vol', '0.4']);
    synth([p('a.wav')], '5', 300); // 375 sectors
    synth(['-t', 'raw', '-e', 'signed', '-B', p('b.raw')], '4.6', 500); // 345 sectors, big-endian
    synth(['-t', 'raw', '-e', 'signed', '-L', p('c.raw')], '5', 700); // 375 sectors, little-endian
    writeFileSync(p('album.toc'), TOC, 'latin1');
    pool = new AudioDecoderPool({ size: 1 });
  });
  afterAll(async () => {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lays the tracks out where cdrdao does and sends exactly the samples cdrdao would', async () => {
    // cdrdao's own reading of the same TOC: track starts (and track 3's index) in MSF.
    const shown = execFileSync('cdrdao', ['show-toc', 'album.toc'], { cwd: dir, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(shown).toMatch(/TRACK\s+2[\s\S]*?PREGAP 00:02:00\(\s*150\)\s+START\s+00:07:00\(\s*525\)/);
    expect(shown).toMatch(/TRACK\s+3[\s\S]*?START\s+00:12:45\(\s*945\)\s+INDEX\s+2 00:14:45\(\s*1095\)\s+END\s+00:16:45\(\s*1245\)/);

    const work = mkdtempSync(p('work-'));
    const plan = await tocBurnPlan(p('album.toc'), work, { pool });
    const { layout } = plan;
    expect(layout.mcn).toBe('0724384924626');
    expect(layout.tracks.map((t) => [t.number, t.pregapStart, t.start, t.indexes, t.end, t.isrc])).toEqual([
      [1, -150, 0, [], 375, 'USRC17607839'],
      [2, 375, 525, [], 870, undefined],
      [3, 870, 945, [1095], 1245, undefined],
    ]);
    expect(layout.leadOut).toBe(1245);
    expect(layout.tracks[0].control & Q_CONTROL.copyPermitted).toBeTruthy();
    expect(layout.tracks[1].control & Q_CONTROL.preEmphasis).toBeTruthy();
    expect(layout.tracks[2].control).toBe(0);

    const src = programSource(plan);
    const parts: Uint8Array[] = [];
    for (let c = await src.read(64); c; c = await src.read(64)) parts.push(c);
    const sent = Buffer.concat(parts);
    expect(sent.length).toBe((1245 + 150) * SECTOR);
    // The reference samples, little-endian, as sox reads each file.
    const le = (args: string[]) => execFileSync('sox', [...args, '-t', 'raw', '-e', 'signed', '-b', '16', '-L', '-'], { maxBuffer: 1 << 26 });
    const a = le([p('a.wav')]);
    const b = le(['-t', 'raw', '-r', '44100', '-c', '2', '-e', 'signed', '-b', '16', '-B', p('b.raw')]);
    const c = readFileSync(p('c.raw'));
    const at = (lba: number) => (lba + 150) * SECTOR;
    expect(sent.subarray(0, at(0)).every((x) => x === 0)).toBe(true);
    expect(Buffer.compare(sent.subarray(at(0), at(375)), a)).toBe(0);
    expect(sent.subarray(at(375), at(525)).every((x) => x === 0)).toBe(true);
    expect(Buffer.compare(sent.subarray(at(525), at(870)), b)).toBe(0);
    expect(Buffer.compare(sent.subarray(at(870), at(1245)), c)).toBe(0);

    const text = decodeCdTextPacks(plan.cdTextPacks)!;
    expect(text.blocks[0]).toMatchObject({ language: 0x09, album: { title: 'Toc Album', performer: 'Toc Band', genre: { code: 8, text: 'Jazz' } } });
    expect(text.blocks[0].tracks.map((t) => t.title)).toEqual(['Wave', 'Big', 'Little']);
  });

  const BAD: Array<[string, string, RegExp]> = [
    ['a data track', 'CD_ROM\nTRACK MODE1\nDATAFILE "b.raw"\n', /x\.toc:1: session type CD_ROM/],
    ['a MODE1 track on a CD_DA', 'CD_DA\nTRACK AUDIO\nFILE "c.raw" SWAP 0\nTRACK MODE1\nDATAFILE "b.raw"\n', /x\.toc:4: TRACK MODE1: only AUDIO tracks/],
    ['a missing file', 'CD_DA\nTRACK AUDIO\nCOPY\nFILE "gone.wav" 0\n', /x\.toc:4: cannot open FILE "gone\.wav"/],
    ['an offset inside a sample', 'CD_DA\nTRACK AUDIO\nFILE "c.raw" SWAP #6 0 0:4:0\n', /x\.toc:3: #6 is not on a sample/],
    ['an offset into a WAVE', 'CD_DA\nTRACK AUDIO\nFILE "a.wav" #44 0\n', /x\.toc:3: FILE "a\.wav" is an audio file, not raw samples/],
    ['a track under 4 seconds', 'CD_DA\nTRACK AUDIO\nFILE "c.raw" SWAP 0 0:3:0\nTRACK AUDIO\nFILE "c.raw" SWAP 0\n', /x\.toc:2: track 1 is shorter than 4 seconds/],
  ];
  for (const [what, text, re] of BAD) {
    it(`refuses ${what}, naming the line`, async () => {
      writeFileSync(p('x.toc'), text, 'latin1');
      const work = mkdtempSync(p('work-'));
      await expect(tocBurnPlan(p('x.toc'), work, { pool })).rejects.toThrow(re);
    });
  }
});
