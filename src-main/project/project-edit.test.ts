// The project as a folder tree over IPC handlers (the same ones both shells dispatch to): the file
// pane's listings, staging host paths with typed refusals, tree edits with visible renames and
// undo, paged listings, the capacity plan, project files, and browser drops through the stash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../app/services';
import { requestSchemas } from '../common/ipc/contract';
import type { ProjectSnapshot } from '../common/model/project';

const sig = () => new AbortController().signal;
let dir: string;
let services: Services;
let h: Services['handlers'];
const snapshots: ProjectSnapshot[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gm-edit-'));
  mkdirSync(join(dir, 'src', 'photos', '2026'), { recursive: true });
  writeFileSync(join(dir, 'src', 'photos', '2026', 'a.jpg'), Buffer.alloc(5000, 1));
  writeFileSync(join(dir, 'src', 'photos', 'b.jpg'), Buffer.alloc(3000, 2));
  writeFileSync(join(dir, 'src', 'notes.txt'), 'notes');
  writeFileSync(join(dir, 'src', '.hidden'), 'h');
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'notes.txt'), 'other notes');
  services = await createServices({ shell: 'browser', stateDir: join(dir, 'state'), watch: false });
  h = services.handlers;
  services.hub.subscribe((event, payload) => {
    if (event === 'project.onDidChange') snapshots.push(payload as ProjectSnapshot);
  });
});
afterAll(async () => {
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

const names = async (path = '/') => (await h['project.list']({ path, offset: 0, limit: 100 }, sig())).entries.map((e) => e.name);

describe('host file pane', () => {
  it('lists a folder with sizes, hides dot files unless asked, sorts by size', async () => {
    const l = await h['files.list']({ path: join(dir, 'src') }, sig());
    expect(l.entries.map((e) => e.name)).toEqual(['photos', 'notes.txt']);
    expect(l.entries[1]).toMatchObject({ kind: 'file', size: 5, path: join(dir, 'src', 'notes.txt') });
    expect(l.parent).toBe(dir);
    const hidden = await h['files.list']({ path: join(dir, 'src'), showHidden: true, sort: 'size', descending: true }, sig());
    expect(hidden.entries.map((e) => e.name)).toEqual(['photos', 'notes.txt', '.hidden']);
  });

  it('refuses what it cannot list with typed errors, and the contract refuses relative paths and NUL', async () => {
    await expect(h['files.list']({ path: join(dir, 'nope') }, sig())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h['files.list']({ path: join(dir, 'src', 'notes.txt') }, sig())).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(requestSchemas['files.list'].safeParse({ path: 'relative/x' }).success).toBe(false);
    expect(requestSchemas['files.list'].safeParse({ path: '/a\0b' }).success).toBe(false);
    expect(requestSchemas['files.list'].safeParse({ path: '/' + 'x'.repeat(5000) }).success).toBe(false);
    expect(requestSchemas['project.list'].safeParse({ path: '/a/../b', offset: 0, limit: 10 }).success).toBe(false);
    const places = await h['files.places']({}, sig());
    expect(places.map((p) => p.kind)).toContain('home');
  });
});

describe('data project tree', () => {
  it('stages host paths into a folder, renames duplicates visibly, and refuses a missing path without adding anything', async () => {
    const r = await h['project.addPaths']({ paths: [join(dir, 'src', 'photos'), join(dir, 'src', 'notes.txt'), join(dir, 'other', 'notes.txt')], into: '/' }, sig());
    expect(r.renamed).toEqual([{ wanted: 'notes.txt', given: 'notes (2).txt', path: '/notes (2).txt' }]);
    expect(await names()).toEqual(['photos', 'notes (2).txt', 'notes.txt']);
    expect(r.snapshot).toMatchObject({ files: 4, folders: 2, totalBytes: 5000 + 3000 + 5 + 11, canUndo: true });
    await expect(h['project.addPaths']({ paths: [join(dir, 'src', 'notes.txt'), join(dir, 'missing')], into: '/' }, sig())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h['project.addPaths']({ paths: [join(dir, 'src', 'notes.txt')], into: '/notes.txt' }, sig())).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await names()).toHaveLength(3);
  });

  it('refuses an unreadable source with an IO error', async () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const locked = join(dir, 'locked.txt');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0);
    await expect(h['project.addPaths']({ paths: [locked], into: '/' }, sig())).rejects.toMatchObject({ code: 'IO' });
  });

  it('new folder, rename, move, delete and undo each step', async () => {
    await h['project.newFolder']({ parent: '/', name: 'docs' }, sig());
    const again = await h['project.newFolder']({ parent: '/', name: 'docs' }, sig());
    expect(again.renamed[0]).toMatchObject({ given: 'docs (2)' });
    await h['project.move']({ paths: ['/notes.txt', '/notes (2).txt'], into: '/docs' }, sig());
    expect(await names('/docs')).toEqual(['notes (2).txt', 'notes.txt']);
    const ren = await h['project.rename']({ path: '/docs/notes (2).txt', name: 'notes.txt' }, sig());
    expect(ren.renamed[0]).toMatchObject({ wanted: 'notes.txt', given: 'notes (2).txt' });
    await h['project.rename']({ path: '/docs/notes (2).txt', name: 'other.txt' }, sig());
    expect(await names('/docs')).toEqual(['notes.txt', 'other.txt']);
    await expect(h['project.move']({ paths: ['/docs'], into: '/docs' }, sig())).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const del = await h['project.delete']({ paths: ['/docs', '/photos/b.jpg'] }, sig());
    expect(del).toMatchObject({ files: 1, undoLabel: 'Delete 2 items' });
    await h['project.undo']({}, sig());
    expect(await names('/docs')).toEqual(['notes.txt', 'other.txt']);
    expect(await names('/photos')).toEqual(['2026', 'b.jpg']);
    await h['project.undo']({}, sig()); // rename back
    await h['project.undo']({}, sig()); // move back
    expect(await names()).toEqual(['docs', 'docs (2)', 'photos', 'notes (2).txt', 'notes.txt']);
  });

  it('pages a folder and plans the image for the capacity meter', async () => {
    const page = await h['project.list']({ path: '/', offset: 1, limit: 2 }, sig());
    expect(page).toMatchObject({ total: 5, offset: 1 });
    expect(page.entries.map((e) => e.path)).toEqual(['/docs (2)', '/photos']);
    const before = snapshots.length;
    for (let i = 0; i < 100 && !(snapshots.at(-1)?.imageBytes ?? 0); i++) await new Promise((r) => setTimeout(r, 50));
    const planned = snapshots.at(-1)!.imageBytes!;
    expect(snapshots.length).toBeGreaterThan(before);
    // File data (5 files of at most 5000 bytes: 7 sectors) plus ISO/Joliet/UDF structures.
    expect(planned % 2048).toBe(0);
    expect(planned).toBeGreaterThan(8 * 2048 + 16 * 2048);
  });
});

