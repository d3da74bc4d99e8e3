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
// GM_FIXTURE_LIST_ITEMS: how many drives devices.list answers (the flood probe wants big replies).
const listItems = Number(process.env.GM_FIXTURE_LIST_ITEMS ?? 0);
const list = Array.from({ length: listItems }, (_, i) => ({ address: `virtual:d${i}`, vendor: 'V'.repeat(60), model: 'M'.repeat(60), revision: '1.00', kind: 'virtual' }));
const handlers = new Proxy({} as Handlers, {
  get: (_t, method) => async () => (method === 'app.info' ? { name: 'Glassmaster', version: '0.0.0-test', shell: 'browser', platform: process.platform } : list),
});
const server = await startWsServer({ handlers, hub: new EventHub(), rendererDir: dir, token: 'child-token', log: { warn: (m) => process.stderr.write(`${m}\n`) } });
process.stdout.write(`${server.port}\n`);
