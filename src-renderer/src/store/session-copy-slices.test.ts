// The store slices of "Add to a disc", "Copy a disc" and dropped folders, through the real services
// over the in-memory message pair (the dispatcher both shells use) with virtual recorders: a first
// session, the disc's files with their fate, a next session that adds, replaces and removes; a
// two-drive copy with its progress folded from both drives; a dropped tree staged with its empty
// folder; and the copy reducers on hand-made events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../../../src-main/app/services';
import { ClientSession } from '../../../src-main/ipc/dispatcher';
import type { ServerMessage } from '../../../src-main/common/ipc/contract';
import { MessageClient } from '../ipc/message-client';
import { createAppStore } from './use-app-store';
import { cancelConsequence, reduceDiscProgress, reduceJobProgress, type DriveJob } from './drive-job-slice';
import { isUnder } from './session-slice';
import { layoutDisc } from '../../../src-main/audio/layout';
import { AudioBurner } from '../../../src-main/burn/audio-burn';

let dir: string;
let services: Services;
let store: ReturnType<typeof createAppStore>;
const s = () => store.getState();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gm-session-slice-'));
  mkdirSync(join(dir, 'one'));
  mkdirSync(join(dir, 'two'));
  writeFileSync(join(dir, 'one', 'a.txt'), 'old a\n');
  writeFileSync(join(dir, 'one', 'b.txt'), 'old b\n');
  writeFileSync(join(dir, 'two', 'b.txt'), 'new b, longer\n');
  services = await createServices({ shell: 'cli', stateDir: join(dir, 'state'), watch: false });
  await services.virtual.create('ms', { media: 'cd-r' });
  await services.virtual.create('blank', { media: 'dvd+r' });
  const client: MessageClient = new MessageClient({ send: async (m) => void session.receive(structuredClone(m)) });
  const session = new ClientSession(services.handlers, (m: ServerMessage) => queueMicrotask(() => client.receive(structuredClone(m))), { warn: () => undefined });
  services.hub.subscribe((event, payload) => client.receive({ kind: 'event', event, payload: structuredClone(payload) }));
  store = createAppStore(client);
  await s().loadProject();
}, 60_000);
afterAll(async () => {
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('session slice (add to a disc)', () => {
  it('a blank disc says so; a first session, then the disc files with their fate; the next session adds, replaces and removes', async () => {
    await s().loadDiscFiles('virtual:ms');
    expect(s().discFiles).toMatchObject({ status: 'blank', sessions: 0, entries: [], canAdd: true });

    expect(await s().addHostPaths([join(dir, 'one', 'a.txt'), join(dir, 'one', 'b.txt')], '/')).toBe(true);
    await s().startBurn('virtual:ms', { kind: 'project', multisession: true, manifest: false }, { verify: 'none', close: 'session' });
    expect(s().job).toMatchObject({ state: 'done' });
    await s().clearProject();

    await s().loadDiscFiles('virtual:ms');
    const v = s().discFiles!;
    expect(v).toMatchObject({ status: 'appendable', sessions: 1, canAdd: true, path: '/' });
    expect(v.entries.map((e) => e.name)).toEqual(['a.txt', 'b.txt']);
    expect(v.entries.map((e) => s().discEntryFate(e))).toEqual(['kept', 'kept']);

    // The project's b.txt replaces the disc's; a.txt is removed, kept again, removed again.
    await s().addHostPaths([join(dir, 'two', 'b.txt')], '/');
    await s().refreshProjectNamesHere();
    s().toggleDiscRemoved('/a.txt');
    s().toggleDiscRemoved('/a.txt');
    expect(s().discRemoved).toEqual([]);
    s().toggleDiscRemoved('/a.txt');
    expect(v.entries.map((e) => s().discEntryFate(e))).toEqual(['removed', 'replaced']);

    await s().startBurn('virtual:ms', { kind: 'project', multisession: true, manifest: false, remove: s().discRemoved }, { verify: 'full', close: 'session' });
    expect(s().job?.error).toBeUndefined();
    expect(s().job).toMatchObject({ state: 'done', burnResult: { ok: true } });
    await s().sessionBurned('virtual:ms');
    expect(s().discRemoved).toEqual([]);
    expect(s().discBurnedOn).toBe('virtual:ms');
    expect(s().discFiles).toMatchObject({ sessions: 2 });
    expect(s().discFiles!.entries.map((e) => [e.name, e.bytes])).toEqual([['b.txt', 14]]);
  }, 60_000);

  it('an audio CD left appendable: no files yet, it can be added to, and the new session makes it an Enhanced CD', async () => {
    // Before: disc.files failed with "sector 16 is unreadable: illegal mode for this track".
    await services.virtual.create('music', { media: 'cd-r' });
    writeFileSync(join(dir, 'music.cdda'), Buffer.alloc(588 * 4 * 300, 3));
    const layout = layoutDisc([{ samples: 588 * 300, pregapSectors: 150 }]);
    await new AudioBurner({ drives: services.drives }).burn('virtual:music', { layout, cdTextPacks: [], placements: [{ file: join(dir, 'music.cdda'), firstSample: 0, samples: 588 * 300 }] }, { mode: 'tao', close: 'session', verify: 'none' });
    await s().clearProject();
    await s().loadDiscFiles('virtual:music');
    expect(s().discFiles).toMatchObject({ status: 'appendable', canAdd: true, entries: [] });
    expect(await s().addHostPaths([join(dir, 'one', 'a.txt')], '/')).toBe(true);
    await s().startBurn('virtual:music', { kind: 'project', multisession: true, manifest: false }, { verify: 'full', close: 'disc' });
    expect(s().job?.error).toBeUndefined();
    expect(s().job).toMatchObject({ state: 'done', burnResult: { ok: true } });
    const media = await services.drives.media('virtual:music');
    expect(media.trackList?.map((t) => t.kind)).toEqual(['audio', 'data']);
    expect(media.sessions).toBe(2);
    await s().clearProject();
  }, 60_000);

  it('a removal on a blank disc, or a removal without multisession, is refused with a sentence', async () => {
    await s().clearProject();
    await s().startBurn('virtual:blank', { kind: 'project', multisession: true, remove: ['/x'] }, { verify: 'none' });
    expect(s().job).toMatchObject({ state: 'failed' });
    expect(s().job!.error!.message).toMatch(/blank: there is nothing to remove/);
    s().dismissJob();
    await s().startBurn('virtual:blank', { kind: 'project', remove: ['/x'] }, { verify: 'none' });
    expect(s().job!.error!.message).toMatch(/needs a multisession burn/);
    s().dismissJob();
  }, 30_000);

  it('isUnder: a folder removal covers what lies below it, not its namesakes', () => {
    expect(isUnder('/a/b', '/a')).toBe(true);
    expect(isUnder('/a', '/a')).toBe(true);
    expect(isUnder('/ab', '/a')).toBe(false);
  });
});

describe('copy job', () => {
  it('two drives: the disc is streamed to the blank one, verified in full; the job holds the copy result', async () => {
    await services.virtual.create('src', { media: 'cd-r' });
    await s().clearProject();
    await s().addHostPaths([join(dir, 'two', 'b.txt')], '/');
    await s().startBurn('virtual:src', { kind: 'project', manifest: false }, { verify: 'none' });
    expect(s().job).toMatchObject({ state: 'done' });
    s().dismissJob();
    await s().startCopy('virtual:src', 'virtual:blank', { verify: 'full' });
    const job = s().job!;
    expect(job.error).toBeUndefined();
    expect(job).toMatchObject({ kind: 'copy', state: 'done', from: 'virtual:src', address: 'virtual:blank', copyResult: { mode: 'stream', from: 'virtual:src', to: 'virtual:blank' } });
    expect(job.burnResult?.copies[0].verify).toMatchObject({ ok: true, level: 'full' });
    expect(job.log.join('\n')).toContain('Copied virtual:src to virtual:blank (streamed, two drives).');
    s().dismissJob();
    await s().loadDiscFiles('virtual:blank');
    expect(s().discFiles!.entries.map((e) => e.name)).toEqual(['b.txt']);
  }, 60_000);

  it('a disc of two sessions: copied session by session through disc.copy; the log names each session and its verify; progress says which session', async () => {
    await services.virtual.create('ms2', { media: 'dvd+r' });
    await services.virtual.create('ms2copy', { media: 'dvd+r' });
    for (const name of ['a.txt', 'b.txt']) {
      await s().clearProject();
      await s().addHostPaths([join(dir, 'one', name)], '/');
      await s().startBurn('virtual:ms2', { kind: 'project', manifest: false, multisession: true }, { verify: 'none', close: 'session' });
      expect(s().job).toMatchObject({ state: 'done' });
      s().dismissJob();
    }
    const messages = new Set<string>();
    const off = store.subscribe((st) => {
      if (st.job?.burn?.message) messages.add(st.job.burn.message);
    });
    await s().startCopy('virtual:ms2', 'virtual:ms2copy', { verify: 'full' });
    off();
    const job = s().job!;
    expect(job.error).toBeUndefined();
    expect(job.copyResult?.sessions?.map((x) => x.closed)).toEqual(['session', 'session']);
    expect([...messages]).toEqual(['Session 1 of 2', 'Session 2 of 2']);
    const log = job.log.join('\n');
    expect(log).toMatch(/Session 1: sectors 0–\d+, closed, appendable/);
    expect(log).toMatch(/Session 2: sectors \d+–\d+, closed, appendable/);
    s().dismissJob();
    await s().loadDiscFiles('virtual:ms2copy');
    expect(s().discFiles!.entries.map((e) => e.name)).toEqual(['a.txt', 'b.txt']);
    expect(s().discFiles!.sessions).toBe(2);
  }, 60_000);

  it('folds the read of the source drive and the burn of the target; the swap prompt; cancel before writing leaves the target as it was', () => {
    let job: DriveJob = { id: 9, kind: 'copy', address: 'virtual:t', from: 'virtual:s', subject: 'x', state: 'running', startedAt: 0, log: [] };
    job = reduceDiscProgress(job, { address: 'virtual:s', operation: 'read', phase: 'reading', sectorsDone: 5, totalSectors: 10, bytesDone: 10240, badSectors: 0, kBps: 1, elapsedMs: 1 }, 100);
    expect(job.disc?.sectorsDone).toBe(5);
    expect(cancelConsequence(job, undefined)).toBe('Nothing has been written yet: the target disc stays as it is.');
    const waiting = { action: 'waiting-for-disc' as const, copy: 1, copies: 1, sectorsWritten: 0, totalSectors: 0, bytesWritten: 0, totalBytes: 0, speedBytesPerSec: 0, averageBytesPerSec: 0, speedX: 0, speedLabel: '', ringFill: 0, elapsedMs: 0, message: 'Remove the source disc from virtual:t and insert a blank disc' };
    job = reduceJobProgress(job, { address: 'virtual:t', job: 'burn', progress: waiting }, 200);
    expect(job.disc).toBeUndefined();
    expect(job.log.at(-1)).toBe('[0.2 s] Waiting for a blank disc: Remove the source disc from virtual:t and insert a blank disc');
    // Another drive's read is not this copy's.
    expect(reduceDiscProgress(job, { address: 'virtual:x', operation: 'read', phase: 'reading', sectorsDone: 1, totalSectors: 2, bytesDone: 1, badSectors: 0, kBps: 1, elapsedMs: 1 })).toBe(job);
  });
});

describe('dropped folders (uploadTree)', () => {
  it('stages the dropped tree with its structure and empty folder in one undoable step', async () => {
    await s().clearProject();
    const file = (name: string, text: string) => Object.assign(new Blob([text]), { name });
    await s().uploadTree([{ file: file('top.txt', 'top'), dir: 'photos' }, { file: file('deep.txt', 'deep!'), dir: 'photos/2026/june' }], ['photos/empty'], '/');
    expect(s().error).toBeUndefined();
    const listed = async (path: string) => (await services.handlers['project.list']({ path, offset: 0, limit: 100 }, new AbortController().signal)).entries.map((e) => `${e.kind}:${e.name}`);
    expect(await listed('/')).toEqual(['dir:photos']);
    expect(await listed('/photos')).toEqual(['dir:2026', 'dir:empty', 'file:top.txt']);
    expect(await listed('/photos/2026/june')).toEqual(['file:deep.txt']);
    expect(s().project).toMatchObject({ files: 2, totalBytes: 8 });
    await s().undo();
    expect(await listed('/')).toEqual([]);
  }, 30_000);

  it('a hostile folder name is refused by the contract before it reaches the stash', async () => {
    const file = Object.assign(new Blob(['x']), { name: 'x.txt' });
    await s().uploadTree([{ file, dir: 'photos/../../etc' }], [], '/');
    expect(`${s().error?.message} ${s().error?.detail}`).toMatch(/relative folder path/);
    s().showError(undefined);
  });
});
