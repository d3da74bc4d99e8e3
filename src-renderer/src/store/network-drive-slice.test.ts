// "Add network drive…" through the real services over the in-memory message pair: the browser
// shell (no host dialog) refuses with the commands to run on the host; in a shell whose main asks
// the user (Electron's native dialog, here a stand-in answering yes or no) a "no" adds nothing and
// is not an error, a "yes" adds the drive to config.json.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../../../src-main/app/services';
import { ClientSession } from '../../../src-main/ipc/dispatcher';
import type { ServerMessage } from '../../../src-main/common/ipc/contract';
import type { Dialogs } from '../../../src-main/project/dialogs';
import { MessageClient } from '../ipc/message-client';
import { createAppStore } from './use-app-store';

// Nothing listens on port 1: the drive is remembered, and simply not found when listed.
const ADDRESS = 'iscsi://127.0.0.1:1/iqn.2026-12.test:cd/0';
let services: Services | undefined;
let dir: string | undefined;

async function storeWith(dialogs?: Dialogs) {
  dir = mkdtempSync(join(tmpdir(), 'gm-network-'));
  services = await createServices({ shell: dialogs ? 'electron' : 'browser', stateDir: join(dir, 'state'), watch: false, dialogs });
  const client: MessageClient = new MessageClient({ send: async (m) => void session.receive(structuredClone(m)) });
  const session = new ClientSession(services.handlers, (m: ServerMessage) => queueMicrotask(() => client.receive(structuredClone(m))), { warn: () => undefined });
  return { store: createAppStore(client), stateDir: join(dir, 'state') };
}
const asking = (answer: boolean, asked: string[]): Dialogs => ({
  chooseSources: async () => [],
  chooseImageDestination: async () => undefined,
  confirmIscsiTarget: async (address) => (asked.push(address), answer),
});
const configured = (stateDir: string) => {
  try {
    return (JSON.parse(readFileSync(join(stateDir, 'config.json'), 'utf8')) as { iscsiDrives?: string[] }).iscsiDrives ?? [];
  } catch {
    return [];
  }
};

afterEach(async () => {
  await services?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  services = dir = undefined;
});

describe('add network drive', () => {
  it('browser shell: refused, saying the commands that add it on the host', async () => {
    const { store, stateDir } = await storeWith();
    expect(await store.getState().addIscsiDrive(ADDRESS)).toBe(false);
    expect(store.getState().error?.code).toBe('NOT_SUPPORTED');
    expect(store.getState().error?.message).toContain(`glassmaster drives --add-iscsi ${ADDRESS}`);
    expect(store.getState().error?.message).toContain(`glassmaster serve --iscsi ${ADDRESS}`);
    expect(configured(stateDir)).toEqual([]);
  });

  it.each([
    { answer: false, result: false, said: 'The network drive was not added.', remembered: [] },
    { answer: true, result: true, said: `Network drive ${ADDRESS} added.`, remembered: [ADDRESS] },
  ])('a shell that asks on the host, answered $answer: no error either way, remembered only on yes', async ({ answer, result, said, remembered }) => {
    const asked: string[] = [];
    const { store, stateDir } = await storeWith(asking(answer, asked));
    expect(await store.getState().addIscsiDrive(ADDRESS)).toBe(result);
    expect(asked).toEqual([ADDRESS]);
    expect(store.getState().error).toBeUndefined();
    expect(store.getState().announcement).toBe(said);
    expect(configured(stateDir)).toEqual(remembered);
  });
});
