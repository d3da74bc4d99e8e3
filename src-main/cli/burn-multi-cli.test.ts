// glassmaster burn --drive A --drive B --image F as a process: a line per drive, each drive's
// failure its own, the exit code the worst.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../common/exit-codes';
import { runGlassmaster } from './test-support';

let stateDir: string;

const glassmaster = (...args: string[]) => runGlassmaster(args, { stateDir });

beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'gm-burn-multi-'));
});
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('glassmaster burn to several drives', () => {
  it('burns to every drive that can; a drive without a disc fails alone; exit code 3; --json events carry the address', async () => {
    const iso = join(stateDir, 'x.iso');
    writeFileSync(iso, randomBytes(2048 * 2000));
    for (const [n, m] of [['m1', 'dvd+r'], ['m2', 'bd-r'], ['m3', 'dvd+r']]) expect((await glassmaster('virtual', 'create', n, '--media', m)).code).toBe(0);
    expect((await glassmaster('virtual', 'eject', 'm3')).code).toBe(0);
    const r = await glassmaster('burn', '--drive', 'virtual:m1', '--drive', 'virtual:m2', '--drive', 'virtual:m3', '--image', iso);
    expect(r.code).toBe(ExitCode.DEVICE);
    expect(r.stdout).toMatch(/^virtual:m1: burned .* with DVD\+R, verified \(full\)/m);
    expect(r.stdout).toMatch(/^virtual:m2: burned .* with BD-R SRM, verified \(full\)/m);
    expect(r.stdout).toMatch(/^virtual:m3: FAILED \(exit code 3\): .*tray is open/m);
    expect(r.stdout).toContain('2 of 3 discs burned and verified.');
    expect(r.stderr).toMatch(/^virtual:m1: Writing/m);
    expect(r.stderr).toMatch(/^virtual:m2: Writing/m);
    // Both blank discs are now closed: a second run fails on each of them, each for itself.
    const again = await glassmaster('burn', '--drive', 'virtual:m1', '--drive', 'virtual:m2', '--image', iso, '--json');
    expect(again.code).toBe(ExitCode.DEVICE);
    const lines = again.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; address?: string; ok?: boolean; exitCode?: number });
    expect(lines.filter((l) => l.type === 'drive-result').map((l) => [l.address, l.ok]).sort()).toEqual([['virtual:m1', false], ['virtual:m2', false]]);
    expect(lines[lines.length - 1]).toMatchObject({ type: 'result', ok: false, exitCode: 3 });
  }, 60_000);
});
