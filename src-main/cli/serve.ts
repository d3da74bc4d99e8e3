// `glassmaster serve`: the browser shell. Same services as the Electron shell, reached by a
// browser over a token-authenticated loopback WebSocket.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startWsServer, type RunningWsServer } from '../ipc/ws-server';
import { createServices, defaultStateDir } from '../app/services';
import { loadServeIdentity, saveServeIdentity } from './serve-identity';
import { rendererDir } from '../app/package-info';
import { InvalidInputError, NotFoundError } from '../common/errors';
import { ALLOWED_HOST_PATTERN } from '../ipc/request-target';
import { parseIscsiAddress } from '../transport/iscsi/address';

export interface ServeOptions {
  port?: number;
  open?: boolean;
  /** Where to print the URL (stdout by default). */
  print?: (line: string) => void;
  /** iSCSI drives the browser may use for this run, besides config.json's (`--iscsi`). */
  iscsiDrives?: string[];
  /** Host names besides 127.0.0.1/localhost that requests may name (`--allow-host`). */
  allowedHosts?: string[];
}

export async function serve(opts: ServeOptions = {}): Promise<RunningWsServer & { stop(): Promise<void> }> {
  const dir = rendererDir();
  if (!existsSync(join(dir, 'index.html'))) throw new NotFoundError(`the renderer is not built (${dir}): run \`npm run build\` first`);
  const allowedHosts = opts.allowedHosts ?? [];
  for (const h of allowedHosts) if (!ALLOWED_HOST_PATTERN.test(h)) throw new InvalidInputError(`--allow-host takes a host name (letters, digits, dots, dashes), not ${JSON.stringify(h)}`);
  for (const a of opts.iscsiDrives ?? []) parseIscsiAddress(a); // a usage error before anything starts
  const services = await createServices({ shell: 'browser', iscsiDrives: opts.iscsiDrives });
  // The same address and token as last time (serve-identity.ts): an open page reconnects by itself.
  const stateDir = defaultStateDir();
  const identity = await loadServeIdentity(stateDir);
  const start = (port: number | undefined) => startWsServer({ handlers: services.handlers, hub: services.hub, rendererDir: dir, port, token: identity.token, allowedHosts });
  let server: RunningWsServer;
  try {
    server = await start(opts.port ?? identity.port);
  } catch (err) {
    // The remembered port is taken now: any free one (an explicit --port stays an error).
    if (opts.port !== undefined || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    server = await start(undefined);
  }
  await saveServeIdentity(stateDir, { token: identity.token, port: server.port }).catch((err: Error) => console.warn(`[glassmaster] cannot remember the address: ${err.message}`));
  (opts.print ?? ((l) => process.stdout.write(l + '\n')))(`Glassmaster is running at ${server.url}`);
  if (opts.open) openBrowser(server.url);
  return Object.assign(server, {
    async stop() {
      await server.close();
      await services.close();
    },
  });
}

function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`Could not open a browser; open ${url} yourself.\n`));
  child.unref();
}
