// The CLI as a user runs it: a separate process, its stdout, and its exit code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../common/exit-codes';
import { runGlassmaster } from './test-support';
import { requireTools } from '../testing/peer-tools';

const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
let stateDir: string;

const glassmaster = (...args: string[]) => runGlassmaster(args, { stateDir });

beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'gm-cli-'));
});
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('glassmaster CLI', () => {
  it('--version prints the package version', async () => {
    const r = await glassmaster('--version');
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('drives --json prints valid JSON with the embedded virtual recorder', async () => {
    const r = await glassmaster('drives', '--json');
    expect(r.code).toBe(0);
    const drives = JSON.parse(r.stdout) as Array<{ address: string; kind: string; capabilities: { canWriteDvdPlusR: boolean } }>;
    expect(drives).toContainEqual(expect.objectContaining({ address: 'virtual:default', kind: 'virtual' }));
    expect(drives.find((d) => d.address === 'virtual:default')!.capabilities.canWriteDvdPlusR).toBe(true);
  });

  it('media --json reports profile and status; virtual insert/eject change them', async () => {
    expect(await glassmaster('virtual', 'create', 'cli-bd', '--media', 'bd-r')).toMatchObject({ code: 0, stdout: 'virtual:cli-bd\n' });
    const media = JSON.parse((await glassmaster('media', '--drive', 'virtual:cli-bd', '--json')).stdout);
    expect(media).toMatchObject({ profile: 'BD-R SRM', status: 'blank' });
    expect(media.freeBlocks).toBeGreaterThan(12_000_000);
    expect((await glassmaster('virtual', 'eject', 'cli-bd')).code).toBe(0);
    expect(JSON.parse((await glassmaster('media', '--drive', 'virtual:cli-bd', '--json')).stdout)).toMatchObject({ status: 'no-disc' });
    // Without --media the tray closes on the disc it held: nothing burned is lost by an eject.
    expect((await glassmaster('virtual', 'insert', 'cli-bd')).code).toBe(0);
    expect(JSON.parse((await glassmaster('media', '--drive', 'virtual:cli-bd', '--json')).stdout)).toMatchObject({ profile: 'BD-R SRM', status: 'blank' });
    expect((await glassmaster('virtual', 'insert', 'cli-bd', '--media', 'cd-r')).code).toBe(0);
    expect(JSON.parse((await glassmaster('media', '--drive', 'virtual:cli-bd', '--json')).stdout)).toMatchObject({ profile: 'CD-R', status: 'blank' });
  });

  it('a virtual recorder writes at the selected speed unless created --unlimited (the setting is saved)', async () => {
    expect((await glassmaster('virtual', 'create', 'cli-paced', '--media', 'dvd+r')).code).toBe(0);
    expect((await glassmaster('virtual', 'pacing', 'cli-paced')).stdout).toBe('virtual:cli-paced: paced\n');
    expect((await glassmaster('virtual', 'create', 'cli-fast', '--media', 'dvd+r', '--unlimited')).code).toBe(0);
    expect((await glassmaster('virtual', 'pacing', 'cli-fast')).stdout).toBe('virtual:cli-fast: unlimited\n');
    expect((await glassmaster('virtual', 'pacing', 'cli-fast', 'sometimes')).code).toBe(ExitCode.USAGE);
    // 12 MiB at 4x DVD (5,540 kB/s) through a 4 MiB drive buffer: at least 8 MiB / 5.54 MB/s = 1.5 s
    // of writing on the paced recorder; the same burn on the unlimited one does not wait for it.
    const iso = join(stateDir, 'paced.iso');
    writeFileSync(iso, Buffer.alloc(12 * 1024 * 1024, 7));
    const writingSeconds = async (drive: string) => {
      const r = await glassmaster('burn', '--drive', drive, '--image', iso, '--speed', '4', '--verify', 'none', '--json');
      expect(r.code).toBe(ExitCode.OK);
      const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; action?: string; elapsedMs?: number });
      const writing = events.filter((e) => e.action === 'writing' && e.elapsedMs !== undefined).map((e) => e.elapsedMs!);
      return (Math.max(...writing) - Math.min(...writing)) / 1000;
    };
    expect(await writingSeconds('virtual:cli-paced')).toBeGreaterThanOrEqual(1.4);
    expect((await glassmaster('virtual', 'pacing', 'cli-paced', 'unlimited')).stdout).toBe('virtual:cli-paced: unlimited\n');
  });

  it('exit codes tell usage errors from device errors', async () => {
    const bad = await glassmaster('media', '--drive', '/etc/passwd');
    expect(bad.code).toBe(ExitCode.USAGE);
    expect(bad.stderr).toMatch(/not a drive address/);
    expect((await glassmaster('frobnicate')).code).toBe(ExitCode.USAGE);
    expect((await glassmaster('virtual', 'create', 'x', '--media', 'floppy')).code).toBe(ExitCode.USAGE);
    const missing = await glassmaster('media', '--drive', '/dev/sr97');
    expect(missing.code).toBe(ExitCode.DEVICE);
    expect(missing.stderr).toMatch(/sr97/);
    expect((await glassmaster('media', '--drive', 'virtual:nope')).code).not.toBe(ExitCode.OK);
  });

  it.skipIf(!requireTools('udfinfo'))('image --import without --fs appends a session that keeps UDF (udfinfo reads the merged tree)', async () => {
    const src1 = join(stateDir, 's1');
    const src2 = join(stateDir, 's2');
    mkdirSync(src1);
    mkdirSync(src2);
    writeFileSync(join(src1, 'one.txt'), 'one');
    writeFileSync(join(src2, 'two.txt'), 'two');
    const first = join(stateDir, 'first.iso');
    expect((await glassmaster('image', '-o', first, src1)).code).toBe(0);
    const listing = JSON.parse((await glassmaster('image', '--list', first, '--json')).stdout) as { facets: string[]; session: { nextWritableAddress: number } };
    expect(listing.facets).toContain('udf');
    const nwa = listing.session.nextWritableAddress;
    const second = join(stateDir, 'second.iso');
    expect((await glassmaster('image', '-o', second, '--import', first, '--start-lba', String(nwa), src2)).code).toBe(0);
    // The disc as a drive would hold it: session 1, the gap up to the next writable address, session 2.
    const disc = join(stateDir, 'disc.iso');
    const one = readFileSync(first);
    writeFileSync(disc, Buffer.concat([one, Buffer.alloc(nwa * 2048 - one.length), readFileSync(second)]));
    const info = execFileSync('udfinfo', [`--startblock=${nwa}`, disc], { encoding: 'utf8' });
    expect(info).toMatch(/^numfiles=2$/m);
  });
});
