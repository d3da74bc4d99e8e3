// Issue 13 for the app's outputs (the same IPC handlers the renderer and the browser shell call):
// the image write (ImageEngine.writeFile, through image/output-file.ts) and the project save.
// Before, "replace" onto one of the project's own files overwrote it, the save dialog's path being
// a symbolic link replaced the link, and a planted NAME.partial symlink redirected a project save.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../app/services';

describe('the app’s outputs', () => {
  let dir: string;
  let services: Services;
  const next: { sources: string[]; destination?: string } = { sources: [] };
  const sig = () => new AbortController().signal;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-app-outputs-'));
    writeFileSync(join(dir, 'notes.txt'), 'notes');
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(100_000, 3));
    services = await createServices({
      shell: 'electron', stateDir: join(dir, 'state'), watch: false,
      dialogs: { chooseSources: async () => next.sources, chooseImageDestination: async () => next.destination },
    });
    next.sources = [join(dir, 'notes.txt'), join(dir, 'big.bin')];
    await services.handlers['project.addFromDialog']({ directories: false }, sig());
  });
  afterAll(async () => {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writing the image onto one of the project’s files is refused even with overwrite, and the file is kept', async () => {
    await expect(services.handlers['project.writeImageTo']({ path: join(dir, 'big.bin'), overwrite: true }, sig())).rejects.toMatchObject({ code: 'UNSAFE_OUTPUT' });
    expect(readFileSync(join(dir, 'big.bin')).equals(Buffer.alloc(100_000, 3))).toBe(true);
    // The save dialog's path: the same rule.
    next.destination = join(dir, 'notes.txt');
    await expect(services.handlers['project.writeImage']({}, sig())).rejects.toMatchObject({ code: 'UNSAFE_OUTPUT' });
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('notes');
    expect(readdirSync(dir).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('a symbolic link chosen in the save dialog is written through', async () => {
    writeFileSync(join(dir, 'target.iso'), 'old');
    symlinkSync('target.iso', join(dir, 'link.iso'));
    next.destination = join(dir, 'link.iso');
    const r = await services.handlers['project.writeImage']({}, sig());
    expect(r?.bytes).toBeGreaterThan(100_000);
    expect(lstatSync(join(dir, 'link.iso')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'target.iso')).size).toBe(r!.bytes);
  });

  it('a planted NAME.partial symlink does not redirect a project save', async () => {
    writeFileSync(join(dir, 'victim.txt'), 'precious');
    const file = join(dir, 'p.glassmaster');
    symlinkSync(join(dir, 'victim.txt'), `${file}.partial`);
    await services.handlers['project.save']({ path: file }, sig());
    expect(readFileSync(join(dir, 'victim.txt'), 'utf8')).toBe('precious');
    expect(lstatSync(file).isFile()).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ entries: expect.any(Array) });
    expect(readlinkSync(`${file}.partial`)).toBe(join(dir, 'victim.txt'));
  });
});
