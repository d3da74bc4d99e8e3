// A multisession CD as a user handles it from the CLI (issue #10): two sessions added with
// `burn --multisession`, read to BIN/CUE (`read -o disc.cue`: REM SESSION lines), that sheet burned
// to a blank CD-R with `burn --cue`, and the disc copied to another blank CD-R with `copy`. Both
// results read back: the .bin of the burned sheet is cmp-identical to the source's, the copy reads to
// the source's ISO byte for byte. A BD-R as the copy's target is refused in words (exit 3).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../common/exit-codes';
import { pattern, writeTree } from '../read/test-support';
import { runGlassmaster } from './test-support';

let stateDir: string;
const glassmaster = async (...args: string[]) => {
  const r = await runGlassmaster(args, { stateDir });
  return r;
};

describe('glassmaster read/burn --cue/copy of a multisession CD', () => {
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'gm-ms-cli-'));
    writeTree(join(stateDir, 's1'), { 'one.txt': 'first session\n', 'blob.bin': pattern(150_000, 3) });
    writeTree(join(stateDir, 's2'), { 'two.txt': 'second session\n' });
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('read -o disc.cue records the sessions; burn --cue reproduces them; copy copies them; a BD-R target is refused', async () => {
    const ok = async (...args: string[]) => {
      const r = await glassmaster(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    for (const n of ['a', 'b', 'c']) await ok('virtual', 'create', n, '--media', 'cd-r');
    await ok('virtual', 'create', 'bd', '--media', 'bd-r');
    await ok('burn', '--drive', 'virtual:a', '--multisession', '--verify', 'none', join(stateDir, 's1'));
    await ok('burn', '--drive', 'virtual:a', '--multisession', '--verify', 'none', join(stateDir, 's2'));

    await ok('read', '--drive', 'virtual:a', '-o', join(stateDir, 'a.cue'));
    const cue = readFileSync(join(stateDir, 'a.cue'), 'utf8');
    expect(cue).toMatch(/REM SESSION 01\n {2}TRACK 01 MODE1\/2352[\s\S]*REM SESSION 02\n {2}TRACK 02 MODE1\/2352\n {4}PREGAP 00:02:00/);

    const burned = await ok('burn', '--drive', 'virtual:b', '--cue', join(stateDir, 'a.cue'));
    expect(burned.stdout).toMatch(/Session 1: track 1 at sector 0, .*closed, appendable; verify full: equal to the \.bin\nSession 2: track 2 at sector \d+, .*finalized; verify full: equal to the \.bin/);
    await ok('read', '--drive', 'virtual:b', '-o', join(stateDir, 'b.cue'));
    execFileSync('cmp', [join(stateDir, 'a.bin'), join(stateDir, 'b.bin')]);

    const copied = await ok('copy', '--from', 'virtual:a', '--to', 'virtual:c');
    expect(copied.stdout).toMatch(/Copied 2 sessions \(streamed from virtual:a to virtual:c\), each at the source's sectors:\n {2}session 1: sectors 0–\d+ .*closed, appendable, verify full: matches the source\n {2}session 2: .*closed, appendable, verify full: matches the source/);
    await ok('read', '--drive', 'virtual:a', '-o', join(stateDir, 'a.iso'));
    await ok('read', '--drive', 'virtual:c', '-o', join(stateDir, 'c.iso'));
    execFileSync('cmp', [join(stateDir, 'a.iso'), join(stateDir, 'c.iso')]);

    const refused = await glassmaster('copy', '--from', 'virtual:a', '--to', 'virtual:bd');
    expect(refused.code).toBe(ExitCode.DEVICE);
    expect(refused.stderr).toMatch(/needs a blank CD-R\/RW to copy to, not a BD-R SRM/);
  }, 180_000);
});