describe('project files', () => {
  it('saves and reopens a project; a changed and a vanished source are reported', async () => {
    const file = join(dir, 'trip');
    const saved = await h['project.save']({ path: file }, sig());
    expect(saved).toMatchObject({ file: `${file}.glassmaster`, dirty: false });
    const doc = JSON.parse(readFileSync(`${file}.glassmaster`, 'utf8'));
    expect(doc).toMatchObject({ format: 'glassmaster-project', schemaVersion: 1, label: 'GLASSMASTER' });
    expect((await h['project.recent']({}, sig()))[0].path).toBe(`${file}.glassmaster`);
    writeFileSync(join(dir, 'src', 'photos', 'b.jpg'), Buffer.alloc(10, 2));
    utimesSync(join(dir, 'src', 'photos', 'b.jpg'), new Date(2020, 1, 1), new Date(2020, 1, 1));
    rmSync(join(dir, 'other', 'notes.txt'));
    await h['project.clear']({}, sig());
    const opened = await h['project.open']({ path: `${file}.glassmaster` }, sig());
    expect(opened.changed).toEqual(['/photos/b.jpg']);
    expect(opened.missing).toEqual(['/notes (2).txt']);
    expect(await names()).toEqual(['docs', 'docs (2)', 'photos', 'notes.txt']);
    expect(opened.snapshot).toMatchObject({ totalBytes: 5000 + 10 + 5, canUndo: false });
  });

  it('refuses a file that is not a project, and one from a newer schema', async () => {
    writeFileSync(join(dir, 'bad.glassmaster'), '{"format":"glassmaster-project","schemaVersion":1}');
    await expect(h['project.open']({ path: join(dir, 'bad.glassmaster') }, sig())).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    writeFileSync(join(dir, 'new.glassmaster'), '{"format":"glassmaster-project","schemaVersion":9}');
    await expect(h['project.open']({ path: join(dir, 'new.glassmaster') }, sig())).rejects.toThrow(/newer Glassmaster/);
  });
});

describe('browser drops through the stash', () => {
  it('streams a file in chunks, stages it, and refuses out-of-order or oversized chunks', async () => {
    const bytes = Buffer.alloc(200_000, 9);
    const { uploadId } = await h['stash.begin']({ name: 'dropped.bin', size: bytes.length }, sig());
    await h['stash.chunk']({ uploadId, offset: 0, data: bytes.subarray(0, 98_304).toString('base64') }, sig());
    await expect(h['stash.chunk']({ uploadId, offset: 5, data: 'AAAA' }, sig())).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await h['stash.chunk']({ uploadId, offset: 98_304, data: bytes.subarray(98_304, 196_608).toString('base64') }, sig());
    await expect(h['stash.finish']({ uploadIds: [uploadId], into: '/' }, sig())).rejects.toThrow(/incomplete/);
    await h['stash.chunk']({ uploadId, offset: 196_608, data: bytes.subarray(196_608).toString('base64') }, sig());
    await expect(h['stash.chunk']({ uploadId, offset: 200_000, data: 'AAAA' }, sig())).rejects.toThrow(/more bytes/);
    const r = await h['stash.finish']({ uploadIds: [uploadId], into: '/docs' }, sig());
    expect(r.added).toEqual(['/docs/dropped.bin']);
    expect((await h['project.list']({ path: '/docs', offset: 0, limit: 10 }, sig())).entries.find((e) => e.name === 'dropped.bin')?.bytes).toBe(200_000);
    expect(requestSchemas['stash.begin'].safeParse({ name: '../x', size: 1 }).success).toBe(false);
    expect(requestSchemas['stash.chunk'].safeParse({ uploadId: 1, offset: 0, data: 'A'.repeat(200_000) }).success).toBe(false);
  });

  it('refuses a drop over the stash limit and frees a cancelled upload', async () => {
    await expect(h['stash.begin']({ name: 'huge.iso', size: 64 * 1024 ** 3 }, sig())).rejects.toThrow(/limited to/);
    const { uploadId } = await h['stash.begin']({ name: 'x.bin', size: 10 }, sig());
    await h['stash.cancel']({ uploadId }, sig());
    await expect(h['stash.chunk']({ uploadId, offset: 0, data: 'AAAA' }, sig())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
