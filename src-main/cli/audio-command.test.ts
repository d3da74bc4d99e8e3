// `glassmaster audio` as a user runs it: a separate process, stdout/stderr and the exit code.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../common/exit-codes';
import { runGlassmaster } from './test-support';
import { requireTools } from '../testing/peer-tools';

const at = (name: string) => join(dir, name);
const ok = requireTools('sox', 'cd-info');
let dir: string;

const glassmaster = (...args: string[]) => runGlassmaster(args);

describe.skipIf(!ok)('glassmaster audio', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gm-cli-audio-'));
    for (const [name, f] of [['01 Alpha.wav', 440], ['02 Beta.wav', 550]] as const) {
      execFileSync('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', join(dir, name), 'synth', '4.5', 'sine', String(f), 'vol', '0.3']);
    }
    writeFileSync(join(dir, 'text.json'), JSON.stringify({ album: { title: 'From JSON', genre: { code: 12, text: 'Pop' } }, tracks: [{ composer: 'C. Omposer' }] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes CUE/BIN/TOC/CDT with --json progress and a result cd-info agrees with', async () => {
    const r = await glassmaster('audio', '-o', at('a.cue'), '--gapless', '--cdtext', at('text.json'), '--performer', 'CLI Band', '--mcn', '0123456789012', '--isrc', '2:US-RC1-76-07839', '--json', at('01 Alpha.wav'), at('02 Beta.wav'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(ExitCode.OK);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; phase?: string; tracks?: Array<{ start: number; title: string; isrc?: string }> });
    expect(lines.some((l) => l.type === 'progress' && l.phase === 'decoded')).toBe(true);
    const result = lines.at(-1)!;
    expect(result.type).toBe('result');
    expect(result.tracks!.map((t) => t.title)).toEqual(['Alpha', 'Beta']);
    expect(result.tracks![1].isrc).toBe('USRC17607839');
    expect(readdirSync(dir).filter((f) => f.startsWith('a.')).sort()).toEqual(['a.bin', 'a.cdt', 'a.cue', 'a.toc']);
    const info = execFileSync('cd-info', ['--no-device-info', '--no-cddb', '--cue-file', 'a.cue'], { cwd: dir, encoding: 'latin1' });
    expect(info).toMatch(/^\s+2: \d\d:\d\d:\d\d\s+0*(\d+) audio/m);
    expect(Number(/^\s+2: \d\d:\d\d:\d\d\s+0*(\d+) audio/m.exec(info)![1])).toBe(result.tracks![1].start);
    expect(info).toMatch(/TITLE: From JSON\s+PERFORMER: CLI Band/);
  });

  it('bad input: a usage exit code and a message naming the problem, nothing written', async () => {
    writeFileSync(join(dir, 'junk.flac'), 'not audio');
    const r = await glassmaster('audio', '-o', at('b.cue'), at('01 Alpha.wav'), at('junk.flac'));
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/junk\.flac: not a supported audio file/);
    expect(existsSync(join(dir, 'b.cue')) || existsSync(join(dir, 'b.bin'))).toBe(false);
    const bad = await glassmaster('audio', '-o', at('c.iso'), at('01 Alpha.wav'));
    expect(bad.code).toBe(ExitCode.USAGE);
    expect(bad.stderr).toMatch(/name it NAME\.cue/);
    const json = await glassmaster('audio', '-o', at('d.cue'), '--cdtext', at('01 Alpha.wav'), at('01 Alpha.wav'));
    expect(json.code).toBe(ExitCode.USAGE);
  });
});
