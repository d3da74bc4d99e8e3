// Issue 13: "The renderer can make main connect anywhere". Over IPC an iSCSI address is accepted only
// if it is configured (config.json, `glassmaster drives --add-iscsi`, `serve --iscsi`) or was added
// through devices.addIscsi with the user's confirmation on the host; failures to reach a target
// read the same whether the port refused, closed or spoke garbage (no port scanner). The CLI's own
// addresses (typed by the user) are not restricted. Real TCP listeners stand in for hosts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from './services';
import { ClientSession } from '../ipc/dispatcher';
import { requestSchemas, type ServerMessage } from '../common/ipc/contract';
import { driveAddressFields } from './iscsi-ipc-guard';
import { runGlassmaster } from '../cli/test-support';

let dir: string;
const listeners: net.Server[] = [];
const connections = new Map<number, number>();

/** A TCP listener that counts connections and does `behaviour` with each. */
async function listener(behaviour: 'close' | 'garbage' | 'hold'): Promise<number> {
  const srv = net.createServer((sock) => {
    const port = (srv.address() as net.AddressInfo).port;
    connections.set(port, (connections.get(port) ?? 0) + 1);
    sock.on('error', () => undefined);
    if (behaviour === 'close') sock.destroy();
    else if (behaviour === 'garbage') sock.end(Buffer.alloc(48 + 64, 0xff));
  });
  listeners.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return (srv.address() as net.AddressInfo).port;
}

/** A port nothing listens on (bound, then closed). */
async function refusedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const addr = (port: number, lun = 1) => `iscsi://127.0.0.1:${port}/iqn.2026-11.test:probe/${lun}`;

async function open(opts: { config?: string[]; confirm?: (address: string) => Promise<boolean>; iscsiDrives?: string[] } = {}) {
  const stateDir = mkdtempSync(join(dir, 'state-'));
  if (opts.config) writeFileSync(join(stateDir, 'config.json'), JSON.stringify({ iscsiDrives: opts.config }));
  const confirm = opts.confirm;
  const services: Services = await createServices({
    shell: confirm ? 'electron' : 'browser',
    stateDir,
    watch: false,
    iscsiDrives: opts.iscsiDrives,
    dialogs: confirm && { chooseSources: async () => [], chooseImageDestination: async () => undefined, confirmIscsiTarget: confirm },
  });
  const sent: ServerMessage[] = [];
  const session = new ClientSession(services.handlers, (m) => sent.push(m), { warn: () => undefined });
  let id = 1;
  const call = async (method: string, params: unknown) => {
    const my = id++;
    await session.receive({ kind: 'call', id: my, method, params });
    return sent.find((m) => m.kind === 'result' && m.id === my) as ServerMessage & { kind: 'result' };
  };
  return { services, call, stateDir };
}

