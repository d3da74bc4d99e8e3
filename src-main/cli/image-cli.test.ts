// `glassmaster image` as a user runs it (a separate process): usage mistakes exit 2 with a reason,
// --help lists every option with an example, shortened labels are said, --json gives JSON lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../common/exit-codes';
import { runGlassmaster } from './test-support';

let tmp: string;

const glassmaster = (...args: string[]) => runGlassmaster(args, { stateDir: tmp });

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'gm-image-cli-'));
  mkdirSync(join(tmp, 'src'));
  writeFileSync(join(tmp, 'src', 'hello.txt'), 'hello');
  writeFileSync(join(tmp, 'src', 'boot.img'), Buffer.alloc(2048));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('glassmaster image', () => {
  it('--help lists every build option, each with an example where it takes a value', async () => {
    const r = await glassmaster('image', '--help');
    expect(r.code).toBe(0);
    for (const opt of ['--output', '--fs', '--iso-level', '--udf-revision', '--udf-metadata-mirror', '--no-udf-metadata-mirror', '--label', '--boot',
      '--isohybrid', '--isohybrid-mbr', '--isohybrid-gpt', '--date', '--max-sectors', '--follow-symlinks', '--udf-symlinks', '--import', '--start-lba', '--json', '--to-device',
      '--list', '--inspect', '--preflight']) expect(r.stdout).toContain(opt);
    expect(r.stdout).toContain('e.g. --label');
    expect(r.stdout).toContain('glassmaster image -o photos.iso');
  });

  it('no sources is a usage error (exit 2) and writes nothing', async () => {
    const out = join(tmp, 'empty.iso');
    const r = await glassmaster('image', '-o', out);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('no sources');
    expect(existsSync(out)).toBe(false);
  });

  it('--isohybrid with only a BIOS entry and no MBR template is refused', async () => {
    const r = await glassmaster('image', '-o', join(tmp, 'h.iso'), '--boot', 'bios:/boot.img,emul=none', '--isohybrid', join(tmp, 'src'));
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('--isohybrid-mbr');
  });

  it('--preflight honours --max-sectors with the planned size, and says which readers miss a link', async () => {
    const src = join(tmp, 'pre');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'big.bin'), Buffer.alloc(300 * 2048, 1));
    symlinkSync('big.bin', join(src, 'link'));
    const over = await glassmaster('image', '--preflight', '--max-sectors', '200', src);
    expect(over.code).toBe(ExitCode.USAGE);
    expect(over.stdout).toMatch(/over-capacity\] the image needs (\d+) sectors/);
    // The number preflight gives is the image's real size: building with exactly that limit works.
    const needed = Number(/needs (\d+) sectors/.exec(over.stdout)![1]);
    expect(needed).toBeGreaterThan(300);
    const fits = await glassmaster('image', '--preflight', '--max-sectors', String(needed), '--json', src);
    expect(fits.code).toBe(ExitCode.OK);
    const report = JSON.parse(fits.stdout) as { findings: { code: string; path?: string }[] };
    expect(report.findings.map((f) => f.code)).not.toContain('over-capacity');
    expect(report.findings.find((f) => f.code === 'symlink-not-shown')?.path).toBe('/link');
    const built = await glassmaster('image', '-o', join(tmp, 'pre.iso'), '--max-sectors', String(needed), '-q', src);
    expect(built.code).toBe(ExitCode.OK);
    expect(statSync(join(tmp, 'pre.iso')).size).toBe(needed * 2048);
    // With --udf-symlinks the link is recorded in UDF too, so that finding goes.
    const udf = JSON.parse((await glassmaster('image', '--preflight', '--udf-symlinks', '--json', src)).stdout) as { findings: { code: string }[] };
    expect(udf.findings.map((f) => f.code)).not.toContain('symlink-not-shown');
  });

  it('--preflight of a tree the writer refuses (nine levels, no Rock Ridge) reports why, as the build fails', async () => {
    const src = join(tmp, 'deep');
    mkdirSync(join(src, 'a/b/c/d/e/f/g/h'), { recursive: true });
    writeFileSync(join(src, 'a/b/c/d/e/f/g/h/f.txt'), 'x');
    const pre = await glassmaster('image', '--preflight', '--fs', 'iso9660,joliet,udf', '--json', src);
    expect(pre.code).toBe(ExitCode.USAGE);
    const report = JSON.parse(pre.stdout) as { findings: { code: string; severity: string; path?: string }[] };
    expect(report.findings).toContainEqual(expect.objectContaining({ code: 'deep-directory', severity: 'error', path: '/a/b/c/d/e/f/g/h' }));
    const built = await glassmaster('image', '-o', join(tmp, 'deep.iso'), '--fs', 'iso9660,joliet,udf', src);
    expect(built.code).toBe(ExitCode.USAGE);
    expect(built.stderr).toContain('deeper than 8 levels');
  });

  it('--preflight fails where the build would: a boot image not in the tree, an MBR template that cannot be read', async () => {
    const src = join(tmp, 'boot-src');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'a');
    for (const args of [
      ['--boot', 'bios:/missing.bin'],
      ['--boot', 'bios:/a.txt', '--isohybrid', '--isohybrid-mbr', join(tmp, 'no-such-template.bin')],
    ]) {
      const built = await glassmaster('image', '-o', join(tmp, 'refused.iso'), ...args, src);
      expect(built.code).not.toBe(ExitCode.OK);
      const pre = await glassmaster('image', '--preflight', '--json', ...args, src);
      expect(pre.code).toBe(ExitCode.USAGE);
      const report = JSON.parse(pre.stdout) as { ok: boolean; findings: { code: string; severity: string; message: string }[] };
      expect(report.ok).toBe(false);
      expect(report.findings[0]).toMatchObject({ code: 'cannot-build', severity: 'error' });
    }
    // A refusal a rule reports already (the deep folder) is not reported twice.
    const deep = join(tmp, 'deep2');
    mkdirSync(join(deep, 'a/b/c/d/e/f/g/h'), { recursive: true });
    writeFileSync(join(deep, 'a/b/c/d/e/f/g/h/f.txt'), 'x');
    const once = JSON.parse((await glassmaster('image', '--preflight', '--fs', 'iso9660,joliet', '--json', deep)).stdout) as { findings: { code: string }[] };
    expect(once.findings.map((f) => f.code)).toContain('deep-directory');
    expect(once.findings.map((f) => f.code)).not.toContain('cannot-build');
  });

  it('an unknown option or a bad value is a usage error', async () => {
    expect((await glassmaster('image', '-o', join(tmp, 'x.iso'), '--frobnicate', join(tmp, 'src'))).code).toBe(ExitCode.USAGE);
    expect((await glassmaster('image', '-o', join(tmp, 'x.iso'), '--iso-level', '4', join(tmp, 'src'))).code).toBe(ExitCode.USAGE);
  });

  it('says when a label is shortened, and --json reports progress and the result as JSON lines', async () => {
    const out = join(tmp, 'label.iso');
    const label = 'A label far longer than any volume identifier field holds';
    const r = await glassmaster('image', '-o', out, '--label', label, '--json', join(tmp, 'src'));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { type: string; message?: string; phase?: string; bytes?: number });
    const notes = lines.filter((l) => l.type === 'note').map((l) => l.message);
    expect(notes).toContainEqual(expect.stringContaining(`ISO 9660 records "${label.toUpperCase().replace(/ /g, '_').slice(0, 32)}"`));
    expect(notes).toContainEqual(expect.stringContaining(`Joliet records "${label.slice(0, 16)}"`));
    expect(lines).toContainEqual(expect.objectContaining({ type: 'progress', phase: 'planned' }));
    const done = lines.find((l) => l.type === 'done');
    expect(done?.bytes).toBe(statSync(out).size);
  });
});
