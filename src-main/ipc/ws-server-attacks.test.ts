// Attacks on the browser shell's server (issue 13, "The browser shell"), each written before its fix:
// request targets that crash the process, Host headers from a rebinding DNS name, a client that
// floods calls and never reads, and log floods. Requests go over raw TCP sockets (net.connect and
// the request line as an attacker writes it), against a real server on a real port.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startWsServer, type RunningWsServer, type WsServerOptions } from './ws-server';
import { EventHub, type Handlers } from './dispatcher';
import type { ServerMessage } from '../common/ipc/contract';
import { CancelledError, NotSupportedError } from '../common/errors';
import { MAX_CALLS_IN_FLIGHT, MAX_UNSENT_BYTES } from './limits';

let server: RunningWsServer;
let warnings: string[];
let rendererDir: string;

/** About 64 KiB of JSON per devices.list reply: a non-reading client's backlog grows fast. */
const BIG_LIST = Array.from({ length: 400 }, (_, i) => ({ address: `virtual:d${i}`, vendor: 'V'.repeat(60), model: 'M'.repeat(60), revision: '1.00', kind: 'virtual' }));

const handlers = new Proxy({} as Handlers, {
  get: (_t, method) => {
    switch (method) {
      case 'app.info':
        return async () => ({ name: 'Glassmaster', version: '0.0.0-test', shell: 'browser', platform: 'linux' });
      case 'devices.list':
        return async () => BIG_LIST;
      case 'devices.media':
        // Never answers unless cancelled: a call that stays in flight.
        return (_p: unknown, signal: AbortSignal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new CancelledError())));
      default:
        return async () => {
          throw new NotSupportedError('not used by these tests');
        };
    }
  },
});

async function start(extra: Partial<WsServerOptions> = {}): Promise<RunningWsServer> {
  return startWsServer({ handlers, hub: new EventHub(), rendererDir, log: { warn: (m) => warnings.push(m) }, ...extra });
}

beforeEach(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'gm-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  warnings = [];
  server = await start();
});

afterEach(async () => {
  await server.close();
});

/** Writes `text` on a fresh TCP connection and returns everything the server sent until it closed. */
function rawRequest(port: number, text: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms to ${JSON.stringify(text.split('\r\n')[0])} (got ${JSON.stringify(got)})`));
    }, timeoutMs);
    sock.on('data', (d) => (got += d.toString('latin1')));
    sock.on('error', () => undefined); // a reset after the answer is fine; the timeout catches silence
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    sock.write(text);
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? NaN);

function get(target: string, port: number, opts: { method?: string; host?: string | null; headers?: string[] } = {}): string {
  const host = opts.host === undefined ? `127.0.0.1:${port}` : opts.host;
  return [`${opts.method ?? 'GET'} ${target} HTTP/1.1`, ...(host === null ? [] : [`Host: ${host}`]), 'Connection: close', ...(opts.headers ?? []), '', ''].join('\r\n');
}

function upgrade(target: string, port: number, opts: { host?: string; origin?: string } = {}): string {
  return [
    `GET ${target} HTTP/1.1`,
    `Host: ${opts.host ?? `127.0.0.1:${port}`}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    `Origin: ${opts.origin ?? `http://127.0.0.1:${port}`}`,
    '',
    '',
  ].join('\r\n');
}

/** The request targets from issue 13 that ended `glassmaster serve` with exit 1. */
const KILLER_REQUESTS = (port: number) => [
  get('/%', port),
  get('/%C0%AF', port),
  get('/%ZZ', port, { method: 'HEAD' }),
  get('//[', port),
  upgrade('//[', port),
  upgrade('/%', port),
];

describe('request targets that cannot be parsed', () => {
  it('are answered 400 (HTTP and upgrade) and the server keeps serving', async () => {
    for (const req of KILLER_REQUESTS(server.port)) {
      const answer = await rawRequest(server.port, req);
      expect(statusOf(answer), req.split('\r\n')[0]).toBe(400);
    }
    expect(statusOf(await rawRequest(server.port, get('/', server.port)))).toBe(200);
  });

  it('do not end a server running in its own process', async () => {
    const fixture = fileURLToPath(new URL('./__fixtures__/serve-child.ts', import.meta.url));
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
        child.once('exit', (code) => reject(new Error(`fixture exited ${code}: ${stderr}`)));
      });
      for (const req of KILLER_REQUESTS(port)) await rawRequest(port, req).catch(() => '');
      await new Promise((r) => setTimeout(r, 300));
      expect(child.exitCode, `the server process exited: ${stderr}`).toBeNull();
      expect(statusOf(await rawRequest(port, get('/', port)))).toBe(200);
    } finally {
      child.kill();
    }
  });
});

