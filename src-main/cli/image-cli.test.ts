// `glassmaster image` as a user runs it (a separate process): usage mistakes exit 2 with a reason,
// --help lists every option with an example, shortened labels are said, --json gives JSON lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../common/exit-codes';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
let tmp: string;

function glassmaster(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', main, ...args], { env: { ...process.env, GLASSMASTER_STATE_DIR: tmp } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

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
      '--isohybrid', '--isohybrid-mbr', '--isohybrid-gpt', '--date', '--max-sectors', '--follow-symlinks', '--import', '--start-lba', '--json',
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
