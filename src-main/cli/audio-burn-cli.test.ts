// `glassmaster audio --drive` and `glassmaster burn --cue` as a user runs them: separate processes
// against a virtual CD recorder; the burner reads every sector back, and the CUE/FLAC case is
// checked against the sources decoded by the reference `flac -d`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../common/exit-codes';
import { runGlassmaster } from './test-support';
import { requireTools } from '../testing/peer-tools';

const ok = requireTools('sox', 'flac');
let dir: string;
const at = (name: string) => join(dir, name);

const glassmaster = (...args: string[]) => runGlassmaster(args, { stateDir: join(dir, 'state') });

type Line = { type: string; action?: string; ok?: boolean; result?: { mode: string; cdText: boolean; reason: string; tracks: Array<{ startLba: number; sectors: number }>; verifiedSectors: number }; error?: { code: string; message: string } };
const lines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as Line);

describe.skipIf(!ok)('glassmaster audio --drive / burn --cue', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gm-cli-audioburn-'));
    for (const [name, f, len] of [['01 Alpha.wav', 440, '4.5'], ['02 Beta.wav', 550, '5.2']] as const) {
      execFileSync('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', at(name), 'synth', len, 'sine', String(f), 'vol', '0.3']);
    }
    execFileSync('flac', ['-s', '-f', '-o', at('02 Beta.flac'), at('02 Beta.wav')]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('audio --drive --gapless --mode raw96: burned, read back in full, the result says the mode and why', async () => {
    expect((await glassmaster('virtual', 'create', 'a', '--media', 'cd-r')).code).toBe(0);
    const r = await glassmaster('audio', '--drive', 'virtual:a', '--gapless', '--mode', 'raw96', '--title', 'Live', '--json', at('01 Alpha.wav'), at('02 Beta.wav'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(ExitCode.OK);
    const ls = lines(r.stdout);
    expect(ls.map((l) => l.action)).toEqual(expect.arrayContaining(['writing', 'verifying', 'done']));
    const res = ls.at(-1)!;
    expect(res).toMatchObject({ type: 'result', ok: true, result: { mode: 'raw96', cdText: true } });
    // 4.5 s = 337.5 sectors: track 2 starts in the sector holding its first sample (gapless).
    expect(res.result!.tracks.map((t) => t.startLba)).toEqual([0, 337]);
    expect(res.result!.verifiedSectors).toBe(Math.ceil((4.5 + 5.2) * 75));
    // auto on the same kind of drive: SAO with CD-TEXT, and the reason says so.
    expect((await glassmaster('virtual', 'create', 'b', '--media', 'cd-r')).code).toBe(0);
    const auto = await glassmaster('audio', '--drive', 'virtual:b', '--title', 'Live', at('01 Alpha.wav'), at('02 Beta.wav'));
    expect(auto.code).toBe(ExitCode.OK);
    expect(auto.stdout).toMatch(/^Session-At-Once: the drive supports it with CD-TEXT/);
    expect(auto.stdout).toMatch(/Verified: \d+ sectors read back and equal/);
  });

  it('burn --cue with a WAV and a FLAC track (PREGAP, ISRC, CATALOG, CD-TEXT): what the disc holds equals the reference decoders', async () => {
    writeFileSync(at('album.cue'), [
      'CATALOG 0724384924626', 'TITLE "Cue Album"', 'PERFORMER "Cue Band"',
      'FILE "01 Alpha.wav" WAVE', '  TRACK 01 AUDIO', '    TITLE "Alpha"', '    ISRC USRC17607839', '    INDEX 01 00:00:00',
      'FILE "02 Beta.flac" WAVE', '  TRACK 02 AUDIO', '    TITLE "Beta"', '    PREGAP 00:03:00', '    INDEX 01 00:00:00', '',
    ].join('\r\n'));
    expect((await glassmaster('virtual', 'create', 'c', '--media', 'cd-r')).code).toBe(0);
    const r = await glassmaster('burn', '--drive', 'virtual:c', '--cue', at('album.cue'), '--mode', 'sao', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(ExitCode.OK);
    const res = lines(r.stdout).at(-1)!;
    // Track 1: 337.5 sectors padded to 338 (CUE files are padded to a sector), then 3 s PREGAP.
    expect(res.result!.tracks.map((t) => t.startLba)).toEqual([0, 338 + 225]);
    const disc = readFileSync(join(dir, 'state', 'virtual', 'c', 'disc.bin'));
    const alpha = readFileSync(at('01 Alpha.wav')).subarray(44);
    execFileSync('flac', ['-s', '-d', '-f', '--force-raw-format', '--endian=little', '--sign=signed', '-o', at('beta.raw'), at('02 Beta.flac')]);
    const beta = readFileSync(at('beta.raw'));
    expect(Buffer.compare(disc.subarray(0, alpha.length), alpha)).toBe(0);
    expect(disc.subarray(alpha.length, 563 * 2352).every((b) => b === 0)).toBe(true);
    expect(Buffer.compare(disc.subarray(563 * 2352, 563 * 2352 + beta.length), beta)).toBe(0);
  });

  it('errors: a CUE line naming a missing file (exit 2, nothing burned), neither -o nor --drive, a busy-free drive afterwards', async () => {
    writeFileSync(at('bad.cue'), 'FILE "missing.flac" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n');
    expect((await glassmaster('virtual', 'create', 'd', '--media', 'cd-r')).code).toBe(0);
    const r = await glassmaster('burn', '--drive', 'virtual:d', '--cue', at('bad.cue'));
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/bad\.cue:1: cannot open FILE "missing\.flac"/);
    const none = await glassmaster('audio', at('01 Alpha.wav'));
    expect(none.code).toBe(ExitCode.USAGE);
    expect(none.stderr).toMatch(/-o OUT\.cue .* or --drive D/);
    // The drive is still usable: a TAO burn of the good tracks goes through.
    const tao = await glassmaster('audio', '--drive', 'virtual:d', '--mode', 'tao', at('01 Alpha.wav'), at('02 Beta.wav'));
    expect(tao.stdout).toMatch(/^Track-At-Once as asked; it cannot record CD-TEXT, left out\./);
    expect(tao.code).toBe(ExitCode.OK);
    // Options a CUE burn cannot honour are refused, not dropped (before: --copies, a kB/s speed and
    // --mode sao on a data sheet were ignored and the disc burned anyway).
    expect((await glassmaster('burn', '--drive', 'virtual:d', '--cue', at('bad.cue'), '--copies', '2')).stderr).toMatch(/--copies is for images/);
    expect((await glassmaster('burn', '--drive', 'virtual:d', '--cue', at('bad.cue'), '--speed', '1400k')).stderr).toMatch(/multiple of CD speed/);
    writeFileSync(at('data.bin'), Buffer.alloc(2048 * 300));
    writeFileSync(at('data.cue'), 'FILE "data.bin" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n');
    const sao = await glassmaster('burn', '--drive', 'virtual:d', '--cue', at('data.cue'), '--mode', 'sao');
    expect(sao.code).toBe(ExitCode.USAGE);
    expect(sao.stderr).toMatch(/Track-At-Once/);
  });

  it('burn --toc with the TOC `audio -o` writes: the same disc, sector for sector, as burn --cue of its CUE', async () => {
    const made = await glassmaster('audio', '-o', at('made.cue'), '--pregap', '3', '--title', 'Toc Made', '--isrc', '2:USRC17607839', at('01 Alpha.wav'), at('02 Beta.flac'));
    expect(made.code).toBe(ExitCode.OK);
    expect(readFileSync(at('made.toc'), 'latin1')).toContain('FILE "made.bin" SWAP');
    for (const [name, flag, file] of [['t', '--toc', 'made.toc'], ['u', '--cue', 'made.cue']] as const) {
      expect((await glassmaster('virtual', 'create', name, '--media', 'cd-r')).code).toBe(0);
      const r = await glassmaster('burn', '--drive', `virtual:${name}`, flag, at(file), '--mode', 'sao', '--json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(ExitCode.OK);
      expect(lines(r.stdout).at(-1)).toMatchObject({ type: 'result', ok: true, result: { mode: 'sao', cdText: true } });
    }
    const viaToc = readFileSync(join(dir, 'state', 'virtual', 't', 'disc.bin'));
    const viaCue = readFileSync(join(dir, 'state', 'virtual', 'u', 'disc.bin'));
    expect(viaToc.length).toBeGreaterThan(600 * 2352);
    expect(Buffer.compare(viaToc, viaCue)).toBe(0);
    // A TOC and a CUE together is a usage error.
    const both = await glassmaster('burn', '--drive', 'virtual:t', '--toc', at('made.toc'), '--cue', at('made.cue'));
    expect(both.code).toBe(ExitCode.USAGE);
  });
});
