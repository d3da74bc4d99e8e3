// CUE/BIN/TOC output judged by independent tools: cd-info --cue-file (libcdio: tracks, start LBAs,
// MCN, flags, CD-TEXT from the .cdt), bchunk (splits the BIN back into WAVs), cdrdao show-toc and
// toc2cddb (cdrdao's own TOC parser, with CD-TEXT), sox --i (sample counts), shntool (sector
// alignment). Decoding runs in the real worker pool.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, InvalidInputError } from '../common/errors';
import { requireTools } from '../testing/peer-tools';
import { AudioDecoderPool } from './audio-decoder-pool';
import { authorAudioImage, prepareAudioDisc, type AuthoredImage } from './author';
import { programSource, saoCueSheet } from './audio-plan';
import { decodeToCdda } from './decode';

const ok = requireTools('sox', 'flac', 'lame', 'cd-info', 'bchunk', 'cdrdao', 'toc2cddb', 'shntool');
let dir: string;
let pool: AudioDecoderPool;
const p = (...n: string[]) => join(dir, ...n);
const sh = (cmd: string, args: string[], cwd?: string) => execFileSync(cmd, args, { cwd, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
const SEC = 588;

async function decoded(path: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  await decodeToCdda(path, async (b) => void parts.push(b.slice()));
  return Buffer.concat(parts);
}

/** Data bytes of a WAV bchunk wrote (a plain 44-byte header). */
const wavData = (path: string) => readFileSync(path).subarray(44);

/** cd-info's track list: [track, LSN, copy, pre-emphasis]. */
function cdInfoTracks(cue: string, cwd: string): { tracks: Array<[number, number, string, string]>; out: string } {
  const out = sh('cd-info', ['--no-device-info', '--no-cddb', '--cue-file', cue], cwd);
  const tracks = [...out.matchAll(/^\s+(\d+): \d\d:\d\d:\d\d\s+(\d+) audio\s+\S+\s+(\S+)\s+2\s+(\S+)/gm)].map((m) => [Number(m[1]), Number(m[2]), m[3], m[4]] as [number, number, string, string]);
  return { tracks: tracks.filter((t, i) => tracks.findIndex((u) => u[0] === t[0]) === i), out };
}

describe.skipIf(!ok)('audio image files against cd-info, bchunk, cdrdao, sox and shntool', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gm-author-'));
    // Lengths that are not whole sectors, three formats.
    sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('01 - Opening.wav'), 'synth', '5.13', 'sine', '300', 'vol', '0.4']);
    sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('b.wav'), 'synth', '4.71', 'sine', '600-900', 'vol', '0.4']);
    sh('flac', ['-s', '-f', p('b.wav'), '-o', p('02 Middle.flac')]);
    sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('c.wav'), 'synth', '4.4', 'sine', '1000', 'vol', '0.4']);
    sh('lame', ['--quiet', '--tt', 'Tagged Title', '--ta', 'Tag Artist', p('c.wav'), p('c.mp3')]);
    pool = new AudioDecoderPool({ size: 2 });
  });
  afterAll(async () => {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const sources = () => [p('01 - Opening.wav'), p('02 Middle.flac'), p('c.mp3')];

  describe('with 2-second pregaps, CD-TEXT, MCN, ISRC and flags', () => {
    let r: AuthoredImage;
    const out = () => p('gaps');
    beforeAll(async () => {
      mkdirSync(out());
      r = await authorAudioImage(
        {
          // Every track names its performer: libcdio's pack reader skips an empty string without moving
          // to the next track (it would show later performers one track early), so empty strings are
          // checked on our own reading in layout.test.ts instead.
          tracks: [
            { path: sources()[0], copyPermitted: true, preEmphasis: true, performer: 'First Player' },
            { path: sources()[1], isrc: 'USRC17607839', performer: 'Second Player' },
            { path: sources()[2] },
          ],
          mcn: '0123456789012',
          album: { title: 'Glass Album', performer: 'Glass Band' },
        },
        join(out(), 'album.cue'),
        { pool },
      );
    });

    it('cd-info reads the CUE: three tracks at the laid-out LBAs, MCN, flags', () => {
      const { tracks, out: text } = cdInfoTracks('album.cue', out());
      expect(tracks.map((t) => t[1])).toEqual(r.layout.tracks.map((t) => t.start));
      expect(tracks.map((t) => t[0])).toEqual([1, 2, 3]);
      expect(r.layout.tracks[1].start - r.layout.tracks[1].pregapStart).toBe(150);
      expect(tracks[0].slice(2)).toEqual(['yes', 'yes']);
      expect(tracks[1].slice(2)).toEqual(['no', 'no']);
      expect(text).toMatch(/Media Catalog Number \(MCN\): 0123456789012/);
    });

    it('cd-info reads the CD-TEXT packs from the .cdt alone (titles from tags, else file names)', () => {
      const cue = readFileSync(join(out(), 'album.cue'), 'latin1').split('\r\n').filter((l) => !/^\s*(TITLE|PERFORMER)/.test(l)).join('\r\n');
      writeFileSync(join(out(), 'packs-only.cue'), cue, 'latin1');
      symlinkSync('album.bin', join(out(), 'packs-only.bin')); // cd-info --cue-file opens NAME.bin
      const { out: text } = cdInfoTracks('packs-only.cue', out());
      expect(text).not.toMatch(/failed to parse/);
      expect(text).toMatch(/CD-TEXT for Disc:\s+TITLE: Glass Album\s+PERFORMER: Glass Band/);
      expect(text).toMatch(/CD-TEXT for Track +1:\s+TITLE: Opening\s+PERFORMER: First Player/);
      expect(text).toMatch(/CD-TEXT for Track +2:\s+TITLE: Middle\s+PERFORMER: Second Player\s+ISRC: USRC17607839/);
      expect(text).toMatch(/CD-TEXT for Track +3:\s+TITLE: Tagged Title\s+PERFORMER: Tag Artist/);
    });

    it('bchunk splits the BIN into WAVs that are the decoded sources plus silence; sox counts agree', async () => {
      sh('bchunk', ['-w', 'album.bin', 'album.cue', 'tr'], out());
      const wavs = readdirSync(out()).filter((f) => /^tr\d\d\.wav$/.test(f)).sort();
      expect(wavs).toHaveLength(3);
      for (const [i, w] of wavs.entries()) {
        const t = r.layout.tracks[i];
        expect(Number(sh('sox', ['--i', '-s', w], out()).trim())).toBe((t.end - t.start) * SEC);
        const data = wavData(join(out(), w));
        const src = await decoded(sources()[i]);
        expect(data.subarray(0, src.length).equals(src)).toBe(true);
        expect(data.subarray(src.length).every((b) => b === 0)).toBe(true);
      }
      // …and the decoded WAV/FLAC sources are the reference decoders' output, bit for bit.
      expect((await decoded(sources()[1])).equals(execFileSync('flac', ['-s', '-d', '-c', '--force-raw-format', '--endian=little', '--sign=signed', sources()[1]]))).toBe(true);
    });

    it('cdrdao accepts the TOC and reads the same layout and CD-TEXT', () => {
      const show = sh('cdrdao', ['show-toc', 'album.toc'], out());
      const starts = [...show.matchAll(/START\s+\d\d:\d\d:\d\d\(\s*(\d+)\)/g)].map((m) => Number(m[1]));
      expect(starts).toEqual(r.layout.tracks.map((t) => t.start));
      expect(show).toMatch(/ISRC US RC1 76 07839/);
      expect(show).toMatch(/CATALOG NUMBER: 0123456789012/);
      expect(show).toMatch(/COPY PERMITTED[\s\S]*PRE-EMPHASIS/);
      const cddb = sh('toc2cddb', ['album.toc'], out());
      expect(cddb).toMatch(/DTITLE=Glass Band \/ Glass Album/);
      expect(cddb).toMatch(/TTITLE0=Opening\s+TTITLE1=Middle\s+TTITLE2=Tagged Title/);
      expect([...cddb.matchAll(/^# (\d+)$/gm)].map((m) => Number(m[1]))).toEqual(r.layout.tracks.map((t) => t.start + 150));
    });

    it('leaves no work folder or .partial behind', () => {
      expect(readdirSync(out()).filter((f) => f.includes('partial') || f.includes('.decode-'))).toEqual([]);
    });
  });

  describe('gapless', () => {
    let r: AuthoredImage;
    const out = () => p('gapless');
    beforeAll(async () => {
      mkdirSync(out());
      r = await authorAudioImage({ tracks: sources().map((path) => ({ path })), gapless: true }, join(out(), 'g.cue'), { pool });
    });

    it('no pregaps, starts at the sector holding each first sample, the audio one continuous stream', async () => {
      const { tracks } = cdInfoTracks('g.cue', out());
      const firsts = r.layout.tracks.map((t) => t.firstSample);
      expect(tracks.map((t) => t[1])).toEqual(firsts.map((s) => Math.floor(s / SEC)));
      expect(r.layout.tracks.every((t, i) => i === 0 || t.pregapStart === t.start)).toBe(true);
      const bin = readFileSync(join(out(), 'g.bin'));
      const all = Buffer.concat(await Promise.all(sources().map(decoded)));
      expect(bin.subarray(0, all.length).equals(all)).toBe(true);
      expect(bin.length).toBe(Math.ceil(all.length / 2352) * 2352);
      expect(bin.subarray(all.length).every((b) => b === 0)).toBe(true);
    });

    it('bchunk tracks are sector-aligned for shntool and join back into the same stream', () => {
      sh('bchunk', ['-w', 'g.bin', 'g.cue', 'g'], out());
      const wavs = readdirSync(out()).filter((f) => /^g\d\d\.wav$/.test(f)).sort();
      const len = sh('shntool', ['len', ...wavs], out());
      const rows = len.split('\n').filter((l) => / g\d\d\.wav$/.test(l));
      expect(rows).toHaveLength(3);
      for (const row of rows) expect(row.split(/\s+/)[4]).toBe('---'); // cdr column: no "b" (not sector-aligned)
      // The sources themselves are not aligned: shntool flags them, so the check above can fail.
      expect(sh('shntool', ['len', '01 - Opening.wav'], dir)).toMatch(/-b-/);
      const joined = Buffer.concat(wavs.map((w) => wavData(join(out(), w))));
      expect(joined.equals(readFileSync(join(out(), 'g.bin')))).toBe(true);
    });
  });

  describe('the plan a burner takes', () => {
    it('streams the same sectors as the BIN (after track 1\'s 2 s pause) and a cue sheet ending at its lead-out', async () => {
      const work = p('plan-work');
      mkdirSync(work);
      const prepared = await prepareAudioDisc({ tracks: sources().map((path) => ({ path })), gapless: true }, work, { pool });
      const src = programSource(prepared.plan);
      const parts: Uint8Array[] = [];
      for (let c = await src.read(500); c; c = await src.read(500)) parts.push(c);
      const program = Buffer.concat(parts);
      expect(program.subarray(0, 150 * 2352).every((b) => b === 0)).toBe(true);
      expect(program.subarray(150 * 2352).equals(readFileSync(join(p('gapless'), 'g.bin')))).toBe(true);
      const last = saoCueSheet(prepared.plan).at(-1)!;
      expect((last.min * 60 + last.sec) * 75 + last.frame - 150).toBe(prepared.layout.leadOut);
    });
  });

  describe('hidden track one audio and index points', () => {
    it('puts the hidden audio at LBA 0 as track 1 index 00; cd-info starts track 1 after it', async () => {
      mkdirSync(p('htoa'));
      const r = await authorAudioImage({ tracks: [{ path: sources()[0], indexSeconds: [1, 2.5] }, { path: sources()[1] }], hiddenTrack: p('c.wav') }, p('htoa', 'h.cue'), { pool });
      const hidden = Math.ceil(194040 / SEC); // 4.4 s of hidden audio
      // Index points (bchunk would split at them, so they are checked in the CUE and cdrdao's TOC reading).
      expect(readFileSync(p('htoa', 'h.cue'), 'latin1')).toMatch(new RegExp(`INDEX 02 00:0${Math.floor((hidden + 75) / 75)}:\\d\\d\r\n\\s+INDEX 03`));
      const show = sh('cdrdao', ['show-toc', 'h.toc'], p('htoa')); // prints absolute positions
      expect([...show.matchAll(/INDEX\s+(\d)\s+\d\d:\d\d:\d\d\(\s*(\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])])).toEqual([[2, hidden + 75], [3, hidden + 188]]);
      expect(r.layout.tracks[0].start).toBe(hidden);
      expect(readFileSync(p('htoa', 'h.cue'), 'latin1')).toMatch(/TRACK 01 AUDIO[\s\S]*INDEX 00 00:00:00\r\n\s+INDEX 01 00:0\d:\d\d/);
      expect(cdInfoTracks('h.cue', p('htoa')).tracks[0][1]).toBe(hidden);
      expect(readFileSync(p('htoa', 'h.bin')).subarray(0, 4.4 * 44100 * 4).equals(await decoded(p('c.wav')))).toBe(true);
    });
  });

  describe('bad input', () => {
    it('a corrupt track fails with an error naming it, and nothing is written', async () => {
      mkdirSync(p('bad'));
      writeFileSync(p('broken.flac'), readFileSync(p('02 Middle.flac')).subarray(0, 9000));
      const run = authorAudioImage({ tracks: [{ path: sources()[0] }, { path: p('broken.flac') }] }, p('bad', 'x.cue'), { pool });
      await expect(run).rejects.toMatchObject({ code: 'INVALID_INPUT' }); // typed across the worker boundary
      await expect(run).rejects.toThrow(/broken\.flac/);
      expect(readdirSync(p('bad'))).toEqual([]);
    });
    it('a failed track stops the others, and the error comes only once none of them is still writing', async () => {
      // A stand-in pool: track 1 decodes until it is told to stop (then writes once more, as a worker
      // finishing its chunk), track 2 fails at once. The work folder must be left alone until track 1
      // has settled — else its removal races that last write (ENOTEMPTY, which replaced the error).
      mkdirSync(p('race'));
      const events: string[] = [];
      const fake = {
        decodeToFile: (path: string, out: string, o: { signal?: AbortSignal } = {}) => {
          if (path.endsWith('bad.wav')) return Promise.reject(new InvalidInputError(`${path}: not audio`, { path }));
          writeFileSync(out, 'pcm');
          return new Promise((_, reject) => {
            const finish = () => setTimeout(() => {
              writeFileSync(`${out}.last`, 'pcm');
              events.push('track 1 settled');
              reject(new CancelledError());
            }, 100);
            // Not told to stop: it finishes on its own a little later.
            if (o.signal) o.signal.addEventListener('abort', finish, { once: true });
            else finish();
          });
        },
        readTags: () => Promise.resolve({}),
      } as unknown as AudioDecoderPool;
      const run = authorAudioImage({ tracks: [{ path: p('slow.wav') }, { path: p('bad.wav') }] }, p('race', 'x.cue'), { pool: fake });
      await expect(run.finally(() => events.push('rejected'))).rejects.toThrow(/bad\.wav: not audio/);
      expect(events).toEqual(['track 1 settled', 'rejected']);
      expect(readdirSync(p('race'))).toEqual([]);
    });
    it('an earlier image survives a failed run', async () => {
      const before = readFileSync(join(p('gaps'), 'album.cue'));
      await expect(authorAudioImage({ tracks: [{ path: p('nothing.wav') }] }, join(p('gaps'), 'album.cue'), { pool })).rejects.toThrow(/nothing\.wav/);
      expect(readFileSync(join(p('gaps'), 'album.cue')).equals(before)).toBe(true);
      expect(readdirSync(p('gaps')).filter((f) => f.endsWith('.partial'))).toEqual([]);
    });
  });
});
