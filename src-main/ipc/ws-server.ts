// The browser shell's server: serves the built renderer on 127.0.0.1 and carries the IPC contract
// over a WebSocket. A random per-run token (in the printed URL's fragment, never logged by the
// server), an exact Origin check, a Host check (DNS rebinding) and a per-message size limit guard
// the socket; a cap on calls in flight and on unsent bytes bounds what one client can make the
// server hold. The MUST rules are in ./README.md: every request ends in its handler.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES, type ServerMessage } from '../common/ipc/contract';
import { ClientSession, type DispatcherLog, type EventHub, type Handlers } from './dispatcher';
import { InvalidInputError } from '../common/errors';
import { CONTENT_SECURITY_POLICY } from './csp';
import { MAX_CALLS_IN_FLIGHT, MAX_UNSENT_BYTES } from './limits';
import { DEFAULT_LOG_LIMIT, RateLimitedLog, type LogLimit } from './log-limiter';
import { hostAllowed, LOOPBACK_HOST_NAMES, parseRequestTarget } from './request-target';

export interface WsServerOptions {
  handlers: Handlers;
  hub: EventHub;
  /** Directory with the built renderer (index.html + assets). */
  rendererDir: string;
  port?: number;
  log?: DispatcherLog;
  /** Fixed token for tests; random otherwise. */
  token?: string;
  /** Host names besides 127.0.0.1 and localhost that requests may name (`serve --allow-host`), e.g. an /etc/hosts alias. */
  allowedHosts?: readonly string[];
  /** Budget of log lines per reason (defaults: DEFAULT_LOG_LIMIT). */
  logLimit?: LogLimit;
  /** Calls in flight per connection (default MAX_CALLS_IN_FLIGHT). */
  maxCallsInFlight?: number;
  /** Unsent bytes per connection before it is closed (default MAX_UNSENT_BYTES). */
  maxUnsentBytes?: number;
}

export interface RunningWsServer {
  url: string;
  origin: string;
  port: number;
  token: string;
  /** Open client sessions (for tests and shutdown). */
  readonly clients: number;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export async function startWsServer(opts: WsServerOptions): Promise<RunningWsServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const out = opts.log ?? { warn: (m: string) => console.warn(`[glassmaster] ${m}`) };
  const limited = new RateLimitedLog((line) => out.warn(line), opts.logLimit ?? DEFAULT_LOG_LIMIT);
  // Every line a client can cause goes through the limiter, keyed by a fixed reason.
  const log = { warn: (msg: string, reason = 'warning') => limited.warn(reason, msg) };
  const maxUnsent = opts.maxUnsentBytes ?? MAX_UNSENT_BYTES;
  const hostNames = [...LOOPBACK_HOST_NAMES, ...(opts.allowedHosts ?? []).map((h) => h.toLowerCase())];
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let port = 0;
  let origins: string[] = [];
  let clients = 0;

  // Every request, upgrade and message is handled inside one of these two guards: an error that a
  // handler did not expect answers 500 (or drops the socket) and is logged; it never reaches the
  // process as an unhandled rejection or an uncaught exception.
  const contain = (task: Promise<void>, onError: () => void, what: string) =>
    task.catch((err: unknown) => {
      log.warn(`${what} failed: ${(err as Error)?.stack ?? String(err)}`, `${what} failed`);
      try {
        onError();
      } catch {
        // the socket is already gone
      }
    });

