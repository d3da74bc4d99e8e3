// The project as the app drives it: sources come from the shell's dialogs (here a stand-in that
// answers what a user would pick), the image is written by the engine in a worker thread, and
// independent readers (isoinfo, 7-Zip) check the result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../app/services';
import { requireTools } from '../testing/peer-tools';
import { CancelledError, NotSupportedError } from '../common/errors';
import type { ImageProgress, ProjectSnapshot } from '../common/model/project';

const ok = requireTools('isoinfo', '7z');

describe.skipIf(!ok)('project service', () => {
  let dir: string;
  let services: Services;
  let next: { sources: string[]; destination?: string };
  const snapshots: ProjectSnapshot[] = [];
  const progress: ImageProgress[] = [];
  const busy: boolean[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-project-'));
    mkdirSync(join(dir, 'photos', '2026'), { recursive: true });
    writeFileSync(join(dir, 'photos', '2026', 'Ωmega – café.jpg'), Buffer.alloc(300_000, 7));
    writeFileSync(join(dir, 'photos', 'index.txt'), 'index');
    mkdirSync(join(dir, 'other'));
    writeFileSync(join(dir, 'other', 'index.txt'), 'another index');
    writeFileSync(join(dir, 'notes.txt'), 'notes');
    next = { sources: [] };
    services = await createServices({
      shell: 'electron',
      stateDir: join(dir, 'state'),
      watch: false,
      dialogs: {
        chooseSources: async () => next.sources,
        chooseImageDestination: async () => next.destination,
      },
    });
    services.hub.subscribe((event, payload) => {
      if (event === 'project.onDidChange') snapshots.push(payload as ProjectSnapshot);
      if (event === 'project.onProgress') progress.push(payload as ImageProgress);
    });
    services.onBusyChange((b) => busy.push(b));
  });
  afterAll(async () => {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds what the dialog returns, summarised by name and size, with unique top-level names', async () => {
    next.sources = [join(dir, 'photos'), join(dir, 'notes.txt')];
    await services.handlers['project.addFromDialog']({ directories: true }, new AbortController().signal);
    next.sources = [join(dir, 'photos', 'index.txt'), join(dir, 'other', 'index.txt')];
    const s = await services.handlers['project.addFromDialog']({ directories: false }, new AbortController().signal);
    const top = await services.handlers['project.list']({ path: '/', offset: 0, limit: 100 }, new AbortController().signal);
    expect(top.entries.map((e) => e.name)).toEqual(['photos', 'index (2).txt', 'index.txt', 'notes.txt']);
    expect(top.entries[0]).toMatchObject({ kind: 'dir', path: '/photos', bytes: 300_005, descendants: 3 });
    expect(s.totalBytes).toBe(300_005 + 5 + 5 + 13);
    expect(s).toMatchObject({ files: 5, folders: 2 });
    expect(snapshots.at(-1)).toEqual(s);
    // A cancelled dialog changes nothing.
    next.sources = [];
    expect((await services.handlers['project.addFromDialog']({ directories: false }, new AbortController().signal)).revision).toBe(s.revision);
  });

  it('removes by top-level name and refuses names it does not hold', async () => {
    await services.handlers['project.remove']({ name: 'notes.txt' }, new AbortController().signal);
    const top = await services.handlers['project.list']({ path: '/', offset: 0, limit: 100 }, new AbortController().signal);
    expect(top.entries.map((e) => e.name)).toEqual(['photos', 'index (2).txt', 'index.txt']);
    await expect(services.handlers['project.remove']({ name: 'nope' }, new AbortController().signal)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('writes the image in the worker to where the save dialog points, with progress; readers see every file', async () => {
    await services.handlers['project.setLabel']({ label: 'HOLIDAY' }, new AbortController().signal);
    next.destination = join(dir, 'out.iso');
    progress.length = 0;
    busy.length = 0;
    const r = await services.handlers['project.writeImage']({}, new AbortController().signal);
    expect(r?.bytes).toBeGreaterThan(300_000);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(progress[0].phase).toBe('planning');
    expect(progress.at(-1)).toMatchObject({ phase: 'done', bytesWritten: r!.bytes });
    expect(busy[0]).toBe(true);
    expect(busy.at(-1)).toBe(false);
    const rr = execFileSync('isoinfo', ['-R', '-f', '-i', join(dir, 'out.iso')], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    expect(rr).toEqual(['/index (2).txt', '/index.txt', '/photos', '/photos/2026', '/photos/2026/Ωmega – café.jpg', '/photos/index.txt']);
    expect(execFileSync('isoinfo', ['-d', '-i', join(dir, 'out.iso')], { encoding: 'utf8' })).toMatch(/Volume id: HOLIDAY/);
    const out = join(dir, 'x');
    execFileSync('7z', ['x', '-y', `-o${out}`, join(dir, 'out.iso')], { stdio: 'ignore' });
    expect(readFileSync(join(out, 'photos', '2026', 'Ωmega – café.jpg')).equals(Buffer.alloc(300_000, 7))).toBe(true);
    expect(readFileSync(join(out, 'index (2).txt'), 'utf8')).toBe('another index');
  });

  it('a cancelled save dialog writes nothing; a cancelled write leaves no file and the project usable', async () => {
    next.destination = undefined;
    expect(await services.handlers['project.writeImage']({}, new AbortController().signal)).toBeNull();
    next.destination = join(dir, 'cancelled.iso');
    const ac = new AbortController();
    ac.abort();
    await expect(services.handlers['project.writeImage']({}, ac.signal)).rejects.toBeInstanceOf(CancelledError);
    expect(existsSync(join(dir, 'cancelled.iso'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(await services.handlers['project.clear']({}, new AbortController().signal)).toMatchObject({ files: 0, folders: 0, totalBytes: 0 });
  });

  it('without native dialogs (browser shell) adding files is a clear NotSupported error', async () => {
    const browser = await createServices({ shell: 'browser', stateDir: join(dir, 'state2'), watch: false });
    try {
      await expect(browser.handlers['project.addFromDialog']({ directories: false }, new AbortController().signal)).rejects.toBeInstanceOf(NotSupportedError);
    } finally {
      await browser.close();
    }
  });
});
