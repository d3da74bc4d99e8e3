// disc.copy through the real dispatcher (zod validation) and the app services: a pressed BD-ROM
// copied to a blank BD-R; progress as burn.onProgress of the target drive.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../app/services';
import type { ServerMessage } from '../common/ipc/contract';
import { ClientSession } from '../ipc/dispatcher';
import { pattern, writeTree, xorrisoImage } from '../read/test-support';
import { requireTools } from '../testing/peer-tools';

const ok = requireTools('xorriso');

describe.skipIf(!ok)('IPC: disc.copy', () => {
  let dir: string;
  let services: Services;
  const events: Array<{ address: string; action: string }> = [];
  let call: (method: string, params: unknown) => Promise<ServerMessage>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-copy-ipc-'));
    writeTree(join(dir, 'src'), { 'a.txt': 'a', 'b/c.bin': pattern(300_000, 1) });
    xorrisoImage(join(dir, 'src'), join(dir, 'disc.iso'));
    services = await createServices({ shell: 'electron', stateDir: join(dir, 'state'), watch: false });
    await services.virtual.create('p', { media: null });
    await services.virtual.insertPressed('p', 'bd', join(dir, 'disc.iso'));
    await services.virtual.create('w', { media: 'bd-r' });
    services.hub.subscribe((event, payload) => {
      if (event === 'burn.onProgress') {
        const p = payload as { address: string; progress: { action: string } };
        events.push({ address: p.address, action: p.progress.action });
      }
    });
    let id = 0;
    call = (method, params) =>
      new Promise((resolve) => {
        const session = new ClientSession(services.handlers, resolve, { warn: () => undefined });
        void session.receive({ kind: 'call', id: ++id, method, params });
      });
  });
  afterAll(async () => {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies and verifies in full; bad addresses and unknown fields are refused before anything runs', async () => {
    expect(await call('disc.copy', { from: '/etc/passwd', to: 'virtual:w' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call('disc.copy', { from: 'virtual:p', to: 'virtual:w', options: { verify: 'full' }, device: '/dev/sg0' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const r = await call('disc.copy', { from: 'virtual:p', to: 'virtual:w' });
    expect(r).toMatchObject({ ok: true, value: { mode: 'stream', from: 'virtual:p', to: 'virtual:w', burn: { copies: [{ strategy: 'BD-R SRM', verify: { ok: true, level: 'full', against: 'source' } }] } } });
    expect(events.every((e) => e.address === 'virtual:w')).toBe(true);
    expect(events.map((e) => e.action)).toContain('writing');
    expect(events[events.length - 1].action).toBe('done');
  });
});
