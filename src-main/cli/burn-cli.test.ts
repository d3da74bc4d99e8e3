// glassmaster burn / erase / format as a user runs them: a separate process, its output and exit
// code; the burned disc read by xorriso, isoinfo and 7-Zip straight from the virtual recorder's image.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ExitCode } from '../common/exit-codes';
import { runGlassmaster } from './test-support';
import { requireTools } from '../testing/peer-tools';

let stateDir: string;

const glassmaster = (...args: string[]) => runGlassmaster(args, { stateDir });

beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'gm-burn-cli-'));
});
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const peers = requireTools('xorriso', 'isoinfo', '7z');

describe('glassmaster burn', () => {
  it.skipIf(!peers)('burns an image built by `glassmaster image`, verifies it in full; xorriso, isoinfo and 7-Zip read the disc', async () => {
    const src = join(stateDir, 'src');
    mkdirSync(join(src, 'music'), { recursive: true });
    writeFileSync(join(src, 'readme.txt'), 'burned by glassmaster\n');
    writeFileSync(join(src, 'music', 'noise.bin'), randomBytes(500_000));
    const iso = join(stateDir, 'in.iso');
    expect((await glassmaster('image', '-o', iso, '--label', 'CLIBURN', src)).code).toBe(0);
    expect((await glassmaster('virtual', 'create', 'cli-burn', '--media', 'dvd+r')).code).toBe(0);
    const r = await glassmaster('burn', '--drive', 'virtual:cli-burn', '--image', iso, '--verify', 'full', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; action?: string; ok?: boolean; result?: { copies: Array<{ verify: { ok: boolean; level: string } }> } });
    expect(lines.slice(0, -1).every((l) => l.type === 'progress')).toBe(true);
    expect(lines.map((l) => l.action)).toContain('writing');
    expect(lines[lines.length - 1]).toMatchObject({ type: 'result', ok: true, result: { copies: [{ verify: { ok: true, level: 'full' } }] } });
    const disc = join(stateDir, 'virtual', 'cli-burn', 'disc.bin');
    expect(execFileSync('xorriso', ['-indev', disc, '-find', '/', '-type', 'f'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toMatch(/'\/music\/noise.bin'[\s\S]*'\/readme.txt'|'\/readme.txt'[\s\S]*'\/music\/noise.bin'/);
    expect(execFileSync('isoinfo', ['-i', disc, '-d'], { encoding: 'utf8' })).toContain('Volume id: CLIBURN');
    expect(execFileSync('7z', ['l', disc], { encoding: 'utf8' })).toContain('noise.bin');
    // The disc was finalized: a second burn is refused with the device exit code, in plain words.
    const again = await glassmaster('burn', '--drive', 'virtual:cli-burn', '--image', iso);
    expect(again.code).toBe(ExitCode.DEVICE);
    expect(again.stderr).toContain('The disc is closed');
  });

  it.skipIf(!peers)('burns SRC… straight from the image engine with the image options, the manifest, then --multisession; prints what is on the disc', async () => {
    const src = join(stateDir, 'src2');
    mkdirSync(join(src, 'docs'), { recursive: true });
    writeFileSync(join(src, 'readme.txt'), 'from SRC\n');
    writeFileSync(join(src, 'docs', 'data.bin'), randomBytes(200_000));
    expect((await glassmaster('virtual', 'create', 'cli-src', '--media', 'dvd+r')).code).toBe(0);
    const r = await glassmaster('burn', '--drive', 'virtual:cli-src', '--label', 'SRCBURN', '--fs', 'iso9660,joliet,rockridge', '--close', '--verify', 'full', src);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Burned .* verified \(full: \d+ sectors read back\)\. .*\nOn the disc now: 1 session, 3 files in 2 folders \(/);
    const disc = join(stateDir, 'virtual', 'cli-src', 'disc.bin');
    expect(execFileSync('isoinfo', ['-i', disc, '-d'], { encoding: 'utf8' })).toContain('Volume id: SRCBURN');
    expect(execFileSync('xorriso', ['-indev', disc, '-find', '/', '-type', 'f'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l.startsWith("'")).sort())
      .toEqual(["'/.glassmaster/SHA256SUMS'", "'/docs/data.bin'", "'/readme.txt'"]);
    expect(execFileSync('7z', ['l', disc], { encoding: 'utf8' })).not.toContain('Type = Udf'); // --fs without udf was honoured
    const v = await glassmaster('verify', '--drive', 'virtual:cli-src', '--manifest');
    expect(v.code).toBe(0);

    writeFileSync(join(stateDir, 'later.txt'), 'added later\n');
    const m = await glassmaster('burn', '--drive', 'virtual:cli-src', '--multisession', '--remove', '/readme.txt', '--no-manifest', '--json', join(stateDir, 'later.txt'));
    expect(m.code).toBe(0);
    const last = JSON.parse(m.stdout.trim().split('\n').pop()!);
    expect(last).toMatchObject({ type: 'result', ok: true, result: { disc: { sessions: 2, files: 3, status: 'appendable' } } });
  });

  it('usage errors exit 2: --image with SRC…, nothing to burn, --remove without --multisession', async () => {
    for (const args of [['--image', '/tmp/a.iso', stateDir], [], ['--remove', '/x', stateDir]]) {
      const r = await glassmaster('burn', '--drive', 'virtual:x', ...args);
      expect(r.code).toBe(ExitCode.USAGE);
    }
  });

  it('refuses one disc image as the only SRC (usage, exit 2) and says how to burn it or put it on as a file; /DEST=SRC puts it on', async () => {
    const iso = join(stateDir, 'my image.iso');
    const src = join(stateDir, 'only-src');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'a\n');
    expect((await glassmaster('image', '-o', iso, src)).code).toBe(0);
    expect((await glassmaster('virtual', 'create', 'cli-only', '--media', 'dvd+r')).code).toBe(0);
    const r = await glassmaster('burn', '--drive', 'virtual:cli-only', iso);
    expect(r.code).toBe(ExitCode.USAGE);
    // Both ways out, quoted as a shell reads them back.
    expect(r.stderr).toContain(`is a disc image: to burn the image itself, use --image '${iso}'; to put the file on the disc as it is, name its place: '/my image.iso=${iso}'`);
    const m = await glassmaster('burn', '--drive', 'virtual:cli-only', '--multisession', iso);
    expect(m.code).toBe(ExitCode.USAGE);
    expect(m.stderr).toContain('an image cannot be added as a session');
    // A FIFO is no image (and is not opened, which would wait for a writer): the engine refuses it as a source.
    const fifo = join(stateDir, 'pipe.iso');
    execFileSync('mkfifo', [fifo]);
    const p = await glassmaster('burn', '--drive', 'virtual:cli-only', fifo);
    expect(p.code).toBe(ExitCode.USAGE);
    expect(p.stderr).not.toContain('is a disc image');
    // Nothing was written: the disc is still blank and takes the burn the user meant.
    const ok = await glassmaster('burn', '--drive', 'virtual:cli-only', '--verify', 'none', `/my image.iso=${iso}`);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/On the disc now: 1 session, 2 files in 1 folder/); // the image, and the manifest in .glassmaster/
  });

  it('usage errors exit 2: a bad speed, a directory as the image', async () => {
    expect((await glassmaster('burn', '--drive', 'virtual:x', '--image', '/tmp/a.iso', '--speed', 'fast')).code).toBe(ExitCode.USAGE);
    const dir = await glassmaster('burn', '--drive', 'virtual:x', '--image', stateDir);
    expect(dir.code).toBe(ExitCode.USAGE);
    expect(dir.stderr).toContain('not a regular file');
  });

  it('erase and format print progress on stderr and the result on stdout', async () => {
    expect((await glassmaster('virtual', 'create', 'cli-rw', '--media', 'dvd+rw')).code).toBe(0);
    const f = await glassmaster('format', '--drive', 'virtual:cli-rw');
    expect(f).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Formatted: DVD\+RW, 4\.38 GiB free\.\n$/) });
    expect(f.stderr).toMatch(/Formatting/);
    const e = await glassmaster('erase', '--drive', 'virtual:cli-rw');
    expect(e.code).toBe(ExitCode.DEVICE);
    expect(e.stderr).toContain('Only CD-RW and DVD-RW discs can be erased');
    expect((await glassmaster('virtual', 'insert', 'cli-rw', '--media', 'cd-rw')).code).toBe(0);
    const j = await glassmaster('erase', '--drive', 'virtual:cli-rw', '--full', '--json');
    expect(j.code).toBe(0);
    const last = JSON.parse(j.stdout.trim().split('\n').pop()!);
    expect(last).toMatchObject({ type: 'result', ok: true, result: { profile: 'CD-RW', status: 'blank' } });
  });
});