describe('Host header (DNS rebinding)', () => {
  it('serves only the loopback names and port it is bound to', async () => {
    const p = server.port;
    expect(statusOf(await rawRequest(p, get('/', p, { host: `127.0.0.1:${p}` })))).toBe(200);
    expect(statusOf(await rawRequest(p, get('/', p, { host: `localhost:${p}` })))).toBe(200);
    expect(statusOf(await rawRequest(p, get('/', p, { host: `LocalHost:${p}` })))).toBe(200);
    // A page on attacker.example whose DNS name now resolves to 127.0.0.1 sends its own name.
    expect(statusOf(await rawRequest(p, get('/', p, { host: `attacker.example:${p}` })))).toBe(403);
    expect(statusOf(await rawRequest(p, get('/', p, { host: `127.0.0.1:${p + 1}` })))).toBe(403);
    expect(statusOf(await rawRequest(p, get('/', p, { host: '127.0.0.1' })))).toBe(403);
    expect(statusOf(await rawRequest(p, `GET / HTTP/1.0\r\n\r\n`))).toBe(403);
  });

  it('refuses an upgrade with a foreign Host even with the right token and Origin', async () => {
    const p = server.port;
    const ok = await rawRequest(p, upgrade(`/ipc?token=${server.token}`, p), 1000).catch((e: Error) => e.message);
    expect(ok).toContain('101 Switching Protocols');
    const answer = await rawRequest(p, upgrade(`/ipc?token=${server.token}`, p, { host: `attacker.example:${p}` }));
    expect(statusOf(answer)).toBe(403);
  });

  it('also accepts an explicitly configured host name', async () => {
    const named = await start({ allowedHosts: ['glassmaster.test'] });
    try {
      const p = named.port;
      expect(statusOf(await rawRequest(p, get('/', p, { host: `glassmaster.test:${p}` })))).toBe(200);
      expect(statusOf(await rawRequest(p, get('/', p, { host: `other.test:${p}` })))).toBe(403);
      const answer = await rawRequest(p, upgrade(`/ipc?token=${named.token}`, p, { host: `glassmaster.test:${p}`, origin: `http://glassmaster.test:${p}` }), 1000).catch((e: Error) => e.message);
      expect(answer).toContain('101 Switching Protocols');
    } finally {
      await named.close();
    }
  });
});

function connect(s: RunningWsServer): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ipc?token=${s.token}`, { origin: s.origin });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function collect(ws: WebSocket, count: number, timeoutMs: number): Promise<ServerMessage[]> {
  const got: ServerMessage[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`got ${got.length} of ${count} replies within ${timeoutMs} ms`)), timeoutMs);
    ws.on('message', (d) => {
      got.push(JSON.parse(d.toString()) as ServerMessage);
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

describe('backpressure', () => {
  it(`answers calls beyond ${MAX_CALLS_IN_FLIGHT} in flight with a typed error`, async () => {
    const ws = await connect(server);
    const extra = 20;
    const replies = collect(ws, extra, 5000);
    for (let id = 1; id <= MAX_CALLS_IN_FLIGHT + extra; id++) ws.send(JSON.stringify({ kind: 'call', id, method: 'devices.media', params: { address: 'virtual:slow' } }));
    const got = await replies;
    expect(got.map((m) => m.kind === 'result' && m.id)).toEqual(Array.from({ length: extra }, (_, i) => MAX_CALLS_IN_FLIGHT + 1 + i));
    expect(got[0]).toMatchObject({ ok: false, error: { name: 'TooManyCallsError', code: 'INVALID_INPUT', retryable: true } });
    // A finished call frees its slot.
    ws.removeAllListeners('message');
    const cancelled = collect(ws, 1, 5000);
    ws.send(JSON.stringify({ kind: 'cancel', id: 1 }));
    expect(await cancelled).toMatchObject([{ id: 1, ok: false, error: { code: 'CANCELLED' } }]);
    ws.removeAllListeners('message');
    const answered = collect(ws, 1, 5000);
    ws.send(JSON.stringify({ kind: 'call', id: 1000, method: 'app.info', params: {} }));
    expect(await answered).toMatchObject([{ id: 1000, ok: true }]);
    ws.close();
  });

  it('closes a client that sends calls and never reads, and memory stays bounded', async () => {
    const ws = await connect(server);
    // The client stops reading its socket: replies pile up in the kernel, then in the server.
    (ws as unknown as { _socket: net.Socket })._socket.pause();
    const before = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - (before.heapUsed + before.arrayBuffers));
    }, 20);
    try {
      // 2,000 calls × 64 KiB of replies = 128 MiB if the server kept them all.
      for (let id = 1; id <= 2000; id++) ws.send(JSON.stringify({ kind: 'call', id, method: 'devices.list', params: {} }));
      const deadline = Date.now() + 10_000;
      while (server.clients > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(server.clients, 'the server still holds the non-reading client').toBe(0);
      expect(warnings.some((w) => w.includes('does not read'))).toBe(true);
      expect(peak).toBeLessThan(MAX_UNSENT_BYTES + 48 * 1024 * 1024);
    } finally {
      clearInterval(sampler);
      ws.terminate();
    }
  });
});

describe('log flood', () => {
  it('20,000 bad frames write a bounded number of log lines and one summary', async () => {
    const ws = await connect(server);
    const replies = collect(ws, 20_000, 30_000);
    for (let i = 0; i < 20_000; i++) ws.send('{not json');
    await replies;
    ws.close();
    const during = warnings.length;
    expect(during).toBeLessThanOrEqual(30);
    await server.close();
    const summary = warnings.slice(during).join('\n');
    expect(summary).toMatch(/\d+ more .*suppressed/);
    expect(warnings.join('\n').length).toBeLessThan(8 * 1024);
  });

  it('refused upgrades write a bounded number of log lines', async () => {
    const p = server.port;
    for (let i = 0; i < 300; i++) await rawRequest(p, upgrade('/ipc?token=wrong', p));
    expect(warnings.length).toBeLessThanOrEqual(30);
  });
});
