// The renderer's store against the real services over an in-memory message pair: the same
// dispatcher both shells use, the real drive service, and a virtual recorder in a temp state dir.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../../../src-main/app/services';
import { ClientSession } from '../../../src-main/ipc/dispatcher';
import type { ServerMessage } from '../../../src-main/common/ipc/contract';
import { MessageClient } from '../ipc/message-client';
import { createAppStore } from './use-app-store';

let services: Services;
let stateDir: string;
let store: ReturnType<typeof createAppStore>;

beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'gm-store-'));
  services = await createServices({ shell: 'browser', stateDir, watch: false });
  const client: MessageClient = new MessageClient({ send: async (m) => void session.receive(structuredClone(m)) });
  const session = new ClientSession(services.handlers, (m: ServerMessage) => queueMicrotask(() => client.receive(structuredClone(m))), { warn: () => undefined });
  services.hub.subscribe((event, payload) => client.receive({ kind: 'event', event, payload: structuredClone(payload) }));
  store = createAppStore(client);
});

afterEach(async () => {
  await services.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const until = async (pred: () => boolean) => {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(pred()).toBe(true);
};

describe('app store over the IPC contract', () => {
  it('loads the drives, selects the first, and reads its disc', async () => {
    await store.getState().loadDrives();
    const s = store.getState();
    expect(s.drives.map((d) => d.address)).toEqual(['virtual:default']);
    expect(s.selectedAddress).toBe('virtual:default');
    await until(() => store.getState().media['virtual:default'] !== undefined);
    expect(store.getState().media['virtual:default']).toMatchObject({ profile: 'DVD+R', status: 'blank' });
  });

  it('ejects through the service and shows no disc', async () => {
    await store.getState().loadDrives();
    await store.getState().eject('virtual:default');
    expect(store.getState().media['virtual:default'].status).toBe('no-disc');
    expect(store.getState().deviceError).toBeUndefined();
  });

  it('applies media-change and drive-list events pushed by main', async () => {
    await store.getState().loadDrives();
    await services.virtual.create('second', { media: 'bd-r' });
    services.hub.emit('devices.onDidChange', { drives: await services.drives.list() });
    expect(store.getState().drives.map((d) => d.address)).toEqual(['virtual:default', 'virtual:second']);
    services.hub.emit('devices.onMediaChange', { address: 'virtual:second', media: await services.drives.media('virtual:second') });
    expect(store.getState().media['virtual:second']).toMatchObject({ profile: 'BD-R SRM', status: 'blank' });
  });

  it('reads the disc of every listed drive, not only the selected one (the list shows each medium)', async () => {
    await services.virtual.create('second', { media: 'bd-r' });
    await store.getState().loadDrives();
    expect(store.getState().selectedAddress).toBe('virtual:default');
    await until(() => store.getState().media['virtual:second'] !== undefined);
    expect(store.getState().media['virtual:second']).toMatchObject({ profile: 'BD-R SRM', status: 'blank' });
    expect(store.getState().deviceError).toBeUndefined();
  });

  it('keeps a typed error message when a call fails', async () => {
    await store.getState().refreshMedia('virtual:missing');
    expect(store.getState().deviceError).toMatch(/missing/);
  });

  it('toggles the theme', () => {
    const before = store.getState().theme;
    store.getState().toggleTheme();
    expect(store.getState().theme).not.toBe(before);
  });

  it('loads the empty project; without dialogs adding files reports why', async () => {
    await store.getState().loadProject();
    expect(store.getState().project).toMatchObject({ files: 0, folders: 0, totalBytes: 0, busy: false });
    await store.getState().addFromDialog(false);
    expect(store.getState().projectError).toMatch(/desktop app/);
  });
});
