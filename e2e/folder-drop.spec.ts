// Folders dropped from the OS on the browser shell's page: the drop is synthesized with the File and
// Directory Entries API shapes Chromium hands a page (webkitGetAsEntry, a directory reader that
// returns children in batches of two, then an empty batch), holding real File objects. The folder
// structure (an empty folder too) lands in the project through main's stash with progress; the
// project is saved, `glassmaster serve` is restarted (the stash emptied), the open page reconnects
// by itself (same address and token), the project reopens with every dropped file, and the image
// written from it holds the tree (isoinfo).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { collectErrors, connect, expect, haveChromium, projectNames, root, stepShots, test } from './fixtures';
import { hasTool, inCI } from '../src-main/testing/peer-tools';

test.skip(!haveChromium, 'Chromium is not installed');
const haveIsoinfo = hasTool('isoinfo');
if (!haveIsoinfo && inCI) throw new Error('[CI] isoinfo is missing: apt-get install genisoimage');

let browser: Browser;
// The worker's one Chromium (fixtures.ts), shared by every spec the worker runs.
test.beforeAll(({ browserInstance }) => {
  browser = browserInstance;
});
const shot = stepShots();

/** `glassmaster serve` as a user starts it (no --port: the remembered address, else a free one). */
async function startServe(env: Record<string, string>): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(root, 'out/main/cli.js'), 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL; stderr: ${stderr}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Drops the folder "trip" (a.txt, day1/{big.jpg 3 MB, c.txt}, empty/, d.txt, e.txt) on the project tree. */
async function dropTrip(page: Page): Promise<void> {
  await page.getByTestId('compilation').evaluate((el) => {
    const file = (name: string, text: string) => new File([text], name, { type: 'application/octet-stream' });
    const fileEntry = (f: File) => ({ isFile: true, isDirectory: false, name: f.name, file: (ok: (f: File) => void) => setTimeout(() => ok(f)) });
    type Entry = ReturnType<typeof fileEntry> | { isFile: false; isDirectory: true; name: string; createReader: () => unknown };
    const dirEntry = (name: string, children: Entry[]): Entry => ({
      isFile: false,
      isDirectory: true,
      name,
      createReader: () => {
        let next = 0;
        return {
          readEntries: (ok: (batch: Entry[]) => void) =>
            setTimeout(() => {
              const batch = children.slice(next, next + 2);
              next += batch.length;
              ok(batch);
            }),
        };
      },
    });
    const trip = dirEntry('trip', [
      fileEntry(file('a.txt', 'A')),
      dirEntry('day1', [fileEntry(file('big.jpg', 'x'.repeat(3_000_000))), fileEntry(file('c.txt', 'C'))]),
      dirEntry('empty', []),
      fileEntry(file('d.txt', 'D')),
      fileEntry(file('e.txt', 'E')),
    ]);
    const dt = { types: ['Files'], files: [new File([], 'trip')], items: [{ kind: 'file', webkitGetAsEntry: () => trip }], getData: () => '', dropEffect: 'none', effectAllowed: 'all' };
    for (const type of ['dragenter', 'dragover', 'drop']) {
      const ev = new DragEvent(type, { bubbles: true, cancelable: true });
      Object.defineProperty(ev, 'dataTransfer', { value: dt });
      el.dispatchEvent(ev);
    }
  });
}

test('drop a folder tree from the OS, save, restart serve: the page reconnects and the project reopens whole', async ({}, info) => {
  test.setTimeout(120_000);
  const home = mkdtempSync(join(tmpdir(), 'gm-e2e-drop-'));
  const state = mkdtempSync(join(tmpdir(), 'gm-e2e-drop-state-'));
  const env = { HOME: home, GLASSMASTER_STATE_DIR: state };
  let serve = await startServe(env);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // The restart below makes the page's socket fail until serve is back: expected.
  const errors = collectErrors(page, /WebSocket connection to .* failed|ERR_CONNECTION_REFUSED/);
  try {
    await connect(page, serve.url);
    await page.getByTestId('job-data').click();
    await dropTrip(page);
    await expect(page.getByTestId('upload-progress')).toBeVisible();
    await expect.poll(() => projectNames(page), { timeout: 30_000 }).toEqual(['trip']);
    await expect(page.getByTestId('upload-progress')).toHaveCount(0);
    await page.getByTestId('compilation').locator('.vrow', { hasText: 'trip' }).dblclick();
    await expect.poll(() => projectNames(page)).toEqual(['day1', 'empty', 'a.txt', 'd.txt', 'e.txt']);
    await expect(page.getByTestId('project-summary')).toContainText('5 files, 3 folders');
    await shot(page, info, 'dropped-tree');
    // One drop, one undo step.
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => projectNames(page)).toEqual([]);
    await dropTrip(page);
    await expect.poll(() => projectNames(page), { timeout: 30_000 }).toEqual(['trip']);

    await expect(page.getByTestId('host-path')).toHaveText(home);
    await page.keyboard.press('Control+s');
    await page.getByRole('textbox', { name: 'Save the project as' }).fill('trip');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByTestId('announcement')).toContainText(`Project saved to ${join(home, 'trip.glassmaster')}`);
    // The dropped files are kept with the project (the stash is emptied on the next start).
    expect(existsSync(join(home, 'trip.files', 'trip', 'day1', 'big.jpg'))).toBe(true);

    // Restart serve with the same state dir: the open page reconnects by itself (same address and token).
    const url = serve.url;
    await serve.stop();
    await expect(page.getByTestId('connection-lost')).toBeVisible();
    await expect(page.getByTestId('reconnect-hint')).toContainText(`Glassmaster is not answering at ${new URL(url).origin}`);
    await shot(page, info, 'serve-stopped');
    serve = await startServe(env);
    expect(serve.url).toBe(url);
    await expect(page.getByTestId('connection')).toHaveText('Connected', { timeout: 15_000 });
    await expect(page.getByTestId('connection-lost')).toHaveCount(0);

    await page.getByRole('button', { name: '← All jobs' }).click();
    await page.getByRole('button', { name: /trip\.glassmaster/ }).click();
    await expect.poll(() => projectNames(page)).toEqual(['trip']);
    await expect(page.getByTestId('project-summary')).toContainText('5 files, 3 folders');
    await expect(page.getByTestId('error')).toHaveCount(0);
    await shot(page, info, 'reopened-after-restart');

    await page.getByRole('button', { name: 'Write image file…' }).click();
    await page.getByRole('textbox', { name: 'File name' }).fill('trip.iso');
    await page.getByRole('button', { name: 'Write image' }).click();
    await expect(page.getByTestId('image-result')).toContainText('Image written', { timeout: 30_000 });
    if (haveIsoinfo) {
      const iso = (await page.getByTestId('image-result').textContent())!.match(/(\/\S+\.iso)/)![1];
      const listed = execFileSync('isoinfo', ['-R', '-f', '-i', iso], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
      expect(listed).toEqual(['/trip', '/trip/a.txt', '/trip/d.txt', '/trip/day1', '/trip/day1/big.jpg', '/trip/day1/c.txt', '/trip/e.txt', '/trip/empty']);
      expect(execFileSync('isoinfo', ['-R', '-x', '/trip/day1/c.txt', '-i', iso], { encoding: 'utf8' })).toBe('C');
    } else console.warn('[skip] isoinfo missing: the image is not checked');
    expect(errors, 'browser console errors').toEqual([]);
  } finally {
    await page.screenshot({ path: info.outputPath('last.png') });
    await context.close();
    await serve.stop().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
});
