// A browser-shell server in its own process, for the tests that must see whether a hostile request
// ends the process (an unhandled rejection or an uncaught throw does; vitest's own process would
// catch it and keep the server alive). Prints the port, then serves until killed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWsServer } from '../ws-server';
import { EventHub, type Handlers } from '../dispatcher';

const dir = mkdtempSync(join(tmpdir(), 'gm-renderer-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
const handlers = new Proxy({} as Handlers, {
  get: (_t, method) => async () => (method === 'app.info' ? { name: 'Glassmaster', version: '0.0.0-test', shell: 'browser', platform: process.platform } : []),
});
const server = await startWsServer({ handlers, hub: new EventHub(), rendererDir: dir, token: 'child-token', log: { warn: (m) => process.stderr.write(`${m}\n`) } });
process.stdout.write(`${server.port}\n`);
