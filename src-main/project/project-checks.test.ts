// The data project's options, preflight and boot checks over the IPC handlers both shells use:
// options saved in the project file, preflight run in the worker against a capacity, a bootable
// image written from the project and inspected, with xorriso's El Torito report as the peer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../app/services';
import { requestSchemas } from '../common/ipc/contract';

const ISOLINUX = '/usr/lib/ISOLINUX/isolinux.bin';
const sig = () => new AbortController().signal;
let dir: string;
let services: Services;
let h: Services['handlers'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gm-checks-'));
  mkdirSync(join(dir, 'tree', 'isolinux'), { recursive: true });
  writeFileSync(join(dir, 'tree', 'readme.txt'), 'hello');
  writeFileSync(join(dir, 'tree', 'a name that is quite long for iso 9660.txt'), 'x');
  symlinkSync('readme.txt', join(dir, 'tree', 'link'));
  if (existsSync(ISOLINUX)) copyFileSync(ISOLINUX, join(dir, 'tree', 'isolinux', 'isolinux.bin'));
  services = await createServices({ shell: 'browser', stateDir: join(dir, 'state'), watch: false });
  h = services.handlers;
});
afterAll(async () => {
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('project checks', () => {
  it('keeps the options set through IPC, validates them, and saves them in the project file', async () => {
    await h['project.addPaths']({ paths: [join(dir, 'tree')], into: '/' }, sig());
    const options = { label: 'CHECKS', isoLevel: 3 as const, udfRevision: '2.50' as const, udfMetadataMirror: true, date: '2024-01-01T00:00:00Z', udfSymlinks: true };
    await h['project.setImageOptions']({ options }, sig());
    expect((await h['project.getImageOptions']({}, sig())).options).toEqual(options);
    // The mirror needs UDF 2.50: refused at the boundary.
    expect(requestSchemas['project.setImageOptions'].safeParse({ options: { udfMetadataMirror: true, udfRevision: '2.01' } }).success).toBe(false);
    await h['project.save']({ path: join(dir, 'p.glassmaster') }, sig());
    expect(JSON.parse(readFileSync(join(dir, 'p.glassmaster'), 'utf8')).options).toEqual(options);
  });

  it('runs preflight in the worker: grouped findings with paths, what each reader sees, and the capacity', async () => {
    await h['project.setImageOptions']({ options: { isoLevel: 1, udfSymlinks: true } }, sig());
    const r = await h['project.preflight']({}, sig());
    const codes = r.findings.map((f) => f.code);
    expect(codes).toContain('iso-name-changed');
    expect(codes).toContain('udf-symlink-7zip');
    expect(r.findings.find((f) => f.code === 'udf-symlink-7zip')!.path).toBe('/tree/link');
    expect(r.seenBy.windows).toBe('udf');
    const tiny = await h['project.preflight']({ maxSectors: 100 }, sig());
    expect(tiny.ok).toBe(false);
    expect(tiny.findings.map((f) => f.code)).toContain('over-capacity');
    expect(requestSchemas['project.preflight'].safeParse({ maxSectors: -1 }).success).toBe(false);
  });

  it('writes a bootable image from the project and reports its El Torito entry as xorriso does', async (ctx) => {
    if (!existsSync(ISOLINUX) || !existsSync('/usr/bin/xorriso')) {
      if (process.env.CI === 'true') throw new Error('isolinux (Debian isolinux) and xorriso are required in CI');
      ctx.skip();
    }
    await h['project.setImageOptions']({ options: { boot: [{ platform: 'bios', isoPath: '/tree/isolinux/isolinux.bin', emulation: 'none', loadSize: 4, infoTable: true }] } }, sig());
    const out = join(dir, 'boot.iso');
    await h['project.writeImageTo']({ path: out }, sig());
    const report = await h['project.inspectBoot']({ path: out }, sig());
    expect(report.bios).toBe(true);
    expect(report.eltorito!.entries[0]).toMatchObject({ bootable: true, emulation: 'none', loadSize: 4, platform: expect.stringMatching(/x86|80x86/i) });
    expect(report.eltorito!.entries[0]!.image.isoPath?.toLowerCase()).toContain('isolinux.bin');
    const xorriso = execFileSync('xorriso', ['-indev', out, '-report_el_torito', 'plain'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    // "El Torito boot img :   1  BIOS  y   none  0x0000  0x00      4   LBA"
    const line = xorriso.split('\n').find((l) => /El Torito boot img\s*:\s*1\s/.test(l))!;
    expect(line).toMatch(/BIOS\s+y\s+none\s+0x0000\s+0x00\s+4\s+(\d+)/);
    expect(Number(/\s4\s+(\d+)\s*$/.exec(line)![1])).toBe(report.eltorito!.entries[0]!.loadRba);
    await expect(h['project.inspectBoot']({ path: join(dir, 'missing.iso') }, sig())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
