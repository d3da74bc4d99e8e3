import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startWsServer, type RunningWsServer } from './ws-server';
import { EventHub, type Handlers } from './dispatcher';
import { MAX_MESSAGE_BYTES, type ServerMessage } from '../common/ipc/contract';
import { NO_DISC_MEDIA } from '../common/model/drive';
import { CancelledError, NotSupportedError } from '../common/errors';

// The services behind the shell are replaced by handlers that record what reaches them: these tests
// are about the shell (auth, validation, streaming, disconnects), not the services.
let server: RunningWsServer;
let hub: EventHub;
let cancelled: string[];
let warnings: string[];

const unused = async (): Promise<never> => {
  throw new NotSupportedError('not used by these tests');
};

const handlers: Handlers = {
  'app.info': async () => ({ name: 'Glassmaster', version: '0.0.0-test', shell: 'browser', platform: 'linux' }),
  'devices.list': async () => [],
  'devices.media': (params, signal) =>
    new Promise((resolve, reject) => {
      if (params.address === 'virtual:quick') return resolve(NO_DISC_MEDIA);
      signal.addEventListener('abort', () => {
        cancelled.push(params.address);
        reject(new CancelledError());
      });
    }),
  'devices.eject': async () => {
    throw new Error('boom');
  },
  'devices.load': async () => null,
  'devices.addIscsi': unused,
  'project.get': unused,
  'project.addFromDialog': unused,
  'project.remove': unused,
  'project.clear': unused,
  'project.setLabel': unused,
  'project.writeImage': unused,
  'project.setImageOptions': unused,
  'burn.start': unused,
  'audio.burn': unused,
  'drive.erase': unused,
  'drive.format': unused,
  'disc.read': unused,
  'disc.verify': unused,
  'disc.copy': unused,
  'files.places': unused,
  'files.list': unused,
  'project.list': unused,
  'project.addPaths': unused,
  'project.newFolder': unused,
  'project.rename': unused,
  'project.move': unused,
  'project.delete': unused,
  'project.undo': unused,
  'project.writeImageTo': unused,
  'project.save': unused,
  'project.open': unused,
  'project.recent': unused,
  'project.getImageOptions': unused,
  'project.preflight': unused,
  'project.inspectBoot': unused,
  'stash.begin': unused,
  'stash.chunk': unused,
  'stash.finish': unused,
  'stash.cancel': unused,
  'disc.files': unused,
  'stash.tree': unused,
  'stash.mkdir': unused,
  'stash.finishTree': unused,
  'audio.get': unused,
  'audio.addTracks': unused,
  'audio.removeTracks': unused,
  'audio.moveTracks': unused,
  'audio.setTrack': unused,
  'audio.setDisc': unused,
  'audio.setHiddenTrack': unused,
  'audio.clear': unused,
  'audio.writeImage': unused,
  'audio.save': unused,
  'audio.open': unused,
  'audio.preview': unused,
  'audio.planBurn': unused,
  'audio.addStashed': unused,
};

beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  hub = new EventHub();
  cancelled = [];
  warnings = [];
  server = await startWsServer({ handlers, hub, rendererDir: dir, log: { warn: (m) => warnings.push(m) } });
});

afterEach(async () => {
  await server.close();
});

