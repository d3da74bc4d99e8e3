// read / verify / ls / virtual press as a user runs them: a separate process, its output, its exit code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../common/exit-codes';
import { runGlassmaster } from './test-support';
import { requireTools } from '../testing/peer-tools';
import { pattern, writeTree, xorrisoImage } from '../read/test-support';

const ok = requireTools('xorriso', 'sha256sum');
let dir: string;

const glassmaster = (...args: string[]) => runGlassmaster(args, { stateDir: join(dir, 'state') });

describe.skipIf(!ok)('glassmaster read / verify / ls', () => {
  let src: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-cli-disc-'));
    src = join(dir, 'src');
    writeTree(src, { 'hello.txt': 'hello\n', 'sub/data.bin': pattern(50_000, 2) });
    writeTree(src, { '.glassmaster/SHA256SUMS': execFileSync('sha256sum', ['hello.txt', 'sub/data.bin'], { cwd: src }).toString() });
    xorrisoImage(src, join(dir, 'disc.iso'));
    expect((await glassmaster('virtual', 'create', 'r', '--media', 'dvd+r')).code).toBe(0);
    const press = await glassmaster('virtual', 'press', 'r', join(dir, 'disc.iso'), '--as', 'cd');
    expect(press).toMatchObject({ code: 0, stderr: '' });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ls lists the disc; read writes a byte-identical ISO and refuses to overwrite it; verify passes three ways', async () => {
    const ls = await glassmaster('ls', '--drive', 'virtual:r', '/sub');
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^-\s+50000 .* \/sub\/data\.bin$/m);
    const out = join(dir, 'copy.iso');
    const r = await glassmaster('read', '--drive', 'virtual:r', '-o', out, '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; report?: { sha256: string } });
    expect(lines[0].type).toBe('progress');
    expect(lines[lines.length - 1].type).toBe('report');
    execFileSync('cmp', [out, join(dir, 'disc.iso')]);
    expect(lines[lines.length - 1].report!.sha256).toBe(execFileSync('sha256sum', [out]).toString().split(' ')[0]);
    const again = await glassmaster('read', '--drive', 'virtual:r', '-o', out);
    expect(again.code).toBe(ExitCode.USAGE);
    expect(again.stderr).toMatch(/already exists .*--force/);
    for (const how of [['--image', join(dir, 'disc.iso')], ['--dir', src], ['--manifest']]) {
      const v = await glassmaster('verify', '--drive', 'virtual:r', ...how);
      expect(v, how.join(' ')).toMatchObject({ code: 0 });
    }
  }, 60_000);

  it('verify exits 4 when the disc differs, and says which file', async () => {
    writeFileSync(join(src, 'hello.txt'), 'HELLO\n');
    const v = await glassmaster('verify', '--drive', 'virtual:r', '--dir', src);
    expect(v.code).toBe(ExitCode.VERIFICATION);
    expect(v.stdout).toMatch(/different\s+hello\.txt/);
    const bad = await glassmaster('verify', '--drive', 'virtual:r', '--manifest', '--dir', src);
    expect(bad.code).toBe(ExitCode.USAGE);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  }, 60_000);
});
