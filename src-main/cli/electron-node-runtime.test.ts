// The app's code on the desktop app's runtime: Electron 41 runs Node 24 (testing/electron-node.ts),
// the suite runs on the Node that runs it. Only what differs by runtime is checked here: the native
// addon in worker threads (loaded by the image engine's scan and copy threads), a whole image job
// and a burn with verify through the CLI, each run to its exit. Under Node 24 the addon's teardown
// deadlocked in every worker that had loaded it, and `glassmaster image` never exited.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminateInsideNativeCallScript } from '../testing/addon-terminate-script';
import { electronNode } from '../testing/electron-node';
import { inCI, requireTools } from '../testing/peer-tools';
import { cliMain } from './test-support';

const node = electronNode();
const addonFile = join(process.cwd(), 'native', 'build', 'Release', 'glassmaster_native.node');
if (node && !existsSync(addonFile)) {
  if (inCI) throw new Error(`[CI] the native addon is not built (${addonFile}): npm ci builds it`);
  console.warn(`[skip] the native addon is not built (${addonFile})`);
}
const ready = node !== undefined && existsSync(addonFile) && requireTools('isoinfo');

interface Run { code: number | null; stdout: string; stderr: string; timedOut: boolean }

/** Runs `bin args` to its exit, or kills it after `timeoutMs` (a hang is the failure looked for). */
function run(bin: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(bin, args, { env: { ...process.env, ...env }, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr, timedOut: Boolean(e?.killed) });
    });
  });
}

describe.skipIf(!ready)(`the app's code on Electron's runtime (Node ${process.versions.node} runs the suite)`, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const glassmaster = (args: string[], timeoutMs = 60_000) => run(node!, ['--import', 'tsx', cliMain, ...args], env, timeoutMs);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gm-electron-node-'));
    env = { GLASSMASTER_STATE_DIR: join(dir, 'state'), GLASSMASTER_NATIVE_ADDON: addonFile };
    const src = join(dir, 'src');
    for (let d = 0; d < 20; d++) {
      mkdirSync(join(src, `folder-${d}`), { recursive: true });
      for (let f = 0; f < 20; f++) writeFileSync(join(src, `folder-${d}`, `file-${f}.txt`), `folder ${d} file ${f}\n`.repeat(50 + f));
    }
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a worker thread that loaded the native addon exits by itself', async () => {
    const script = `const { Worker } = require('node:worker_threads');
      const w = new Worker("require(require('node:worker_threads').workerData)", { eval: true, workerData: ${JSON.stringify(addonFile)} });
      w.on('exit', (c) => console.log('worker exit ' + c));`;
    const r = await run(node!, ['-e', script], {}, 20_000);
    expect(r.timedOut, 'the worker never exited (the addon teardown deadlock)').toBe(false);
    expect(r.stdout.trim()).toBe('worker exit 0');
  }, 30_000);

  it('a worker terminated inside a native call (a scan cancelled by the image pool) leaves the process running', async () => {
    const script = terminateInsideNativeCallScript(addonFile, dir);
    const r = await run(node!, ['-e', script], {}, 30_000);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('all terminated');
    expect(r.code).toBe(0);
  }, 60_000);

  it('`glassmaster image` writes its image and exits; isoinfo reads every file', async () => {
    const out = join(dir, 'out.iso');
    const r = await glassmaster(['image', '-o', out, join(dir, 'src')]);
    expect(r.timedOut, 'glassmaster image did not exit within 60 s').toBe(false);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statSync(out).size % 2048).toBe(0);
    const listing = await run('isoinfo', ['-R', '-f', '-i', out], {}, 30_000);
    expect(listing.stdout.split('\n').filter((l) => /\/file-\d+\.txt$/.test(l))).toHaveLength(400);
  }, 90_000);

  it('`glassmaster burn` to a virtual recorder, full verify, exits 0', async () => {
    expect((await glassmaster(['virtual', 'create', 'n24', '--media', 'dvd+r', '--unlimited'])).code).toBe(0);
    const r = await glassmaster(['burn', '--drive', 'virtual:n24', '--close', '--verify', 'full', join(dir, 'src')], 120_000);
    expect(r.timedOut, 'glassmaster burn did not exit within 120 s').toBe(false);
    expect(r.code, r.stderr).toBe(0);
    const v = await glassmaster(['verify', '--drive', 'virtual:n24', '--manifest']);
    expect(v.code, v.stderr).toBe(0);
  }, 240_000);
});
