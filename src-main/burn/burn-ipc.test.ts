// burn.start / drive.erase / drive.format over the dispatcher (the same path Electron IPC and the
// browser shell take): validation at the boundary, path checks in main, progress events, cancel.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../app/services';
import { ClientSession } from '../ipc/dispatcher';
import type { ServerMessage } from '../common/ipc/contract';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { requireTools } from '../testing/peer-tools';

const hasXorriso = requireTools('xorriso');

let dir: string;
let services: Services;
let session: ClientSession;
let sent: ServerMessage[];
const events: Array<{ event: string; payload: unknown }> = [];
let nextId = 1;

async function call(method: string, params: unknown, onStart?: (id: number) => void): Promise<ServerMessage & { kind: 'result' }> {
  const id = nextId++;
  const p = session.receive({ kind: 'call', id, method, params });
  onStart?.(id);
  await p;
  return sent.find((m) => m.kind === 'result' && m.id === id) as ServerMessage & { kind: 'result' };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gm-burn-ipc-'));
  services = await createServices({ shell: 'browser', stateDir: join(dir, 'state'), watch: false, imageWorker: tsWorkerScript(fileURLToPath(new URL('../image/worker/image-worker.ts', import.meta.url))) });
  await services.virtual.create('ipc', { media: 'dvd+rw' });
  await services.virtual.create('ipc2', { media: 'cd-rw' });
  services.hub.subscribe((event, payload) => events.push({ event, payload }));
  sent = [];
  session = new ClientSession(services.handlers, (m) => sent.push(m), { warn: () => undefined });
  writeFileSync(join(dir, 'disc.iso'), randomBytes(2048 * 600));
  writeFileSync(join(dir, 'odd.iso'), randomBytes(2049));
  mkdirSync(join(dir, 'folder.iso'));
});
afterAll(async () => {
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('burn over IPC', () => {
  it('burn.start burns an image file, verifies it and sends progress events', async () => {
    const r = await call('burn.start', { address: 'virtual:ipc', source: { kind: 'imageFile', path: join(dir, 'disc.iso') }, options: { verify: 'full' } });
    expect(r).toMatchObject({ ok: true, value: { ok: true, copies: [{ sectors: 600, verify: { ok: true, level: 'full' } }] } });
    const progress = events.filter((e) => e.event === 'burn.onProgress').map((e) => e.payload as { address: string; job: string; progress: { action: string } });
    expect(progress.every((p) => p.address === 'virtual:ipc' && p.job === 'burn')).toBe(true);
    expect(progress.map((p) => p.progress.action)).toContain('writing');
    expect(progress[progress.length - 1].progress.action).toBe('done');
  });

  it('main refuses a relative path, a directory, a file of partial sectors, a missing file; zod refuses unknown fields and bad options', async () => {
    const bad = async (source: unknown, options: unknown = {}) => (await call('burn.start', { address: 'virtual:ipc', source, options })) as { ok: false; error: { code: string; message: string } };
    expect((await bad({ kind: 'imageFile', path: 'disc.iso' })).error).toMatchObject({ code: 'INVALID_INPUT' }); // zod's HostPath: absolute paths only
    expect((await bad({ kind: 'imageFile', path: join(dir, 'folder.iso') })).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('not a regular file') });
    expect((await bad({ kind: 'imageFile', path: join(dir, 'odd.iso') })).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('2048-byte') });
    expect((await bad({ kind: 'imageFile', path: join(dir, 'missing.iso') })).error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((await bad({ kind: 'imageFile', path: '/dev/sda' })).error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((await bad({ kind: 'imageFile', path: join(dir, 'disc.iso'), extra: 1 })).error.code).toBe('INVALID_INPUT');
    expect((await bad({ kind: 'imageFile', path: join(dir, 'disc.iso') }, { copies: 0 })).error.code).toBe('INVALID_INPUT');
    expect((await bad({ kind: 'imageFile', path: join(dir, 'disc.iso') }, { verify: 'paranoid' })).error.code).toBe('INVALID_INPUT');
    expect((await bad({ kind: 'project' })).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('The project is empty') });
    expect((await bad({ kind: 'project', multisession: 'yes' })).error.code).toBe('INVALID_INPUT');
  });

  it.skipIf(!hasXorriso)('burn.start {kind:project} streams the project through the image engine; {multisession:true} adds to the disc; xorriso reads both trees', async () => {
    writeFileSync(join(dir, 'one.txt'), 'first session\n');
    writeFileSync(join(dir, 'two.txt'), 'second session\n');
    await services.project.addPaths([join(dir, 'one.txt')], '/');
    await services.virtual.create('proj', { media: 'dvd+r' });
    const r1 = await call('burn.start', { address: 'virtual:proj', source: { kind: 'project' }, options: { verify: 'full', close: 'session' } });
    expect(r1).toMatchObject({ ok: true, value: { copies: [{ startLba: 0, verify: { ok: true, level: 'full' } }] } });
    services.project.clear();
    await services.project.addPaths([join(dir, 'two.txt')], '/');
    const r2 = await call('burn.start', { address: 'virtual:proj', source: { kind: 'project', multisession: true }, options: { verify: 'full', close: 'session' } });
    expect(r2.ok).toBe(true);
    const start = (r2 as { value: { copies: Array<{ startLba: number }> } }).value.copies[0].startLba;
    expect(start).toBeGreaterThan(0);
    const disc = services.virtual.backingFile('proj');
    const files = (sb: number) => execFileSync('xorriso', ['-load', 'sbsector', String(sb), '-indev', disc, '-find', '/', '-type', 'f'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(files(0)).toContain("'/one.txt'");
    expect(files(0)).not.toContain('two.txt');
    expect(files(start)).toMatch(/'\/one.txt'[\s\S]*'\/two.txt'/);
  });

  it('burn.cancel is the dispatcher cancel: the call ends CANCELLED and the drive is free again', async () => {
    services.virtual.setPacing('ipc', true);
    const r = await call('burn.start', { address: 'virtual:ipc', source: { kind: 'imageFile', path: join(dir, 'disc.iso') }, options: { speedX: 1 } }, (id) => {
      setTimeout(() => void session.receive({ kind: 'cancel', id }), 150);
    });
    services.virtual.setPacing('ipc', false);
    expect(r).toMatchObject({ ok: false, error: { code: 'CANCELLED', message: expect.stringMatching(/^Cancelled\. /) } });
    expect(services.drives.busyWith('virtual:ipc')).toBeUndefined();
    expect(services.virtual.recorder('ipc').state.locked).toBe(false);
  });

  it('drive.format and drive.erase report progress and the media after', async () => {
    const f = await call('drive.format', { address: 'virtual:ipc', full: true });
    expect(f).toMatchObject({ ok: true, value: { profile: 'DVD+RW', formatted: true } });
    const e = await call('drive.erase', { address: 'virtual:ipc2' });
    expect(e).toMatchObject({ ok: true, value: { profile: 'CD-RW', status: 'blank' } });
    const jobs = events.filter((x) => x.event === 'burn.onProgress').map((x) => (x.payload as { job: string }).job);
    expect(jobs).toContain('format');
    expect(jobs).toContain('erase');
  });
});
