// Starts `glassmaster serve` from the built app (out/main/cli.js) with an isolated state dir, and a
// Debian Chromium page pointed at the printed URL.
import { test as base, chromium, type Browser, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inCI } from '../src-main/testing/peer-tools';

export const root = fileURLToPath(new URL('..', import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(chromiumPath);
if (!haveChromium) {
  const msg = `Chromium not found at ${chromiumPath}: apt-get install chromium`;
  if (inCI) throw new Error(`[CI] ${msg}`);
  console.warn(`[skip] ${msg}`);
}

export interface ServeHandle {
  url: string;
  origin: string;
  stateDir: string;
  process: ChildProcess;
}

export async function startServe(env: Record<string, string> = {}): Promise<ServeHandle> {
  const stateDir = mkdtempSync(join(tmpdir(), 'gm-e2e-state-'));
  const child = spawn(process.execPath, [join(root, 'out/main/cli.js'), 'serve', '--port', '0'], {
    env: { ...process.env, GLASSMASTER_STATE_DIR: stateDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL in time; stderr: ${stderr}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return { url, origin: new URL(url).origin, stateDir, process: child };
}

export async function stopServe(h: ServeHandle): Promise<void> {
  const exited = new Promise((r) => h.process.once('exit', r));
  h.process.kill('SIGTERM');
  await exited;
  rmSync(h.stateDir, { recursive: true, force: true });
}

export const browserArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

export const test = base.extend<{ app: { page: Page; serve: ServeHandle } }, { browserInstance: Browser }>({
  browserInstance: [
    async ({}, use) => {
      const browser = await chromium.launch({ executablePath: chromiumPath, args: browserArgs, headless: true });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  app: async ({ browserInstance }, use, testInfo) => {
    const serve = await startServe();
    const context = await browserInstance.newContext({ viewport: { width: 1200, height: 760 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(serve.url);
    await use({ page, serve });
    await page.screenshot({ path: testInfo.outputPath('screenshot.png'), fullPage: true });
    await context.close();
    await stopServe(serve);
    if (consoleErrors.length) throw new Error(`browser console errors:\n${consoleErrors.join('\n')}`);
  },
});

export { expect } from '@playwright/test';