let opened: Services[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gm-iscsi-ipc-'));
});
afterEach(async () => {
  for (const s of opened) await s.close();
  opened = [];
});
afterAll(async () => {
  for (const l of listeners) l.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('iSCSI addresses over IPC', () => {
  it('every drive-address field of the contract is guarded', () => {
    const fields = driveAddressFields(requestSchemas).map(([m, f]) => `${m}.${f}`);
    // The guard finds these by walking the schemas (DriveAddress fields), so a new method is covered
    // without a list to keep; this pins that the walk finds what exists today.
    for (const f of ['devices.media.address', 'devices.eject.address', 'devices.load.address', 'burn.start.address', 'audio.burn.address', 'drive.erase.address', 'drive.format.address', 'disc.read.address', 'disc.verify.address', 'disc.copy.from', 'disc.copy.to']) {
      expect(fields).toContain(f);
    }
  });

  it('refuses an unconfigured target without opening a connection, for every method that takes an address', async () => {
    const port = await listener('hold');
    const { services, call } = await open();
    opened.push(services);
    const target = addr(port);
    const calls: Array<[string, unknown]> = [
      ['devices.media', { address: target }],
      ['devices.eject', { address: target }],
      ['devices.load', { address: target }],
      ['drive.erase', { address: target }],
      ['drive.format', { address: target }],
      ['burn.start', { address: target, source: { kind: 'imageFile', path: join(dir, 'x.iso') } }],
      ['disc.read', { address: target, output: { kind: 'path', path: join(dir, 'out.iso') } }],
      ['disc.verify', { address: target, against: { kind: 'manifest' } }],
      ['disc.copy', { from: 'virtual:default', to: target }],
      ['disc.copy', { from: target, to: 'virtual:default' }],
    ];
    for (const [method, params] of calls) {
      const r = await call(method, params);
      expect(r, method).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(r.ok === false && r.error.message, method).toMatch(/not a configured iSCSI drive/);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(connections.get(port) ?? 0).toBe(0);
  });

  it('a configured but unreachable target fails the same way whether refused, closed or garbage', async () => {
    const ports = [await refusedPort(), await listener('close'), await listener('garbage')];
    const { services, call } = await open({ config: ports.map((p) => addr(p)) });
    opened.push(services);
    const errors = [];
    for (const p of ports) {
      const r = await call('devices.media', { address: addr(p) });
      expect(r.ok).toBe(false);
      // Compared with the port taken out: the address is the only thing that may differ.
      errors.push(JSON.stringify(r.ok === false && r.error).replaceAll(String(p), 'PORT'));
    }
    expect(new Set(errors).size, errors.join('\n')).toBe(1);
    expect(errors[0]).not.toMatch(/refused|ECONN|closed|timed out|EPROTO/i);
  });

  it('accepts targets given to serve (--iscsi) and in config.json', async () => {
    const a = await listener('close');
    const b = await listener('close');
    const { services, call } = await open({ config: [addr(a)], iscsiDrives: [addr(b)] });
    opened.push(services);
    for (const p of [a, b]) {
      const r = await call('devices.media', { address: addr(p) });
      expect(r).toMatchObject({ ok: false, error: { code: 'TRANSPORT' } });
      expect(connections.get(p)).toBeGreaterThan(0);
    }
  });

  it('devices.addIscsi adds a target only after the host confirms, and remembers it', async () => {
    const port = await listener('close');
    const asked: string[] = [];
    let answer = false;
    const { services, call, stateDir } = await open({ confirm: async (a) => (asked.push(a), answer) });
    opened.push(services);
    expect(await call('devices.addIscsi', { address: addr(port) })).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(await call('devices.media', { address: addr(port) })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    answer = true;
    expect(await call('devices.addIscsi', { address: addr(port) })).toMatchObject({ ok: true, value: { address: addr(port) } });
    expect(asked).toEqual([addr(port), addr(port)]);
    expect(JSON.parse(readFileSync(join(stateDir, 'config.json'), 'utf8'))).toEqual({ iscsiDrives: [addr(port)] });
    expect(await call('devices.media', { address: addr(port) })).toMatchObject({ ok: false, error: { code: 'TRANSPORT' } });
    expect(connections.get(port)).toBeGreaterThan(0);
    // Validated before anyone is asked: credentials, bad escapes, non-iSCSI addresses.
    for (const bad of ['iscsi://user:secret@127.0.0.1/iqn.2026-11.test:x/1', 'iscsi://h/%ZZ/0', '/dev/sg0', 'iscsi://h/not-an-iqn/1']) {
      expect(await call('devices.addIscsi', { address: bad }), bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    expect(asked).toHaveLength(2);
  });

  it('the browser shell answers devices.addIscsi that the host must add the target', async () => {
    const { services, call } = await open();
    opened.push(services);
    const r = await call('devices.addIscsi', { address: addr(3260) });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
    expect(r.ok === false && r.error.message).toContain('glassmaster drives --add-iscsi');
  });
});

describe('iSCSI addresses on the command line', () => {
  it('a bad % escape is a usage error (exit 2), not an internal URIError', async () => {
    const stateDir = mkdtempSync(join(dir, 'cli-'));
    mkdirSync(stateDir, { recursive: true });
    const r = await runGlassmaster(['media', '--drive', 'iscsi://h/%ZZ/0'], { stateDir });
    expect(r.stderr).not.toMatch(/URIError|URI malformed/);
    expect(r.stderr).toMatch(/not an iSCSI address|escape/);
    expect(r.code).toBe(2);
  });

  it('drives --add-iscsi stores a target in config.json and --remove-iscsi takes it out', async () => {
    const stateDir = mkdtempSync(join(dir, 'cli-'));
    const a = addr(3261);
    expect((await runGlassmaster(['drives', '--add-iscsi', 'iscsi://127.0.0.1:3261/iqn.2026-11.test:probe/1'], { stateDir })).code).toBe(0);
    expect(JSON.parse(readFileSync(join(stateDir, 'config.json'), 'utf8'))).toEqual({ iscsiDrives: [a] });
    const bad = await runGlassmaster(['drives', '--add-iscsi', 'iscsi://h/%ZZ/0'], { stateDir });
    expect(bad.code).toBe(2);
    expect((await runGlassmaster(['drives', '--remove-iscsi', a], { stateDir })).code).toBe(0);
    expect(JSON.parse(readFileSync(join(stateDir, 'config.json'), 'utf8'))).toEqual({ iscsiDrives: [] });
  });
});
