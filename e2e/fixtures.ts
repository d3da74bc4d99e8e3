// Starts `glassmaster serve` from the built app (out/main/cli.js) with an isolated state dir, and a
// Debian Chromium page pointed at the printed URL.
import { test as base, chromium, expect as pwExpect, type Browser, type BrowserContextOptions, type Page, type TestInfo } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
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

const browserArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

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

/**
 * The browser shell in a fresh context: `glassmaster serve` started with `env`, a page at its URL
 * once it says Connected, browser console errors collected. done() keeps a last screenshot, closes
 * the context, stops serve, and fails the test on any console error.
 */
export async function openShell(browser: Browser, env: Record<string, string>, contextOptions: BrowserContextOptions = {}): Promise<{ page: Page; serve: ServeHandle; done: (info: TestInfo) => Promise<void> }> {
  const serve = await startServe(env);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(serve.url);
  await pwExpect(page.getByTestId('connection')).toHaveText('Connected');
  return {
    page,
    serve,
    done: async (info) => {
      await page.screenshot({ path: info.outputPath('last.png') });
      await context.close();
      await stopServe(serve);
      pwExpect(errors, 'browser console errors').toEqual([]);
    },
  };
}

/** Numbered screenshots of a test's steps, kept as test output. */
export function stepShots(): (page: Page, info: TestInfo, name: string) => Promise<Buffer> {
  let step = 0;
  return (page, info, name) => page.screenshot({ path: info.outputPath(`${String(++step).padStart(2, '0')}-${name}.png`) });
}
/** A regular expression matching exactly this text. */
export const exactly = (name: string) => new RegExp(`^${name.replace(/[.()*+?[\]\\^$|{}]/g, '\\$&')}$`);
/** A row of the "Files on this computer" pane, by name. */
export const hostRow = (page: Page, name: string) => page.getByTestId('host-list').locator('.vrow').filter({ has: page.locator('.name', { hasText: exactly(name) }) });
/** The names the project tree shows. */
export const projectNames = async (page: Page) => await page.getByTestId('compilation').locator('.vrow .name').allTextContents();

/** The built CLI as a user runs it, against the state directory `state` (virtual recorders, drops). */
export const gm = (state: string, ...args: string[]) => execFileSync(process.execPath, [join(root, 'out/main/cli.js'), ...args], { env: { ...process.env, GLASSMASTER_STATE_DIR: state }, encoding: 'utf8' });

/** Collects the page's uncaught errors and console errors (`ignore`: console texts a spec expects, e.g. a reconnect's failed socket). */
export function collectErrors(page: Page, ignore?: RegExp): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !ignore?.test(m.text()) && errors.push(m.text()));
  return errors;
}

/** Opens the browser shell at `url` and waits until the page says it is connected. */
export async function connect(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await pwExpect(page.getByTestId('connection')).toHaveText('Connected');
}
