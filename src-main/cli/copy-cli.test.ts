// glassmaster copy as a user runs it: two virtual drives (streamed), and one drive where the user
// answers the stderr prompt by inserting a blank disc from a second process (`virtual insert`).
// The copy is read back with `glassmaster read` and compared byte for byte with the source image.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../common/exit-codes';
import { cliMain, runGlassmaster } from './test-support';
import { pattern, writeTree, xorrisoImage } from '../read/test-support';
import { requireTools } from '../testing/peer-tools';

let stateDir: string;

const glassmaster = (...args: string[]) => runGlassmaster(args, { stateDir });

const peers = requireTools('xorriso');

describe.skipIf(!peers)('glassmaster copy', () => {
  let iso: string;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'gm-copy-cli-'));
    writeTree(join(stateDir, 'src'), { 'hello.txt': 'copied by glassmaster\n', 'blob.bin': pattern(1_500_000, 2) });
    iso = join(stateDir, 'in.iso');
    xorrisoImage(join(stateDir, 'src'), iso, 'CLICOPY');
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('two drives: --json events, the copy verified in full, `read` of the copy is cmp-identical to the source; a blank source is exit code 3', async () => {
    expect((await glassmaster('virtual', 'create', 'a', '--media', 'dvd+r')).code).toBe(0);
    expect((await glassmaster('virtual', 'press', 'a', iso, '--as', 'dvd')).code).toBe(0);
    expect((await glassmaster('virtual', 'create', 'b', '--media', 'dvd+r')).code).toBe(0);
    const r = await glassmaster('copy', '--from', 'virtual:a', '--to', 'virtual:b', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; stage?: string; ok?: boolean; result?: { mode: string; burn: { copies: Array<{ verify: { ok: boolean; level: string; against: string } }> } } });
    expect(lines.slice(0, -1).every((l) => l.type === 'progress' && l.stage === 'burning')).toBe(true);
    const last = lines[lines.length - 1];
    expect(last).toMatchObject({ type: 'result', ok: true, result: { mode: 'stream', burn: { copies: [{ verify: { ok: true, level: 'full', against: 'source' } }] } } });
    expect((await glassmaster('read', '--drive', 'virtual:b', '-o', join(stateDir, 'b.iso'))).code).toBe(0);
    execFileSync('cmp', [join(stateDir, 'b.iso'), iso]);
    expect((await glassmaster('virtual', 'create', 'blank', '--media', 'bd-r')).code).toBe(0);
    const bad = await glassmaster('copy', '--from', 'virtual:blank', '--to', 'virtual:b');
    expect(bad.code).toBe(ExitCode.DEVICE);
    expect(bad.stderr).toMatch(/blank: there is nothing to copy/);
  });

  it('one drive: the prompt on stderr, a blank BD-R inserted from another process, the copy verified; no temporary image left', async () => {
    expect((await glassmaster('virtual', 'create', 'one', '--media', 'dvd+r')).code).toBe(0);
    expect((await glassmaster('virtual', 'press', 'one', iso, '--as', 'dvd')).code).toBe(0);
    const child = spawn(process.execPath, ['--import', 'tsx', cliMain, 'copy', '--from', 'virtual:one', '--to', 'virtual:one'], { env: { ...process.env, GLASSMASTER_STATE_DIR: stateDir } });
    let stderr = '';
    let stdout = '';
    let inserted: Promise<unknown> | undefined;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!inserted && /insert a blank disc/.test(stderr)) inserted = glassmaster('virtual', 'insert', 'one', '--media', 'bd-r');
    });
    const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? 1)));
    expect(stderr).toMatch(/Remove the source disc from virtual:one and insert a blank disc/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Copied .*through a temporary image in virtual:one/);
    expect(stdout).toMatch(/The disc matches /);
    expect(existsSync(join(stateDir, 'copy')) ? readdirSync(join(stateDir, 'copy')) : []).toEqual([]);
    expect((await glassmaster('read', '--drive', 'virtual:one', '-o', join(stateDir, 'one.iso'))).code).toBe(0);
    execFileSync('cmp', [join(stateDir, 'one.iso'), iso]);
  }, 60_000);
});