  server.on('request', (req, res) => {
    void contain(
      handleRequest(req, res),
      () => (res.headersSent ? res.destroy() : res.writeHead(500, { ...SECURITY_HEADERS, Connection: 'close' }).end()),
      'HTTP request',
    );
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, port, hostNames)) {
      log.warn(`refused HTTP request: Host ${JSON.stringify(req.headers.host ?? '(none)')}`, 'refused HTTP request');
      res.writeHead(403, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain', Connection: 'close' }).end('unexpected Host header');
      return;
    }
    const target = parseRequestTarget(req.url);
    if (!target) {
      res.writeHead(400, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain', Connection: 'close' }).end('bad request target');
      return;
    }
    await serveStatic(opts.rendererDir, req.method, target.pathname, res);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset during the handshake must not become an unhandled 'error' event.
    socket.on('error', (err) => log.warn(`upgrade socket: ${err.message}`, 'upgrade socket error'));
    void contain(
      (async () => handleUpgrade(req, socket, head))(),
      () => socket.destroy(),
      'WebSocket upgrade',
    );
  });

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (code: 400 | 401 | 403, why: string) => {
      log.warn(`refused WebSocket upgrade: ${why}`, 'refused WebSocket upgrade');
      socket.end(`HTTP/1.1 ${code} ${STATUS_TEXT[code]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostAllowed(req.headers.host, port, hostNames)) return refuse(403, `Host ${JSON.stringify(req.headers.host ?? '(none)')}`);
    const target = parseRequestTarget(req.url);
    if (!target) return refuse(400, 'bad request target');
    if (target.pathname !== '/ipc') return refuse(403, `path ${JSON.stringify(target.pathname)}`);
    if (!origins.includes(req.headers.origin ?? '')) return refuse(403, `foreign origin ${JSON.stringify(req.headers.origin ?? '(none)')}`);
    if (!tokenMatches(target.searchParams.get('token'), token)) return refuse(401, 'missing or wrong token');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  }

  wss.on('connection', (ws: WebSocket) => {
    clients++;
    let closing = false;
    const send = (msg: ServerMessage) => {
      if (ws.readyState !== ws.OPEN || closing) return;
      ws.send(JSON.stringify(msg));
      // Backpressure: what the socket has not taken yet (ws's queue + the socket's buffer) is
      // memory this client makes us hold. A client that does not read is closed, not buffered for.
      if (ws.bufferedAmount > maxUnsent) {
        closing = true;
        log.warn(`closed a client that does not read its replies (${ws.bufferedAmount} bytes unsent, limit ${maxUnsent})`, 'closed slow client');
        ws.terminate();
      }
    };
    const session = new ClientSession(opts.handlers, send, log, opts.maxCallsInFlight ?? MAX_CALLS_IN_FLIGHT);
    const unsubscribe = opts.hub.subscribe((event, payload) => {
      // Runs inside the service that emitted: a failure here must not reach it or the other clients.
      try {
        send({ kind: 'event', event, payload });
      } catch (err) {
        log.warn(`event ${event} not sent: ${(err as Error)?.message ?? String(err)}`, 'event not sent');
      }
    });
    ws.on('message', (data, isBinary) => {
      const task = isBinary
        ? Promise.resolve(send({ kind: 'result', id: null, ok: false, error: new InvalidInputError('binary frames are not accepted').toJSON() }))
        : session.receive(data.toString('utf8'));
      void contain(task, () => ws.terminate(), 'IPC message');
    });
    ws.on('close', () => {
      clients--;
      unsubscribe();
      session.close();
    });
    ws.on('error', (err) => log.warn(`WebSocket error: ${err.message}`, 'WebSocket error'));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  origins = hostNames.map((h) => `http://${h}:${port}`);
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    origin: origins[0],
    port,
    token,
    get clients() {
      return clients;
    },
    close: () =>
      (closed ??= closeAll(server, wss).finally(() => limited.close())),
  };
}

const STATUS_TEXT = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden' } as const;

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function tokenMatches(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function serveStatic(root: string, method: string | undefined, pathname: string, res: ServerResponse): Promise<void> {
  const headers = SECURITY_HEADERS;
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  const rel = normalize(pathname === '/' ? '/index.html' : pathname);
  const file = join(root, rel);
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    res.writeHead(403, headers).end();
    return;
  }
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
    const body = await readFile(file);
    res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
  }
}

async function closeAll(server: Server, wss: WebSocketServer): Promise<void> {
  for (const ws of wss.clients) ws.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
