// The renderer's file-pane and project slices against the real services over the in-memory
// message pair (the dispatcher both shells use): what the panes show after each user action.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../../../src-main/app/services';
import { ClientSession } from '../../../src-main/ipc/dispatcher';
import { STASH_CHUNK_BYTES as CONTRACT_CHUNK, type ServerMessage } from '../../../src-main/common/ipc/contract';
import { MessageClient } from '../ipc/message-client';
import { MAX_CALLS_IN_FLIGHT } from '../../../src-main/ipc/limits';
import { createAppStore } from './use-app-store';
import { PAGE_SIZE, STASH_CHUNK_BYTES } from './project-slice';

let services: Services;
let dir: string;
let store: ReturnType<typeof createAppStore>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gm-slices-'));
  mkdirSync(join(dir, 'home', 'photos'), { recursive: true });
  writeFileSync(join(dir, 'home', 'photos', 'a.jpg'), Buffer.alloc(1000, 1));
  writeFileSync(join(dir, 'home', 'notes.txt'), 'notes');
  mkdirSync(join(dir, 'home', 'other'));
  writeFileSync(join(dir, 'home', 'other', 'notes.txt'), 'more notes');
  mkdirSync(join(dir, 'home', 'many'));
  for (let i = 0; i < 1200; i++) writeFileSync(join(dir, 'home', 'many', `f${String(i).padStart(4, '0')}`), '');
  services = await createServices({ shell: 'browser', stateDir: join(dir, 'state'), watch: false });
  const client: MessageClient = new MessageClient({ send: async (m) => void session.receive(structuredClone(m)) });
  const session = new ClientSession(services.handlers, (m: ServerMessage) => queueMicrotask(() => client.receive(structuredClone(m))), { warn: () => undefined });
  services.hub.subscribe((event, payload) => client.receive({ kind: 'event', event, payload: structuredClone(payload) }));
  store = createAppStore(client);
  await store.getState().loadProject();
});
afterAll(async () => {
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

const s = () => store.getState();
const until = async (pred: () => boolean) => {
  for (let i = 0; i < 300 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(pred()).toBe(true);
};
const shown = () => Array.from({ length: s().folderTotal }, (_, i) => s().rowAt(i)?.name);

describe('files slice', () => {
  it('opens a folder, selects with click/ctrl/shift, sorts and shows hidden files', async () => {
    await s().openFolder(join(dir, 'home'));
    expect(s().listing?.entries.map((e) => e.name)).toEqual(['many', 'other', 'photos', 'notes.txt']);
    s().selectHost(join(dir, 'home', 'other'));
    s().selectHost(join(dir, 'home', 'notes.txt'), 'range');
    expect(s().hostSelection).toEqual(['other', 'photos', 'notes.txt'].map((n) => join(dir, 'home', n)));
    s().selectHost(join(dir, 'home', 'photos'), 'toggle');
    expect(s().hostSelection).toHaveLength(2);
    await s().setSort('name', true);
    expect(s().listing?.entries[0].name).toBe('photos');
    await s().setSort('name');
  });

  it('a folder that cannot be listed is an error sentence with the detail behind it', async () => {
    await s().openFolder(join(dir, 'nope'));
    expect(s().error?.message).toMatch(/^\/.*nope does not exist\.$/);
    expect(s().error?.detail).toContain('code: NOT_FOUND');
    expect(s().listing?.path).toBe(join(dir, 'home'));
    s().showError(undefined);
  });
});

describe('project slice', () => {
  it('adds host paths into the viewed folder and announces a visible rename', async () => {
    expect(await s().addHostPaths([join(dir, 'home', 'photos'), join(dir, 'home', 'notes.txt')])).toBe(true);
    await until(() => shown().join() === 'photos,notes.txt');
    await s().addHostPaths([join(dir, 'home', 'other', 'notes.txt')]);
    expect(s().announcement).toBe('“notes.txt” was already there: added as “notes (2).txt”.');
    await until(() => shown().join() === 'photos,notes (2).txt,notes.txt');
    expect(s().project).toMatchObject({ files: 3, folders: 1, canUndo: true });
  });

  it('new folder, rename, range-select, move, delete, undo', async () => {
    await s().newFolder('docs');
    await until(() => shown()[0] === 'docs');
    s().select(2);
    s().select(3, 'range');
    expect(s().selection).toEqual(['/notes (2).txt', '/notes.txt']);
    await s().move(s().selection, '/docs');
    await until(() => shown().join() === 'docs,photos');
    await s().openProjectFolder('/docs');
    await until(() => shown().join() === 'notes (2).txt,notes.txt');
    await s().rename('/docs/notes (2).txt', 'second.txt');
    await until(() => shown().join() === 'notes.txt,second.txt');
    s().select(0);
    await s().deleteSelected();
    await until(() => shown().join() === 'second.txt');
    await s().undo();
    await until(() => shown().join() === 'notes.txt,second.txt');
    await s().openProjectFolder('/');
  });

  it('pages a big folder: only the rows asked for are fetched', async () => {
    await s().addHostPaths([join(dir, 'home', 'many')]);
    await s().openProjectFolder('/many');
    await until(() => s().folderTotal === 1200);
    expect(Object.keys(s().pages)).toEqual(['0']);
    expect(s().rowAt(PAGE_SIZE)).toBeUndefined();
    await s().ensureRows(1100, 1199);
    expect(Object.keys(s().pages).sort()).toEqual(['0', '2']);
    expect(s().rowAt(1199)?.name).toBe('f1199');
    await s().selectAll();
    expect(s().selection).toHaveLength(1200);
    await s().openProjectFolder('/');
  });

  it('select all, then another folder opened before the pages came: nothing of the new folder is selected', async () => {
    // Before: selectAll went on with the old folder's count over the new folder's rows.
    await s().openProjectFolder('/many');
    await until(() => s().folderTotal === 1200);
    const selecting = s().selectAll();
    await s().openProjectFolder('/');
    await selecting;
    expect(s().folder).toBe('/');
    expect(s().selection).toEqual([]);
  });

  it('selects all of a folder bigger than the calls main takes at once (128 pages of rows)', async () => {
    // 130 pages: fetched all at once they were 130 calls in flight, and main refuses the 129th
    // (MAX_CALLS_IN_FLIGHT): "Too many calls in flight" and a partial selection.
    const count = PAGE_SIZE * 130;
    const huge = join(dir, 'home', 'huge');
    mkdirSync(huge);
    for (let i = 0; i < count; i++) writeFileSync(join(huge, `h${String(i).padStart(6, '0')}`), '');
    expect(count / PAGE_SIZE).toBeGreaterThan(MAX_CALLS_IN_FLIGHT);
    await s().addHostPaths([huge]);
    await s().openProjectFolder('/huge');
    await until(() => s().folderTotal === count);
    await s().selectAll();
    expect(s().error?.message).toBeUndefined();
    expect(s().selection).toHaveLength(count);
    expect(s().selection.at(-1)).toBe(`/huge/h${String(count - 1).padStart(6, '0')}`);
    await s().deletePaths(['/huge']);
    await s().openProjectFolder('/');
    rmSync(huge, { recursive: true, force: true });
  }, 60_000);

  it('a dropped file is streamed into the stash in chunks and staged; a cancelled upload adds nothing', async () => {
    expect(STASH_CHUNK_BYTES).toBe(CONTRACT_CHUNK);
    const blob = Object.assign(new Blob([new Uint8Array(STASH_CHUNK_BYTES * 2 + 10).fill(3)]), { name: 'dropped.bin' });
    await s().uploadFiles([blob]);
    await until(() => shown().includes('dropped.bin'));
    expect(s().upload).toBeUndefined();
    const before = s().project!.files;
    const pending = s().uploadFiles([Object.assign(new Blob([new Uint8Array(STASH_CHUNK_BYTES * 3)]), { name: 'cancelled.bin' })]);
    s().cancelUpload();
    await pending;
    expect(s().announcement).toMatch(/cancelled: nothing was added/);
    expect(s().project!.files).toBe(before);
    expect(s().error).toBeUndefined();
  });

  it('saves, reopens, and lists the project among the recent ones', async () => {
    expect(await s().saveProject(join(dir, 'home', 'mine'))).toBe(true);
    expect(s().project?.file).toBe(join(dir, 'home', 'mine.glassmaster'));
    await s().clearProject();
    await until(() => s().folderTotal === 0);
    expect(await s().openProject(join(dir, 'home', 'mine.glassmaster'))).toBe(true);
    await until(() => shown().join() === 'docs,many,photos,dropped.bin');
    expect(s().view).toBe('data');
    expect(s().recent[0].path).toBe(join(dir, 'home', 'mine.glassmaster'));
  });

  it('writes an image to a path in the file pane; writing over it is refused; a cancel is not an error', async () => {
    await s().writeImageTo(join(dir, 'home', 'out.iso'));
    expect(s().lastImage?.path).toBe(join(dir, 'home', 'out.iso'));
    await s().writeImageTo(join(dir, 'home', 'out.iso'));
    expect(s().error?.message).toMatch(/already exists/);
    s().showError(undefined);
    const p = s().writeImageTo(join(dir, 'home', 'cancelled.iso'));
    s().cancelWrite();
    await p;
    expect(s().error).toBeUndefined();
    expect(s().announcement).toBe('Cancelled: no image was written.');
  });
});
