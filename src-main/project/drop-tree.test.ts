// Dropped folders in the stash (DropStash trees) and dropped files kept beside a saved project
// (keep-dropped.ts), against the real file system; serve's remembered identity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DropStash } from './drop-stash';
import { inStash, keepDroppedFile, keptFolder } from './keep-dropped';
import { identityFile, loadServeIdentity, saveServeIdentity } from '../cli/serve-identity';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gm-drop-tree-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DropStash trees', () => {
  it('places files at their relative folders, keeps empty folders, returns the top-level entries', async () => {
    const stash = new DropStash({ dir: join(dir, 'stash1') });
    const { tree } = await stash.beginTree();
    const a = await stash.begin('a.txt', 2, { tree, dir: 'trip/day1' });
    await stash.chunk(a.uploadId, 0, Buffer.from('hi'));
    const b = await stash.begin('top.txt', 1, { tree });
    await stash.chunk(b.uploadId, 0, Buffer.from('!'));
    await stash.mkdirs(tree, ['trip/empty']);
    const top = await stash.finishTree(tree, [a.uploadId, b.uploadId]);
    expect(top.map((p) => p.split('/').pop())).toEqual(['top.txt', 'trip']);
    expect(readFileSync(join(top[1], 'day1', 'a.txt'), 'utf8')).toBe('hi');
    expect(statSync(join(top[1], 'empty')).isDirectory()).toBe(true);
    await stash.dispose();
  });

  it('refuses ".." and "/" in folder names, a folder without its tree, an upload of another tree, an unknown tree', async () => {
    const stash = new DropStash({ dir: join(dir, 'stash2') });
    const { tree } = await stash.beginTree();
    const { tree: other } = await stash.beginTree();
    await expect(stash.begin('x', 0, { tree, dir: 'a/../../..' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(stash.mkdirs(tree, ['..'])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(stash.mkdirs(tree, ['a//b'])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(stash.begin('x', 0, { dir: 'a' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(stash.begin('x', 0, { tree: 999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const u = await stash.begin('x', 0, { tree: other });
    await expect(stash.finishTree(tree, [u.uploadId])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(existsSync(join(dir, 'etc'))).toBe(false);
    // A cancelled file of a tree goes; its tree stays.
    await stash.cancel(u.uploadId);
    expect(await stash.finishTree(other, [])).toEqual([]);
    await stash.dispose();
  });
});

describe('dropped files kept with a saved project', () => {
  it('keeps a stash file under NAME.files at its image path, reuses it on a second save, never for other files', async () => {
    const stashDir = join(dir, 'stash3');
    mkdirSync(join(stashDir, '7'), { recursive: true });
    const src = join(stashDir, '7', 'photo.jpg');
    writeFileSync(src, 'jpeg bytes');
    const project = join(dir, 'trip.glassmaster');
    expect(inStash(src, stashDir)).toBe(true);
    expect(inStash(join(dir, 'elsewhere.txt'), stashDir)).toBe(false);
    expect(inStash(`${stashDir}-other/x`, stashDir)).toBe(false);
    expect(keptFolder(project)).toBe(join(dir, 'trip.files'));
    const kept = await keepDroppedFile(project, '/album/photo.jpg', src);
    expect(kept.path).toBe(join(dir, 'trip.files', 'album', 'photo.jpg'));
    expect(readFileSync(kept.path, 'utf8')).toBe('jpeg bytes');
    const again = await keepDroppedFile(project, '/album/photo.jpg', src);
    expect(again).toEqual(kept);
    // The stash emptied (a restart): the kept copy stays.
    rmSync(stashDir, { recursive: true, force: true });
    expect(readFileSync(kept.path, 'utf8')).toBe('jpeg bytes');
  });
});

describe('serve identity', () => {
  it('a fresh token the first time, the same token and port after a save; malformed files give a fresh token; 0600', async () => {
    const state = join(dir, 'state');
    const first = await loadServeIdentity(state);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.port).toBeUndefined();
    await saveServeIdentity(state, { token: first.token, port: 41234 });
    expect(statSync(identityFile(state)).mode & 0o777).toBe(0o600);
    expect(await loadServeIdentity(state)).toEqual({ token: first.token, port: 41234 });
    writeFileSync(identityFile(state), JSON.stringify({ token: 'short', port: 80 }));
    const fresh = await loadServeIdentity(state);
    expect(fresh.token).not.toBe('short');
    expect(fresh.port).toBeUndefined();
  });
});
