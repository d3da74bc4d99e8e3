// disc.read / disc.verify through the real dispatcher (request validation included) and the app services.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../app/services';
import type { ServerMessage } from '../common/ipc/contract';
import { ClientSession } from '../ipc/dispatcher';
import { requireTools } from '../testing/peer-tools';
import { pattern, writeTree, xorrisoImage } from './test-support';

const ok = requireTools('xorriso');

describe.skipIf(!ok)('IPC: disc.read and disc.verify', () => {
  let dir: string;
  let services: Services;
  let next: { sources: string[]; destination?: string };
  const progress: Array<{ address: string; phase: string; operation: string }> = [];
  let call: (method: string, params: unknown) => Promise<ServerMessage>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-disc-ipc-'));
    writeTree(join(dir, 'src'), { 'a.txt': 'a', 'b/c.bin': pattern(20_000, 1) });
    xorrisoImage(join(dir, 'src'), join(dir, 'disc.iso'));
    next = { sources: [] };
    services = await createServices({
      shell: 'electron',
      stateDir: join(dir, 'state'),
      watch: false,
      dialogs: { chooseSources: async () => next.sources, chooseImageDestination: async () => next.destination },
    });
    await services.virtual.create('p', { media: null });
    await services.virtual.insertPressed('p', 'bd', join(dir, 'disc.iso'));
    services.hub.subscribe((event, payload) => {
      if (event === 'disc.onProgress') progress.push(payload as (typeof progress)[number]);
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

  it('reads to a typed path and to a dialog destination; refuses relative paths, other extensions and ".."', async () => {
    const typed = join(dir, 'typed.iso');
    const r = await call('disc.read', { address: 'virtual:p', output: { kind: 'path', path: typed } });
    expect(r).toMatchObject({ ok: true, value: { format: 'iso', bad: { unreadableCount: 0 } } });
    execFileSync('cmp', [typed, join(dir, 'disc.iso')]);
    expect(progress.some((p) => p.address === 'virtual:p' && p.operation === 'read' && p.phase === 'reading')).toBe(true);
    // A typed path never overwrites.
    expect(await call('disc.read', { address: 'virtual:p', output: { kind: 'path', path: typed } })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    next.destination = join(dir, 'dialog.iso');
    expect(await call('disc.read', { address: 'virtual:p', output: { kind: 'dialog' } })).toMatchObject({ ok: true });
    expect(existsSync(next.destination)).toBe(true);
    next.destination = undefined;
    expect(await call('disc.read', { address: 'virtual:p', output: { kind: 'dialog' } })).toMatchObject({ ok: true, value: null });
    for (const bad of ['rel.iso', '/tmp/x.txt', `${dir}/../x.iso`, '/tmp/a\nb.iso']) {
      expect(await call('disc.read', { address: 'virtual:p', output: { kind: 'path', path: bad } }), bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    expect(await call('disc.read', { address: '/etc/passwd', output: { kind: 'dialog' } })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('verifies against an image, a folder chosen in a dialog, and reports a missing manifest as not found', async () => {
    const img = await call('disc.verify', { address: 'virtual:p', against: { kind: 'image', path: join(dir, 'disc.iso') } });
    expect(img).toMatchObject({ ok: true, value: { ok: true, against: 'image' } });
    next.sources = [join(dir, 'src')];
    expect(await call('disc.verify', { address: 'virtual:p', against: { kind: 'folderDialog' } })).toMatchObject({ ok: true, value: { ok: true, against: 'folder', filesChecked: 2 } });
    expect(await call('disc.verify', { address: 'virtual:p', against: { kind: 'manifest' } })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(progress.some((p) => p.operation === 'verify')).toBe(true);
  });
});