function connect(opts: { token?: string | null; origin?: string | null } = {}): WebSocket {
  const token = opts.token === undefined ? server.token : opts.token;
  const url = `ws://127.0.0.1:${server.port}/ipc${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
  const origin = opts.origin === undefined ? server.origin : opts.origin;
  return new WebSocket(url, origin === null ? {} : { origin });
}

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, pred: (m: ServerMessage) => boolean = () => true): Promise<ServerMessage> {
  return new Promise((resolve) => {
    const on = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as ServerMessage;
      if (pred(msg)) {
        ws.off('message', on);
        resolve(msg);
      }
    };
    ws.on('message', on);
  });
}

describe('browser shell WebSocket', () => {
  it('serves the renderer with a strict CSP and refuses paths outside it', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const escape = await fetch(`http://127.0.0.1:${server.port}/..%2f..%2fetc%2fpasswd`);
    expect([403, 404]).toContain(escape.status);
  });

  it('answers a valid call with the typed result', async () => {
    const ws = connect();
    await opened(ws);
    ws.send(JSON.stringify({ kind: 'call', id: 1, method: 'app.info', params: {} }));
    const msg = await nextMessage(ws);
    expect(msg).toMatchObject({ kind: 'result', id: 1, ok: true, value: { name: 'Glassmaster', shell: 'browser' } });
    ws.close();
  });

  it('rejects a missing token, a wrong token and a foreign Origin before upgrading', async () => {
    await expect(opened(connect({ token: null }))).rejects.toThrow('HTTP 401');
    await expect(opened(connect({ token: 'x'.repeat(server.token.length) }))).rejects.toThrow('HTTP 401');
    await expect(opened(connect({ origin: 'http://evil.example' }))).rejects.toThrow('HTTP 403');
    await expect(opened(connect({ origin: null }))).rejects.toThrow('HTTP 403');
    expect(server.clients).toBe(0);
  });

  it('replies with typed errors to malformed JSON, unknown methods and invalid params', async () => {
    const ws = connect();
    await opened(ws);
    ws.send('{not json');
    expect(await nextMessage(ws)).toMatchObject({ ok: false, id: null, error: { code: 'INVALID_INPUT', message: 'message is not valid JSON' } });
    ws.send(JSON.stringify({ kind: 'call', id: 2, method: 'fs.readFile', params: { path: '/etc/passwd' } }));
    expect(await nextMessage(ws)).toMatchObject({ ok: false, id: 2, error: { code: 'INVALID_INPUT' } });
    ws.send(JSON.stringify({ kind: 'call', id: 3, method: 'devices.media', params: { address: '/etc/passwd' } }));
    expect(await nextMessage(ws)).toMatchObject({ ok: false, id: 3, error: { code: 'INVALID_INPUT', message: 'invalid parameters for devices.media' } });
    ws.send(JSON.stringify({ kind: 'call', id: 4, method: 'app.info', params: {}, extra: 1 }));
    expect(await nextMessage(ws)).toMatchObject({ ok: false, id: 4, error: { code: 'INVALID_INPUT', message: 'malformed message' } });
    // A handler bug becomes an INTERNAL error reply, and the server keeps serving.
    ws.send(JSON.stringify({ kind: 'call', id: 5, method: 'devices.eject', params: { address: 'virtual:a' } }));
    expect(await nextMessage(ws)).toMatchObject({ ok: false, id: 5, error: { code: 'INTERNAL', message: 'boom' } });
    ws.send(JSON.stringify({ kind: 'call', id: 6, method: 'app.info', params: {} }));
    expect(await nextMessage(ws)).toMatchObject({ ok: true, id: 6 });
    expect(warnings.length).toBeGreaterThanOrEqual(4);
    ws.close();
  });

  it('closes the connection on a message over the size limit (1009) and stays up for others', async () => {
    const ws = connect();
    await opened(ws);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ kind: 'call', id: 1, method: 'app.info', params: { pad: 'x'.repeat(MAX_MESSAGE_BYTES) } }));
    expect(await closed).toBe(1009);
    const again = connect();
    await opened(again);
    again.send(JSON.stringify({ kind: 'call', id: 1, method: 'app.info', params: {} }));
    expect(await nextMessage(again)).toMatchObject({ ok: true });
    again.close();
  });

  it('cancels a call on request and reports CANCELLED', async () => {
    const ws = connect();
    await opened(ws);
    ws.send(JSON.stringify({ kind: 'call', id: 7, method: 'devices.media', params: { address: 'virtual:slow' } }));
    await new Promise((r) => setTimeout(r, 50));
    ws.send(JSON.stringify({ kind: 'cancel', id: 7 }));
    expect(await nextMessage(ws)).toMatchObject({ id: 7, ok: false, error: { code: 'CANCELLED' } });
    expect(cancelled).toEqual(['virtual:slow']);
    ws.close();
  });

  it('streams events and survives a client disconnecting mid-stream', async () => {
    const ws = connect();
    await opened(ws);
    ws.send(JSON.stringify({ kind: 'call', id: 8, method: 'devices.media', params: { address: 'virtual:pending' } }));
    const first = nextMessage(ws, (m) => m.kind === 'event');
    const timer = setInterval(() => hub.emit('devices.onMediaChange', { address: 'virtual:a', media: NO_DISC_MEDIA }), 5);
    expect(await first).toMatchObject({ kind: 'event', event: 'devices.onMediaChange' });
    ws.terminate();
    await new Promise((r) => setTimeout(r, 100));
    // The abandoned call was cancelled, the server still emits without throwing, and new clients work.
    expect(cancelled).toEqual(['virtual:pending']);
    expect(server.clients).toBe(0);
    const other = connect();
    await opened(other);
    expect(await nextMessage(other, (m) => m.kind === 'event')).toMatchObject({ event: 'devices.onMediaChange' });
    clearInterval(timer);
    other.send(JSON.stringify({ kind: 'call', id: 9, method: 'devices.media', params: { address: 'virtual:quick' } }));
    expect(await nextMessage(other, (m) => m.kind === 'result')).toMatchObject({ ok: true, id: 9, value: { status: 'no-disc' } });
    other.close();
  });
});
