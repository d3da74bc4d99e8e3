// The browser shell's server: serves the built renderer on 127.0.0.1 and carries the IPC contract
// over a WebSocket. A random per-run token (in the printed URL's fragment, never logged by the
// server), an exact Origin check and a per-message size limit guard the socket.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES, type ServerMessage } from '../common/ipc/contract';
import { ClientSession, type DispatcherLog, type EventHub, type Handlers } from './dispatcher';
import { CONTENT_SECURITY_POLICY } from './csp';

export interface WsServerOptions {
  handlers: Handlers;
  hub: EventHub;
  /** Directory with the built renderer (index.html + assets). */
  rendererDir: string;
  port?: number;
  log?: DispatcherLog;
  /** Fixed token for tests; random otherwise. */
  token?: string;
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
  const log = opts.log ?? { warn: (m) => console.warn(`[glassmaster] ${m}`) };
  const server = createServer((req, res) => void serveStatic(opts.rendererDir, req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let origins: string[] = [];
  let clients = 0;

  server.on('upgrade', (req, socket, head) => {
    const refuse = (code: number, why: string) => {
      log.warn(`refused WebSocket upgrade: ${why}`);
      socket.end(`HTTP/1.1 ${code} ${code === 403 ? 'Forbidden' : 'Unauthorized'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/ipc') return refuse(403, `path ${url.pathname}`);
    if (!origins.includes(req.headers.origin ?? '')) return refuse(403, `foreign origin ${req.headers.origin ?? '(none)'}`);
    if (!tokenMatches(url.searchParams.get('token'), token)) return refuse(401, 'missing or wrong token');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });

  wss.on('connection', (ws: WebSocket) => {
    clients++;
    const send = (msg: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const session = new ClientSession(opts.handlers, send, log);
    const unsubscribe = opts.hub.subscribe((event, payload) => send({ kind: 'event', event, payload }));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return send({ kind: 'result', id: null, ok: false, error: { name: 'InvalidInputError', code: 'INVALID_INPUT', message: 'binary frames are not accepted', retryable: false } });
      void session.receive(data.toString('utf8'));
    });
    ws.on('close', () => {
      clients--;
      unsubscribe();
      session.close();
    });
    ws.on('error', (err) => log.warn(`WebSocket error: ${err.message}`));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    origin: origins[0],
    port,
    token,
    get clients() {
      return clients;
    },
    close: () => closeAll(server, wss),
  };
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
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
    res.end(req.method === 'HEAD' ? undefined : body);
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
