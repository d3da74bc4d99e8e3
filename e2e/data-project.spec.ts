// The data-disc job end to end in Chromium against `glassmaster serve` (virtual recorder): the
// first screen, a project built from the file pane and by a synthesized OS drop, the capacity
// meter, an image written and read back by isoinfo, and the project saved and reopened
// (100,000 entries: hundred-thousand.spec.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, TestInfo } from '@playwright/test';
import { expect, haveChromium, hostRow, openShell, projectNames, startServe, stepShots, test, type ServeHandle } from './fixtures';
import { hasTool, inCI } from '../src-main/testing/peer-tools';

test.skip(!haveChromium, 'Chromium is not installed');
const haveIsoinfo = hasTool('isoinfo');
if (!haveIsoinfo && inCI) throw new Error('[CI] isoinfo is missing: apt-get install genisoimage');

let browser: Browser;
// The worker's one Chromium (fixtures.ts), shared by every spec the worker runs.
test.beforeAll(({ browserInstance }) => {
  browser = browserInstance;
});

async function open(home: string, info: TestInfo, theme: 'light' | 'dark' = 'light'): Promise<{ page: Page; serve: ServeHandle; done: () => Promise<void> }> {
  const shell = await openShell(browser, { HOME: home }, { colorScheme: theme });
  return { ...shell, done: () => shell.done(info) };
}

const shot = stepShots();

test('data disc: build from the file pane and an OS drop, see capacity, write an image, save and reopen', async ({}, info) => {
  test.setTimeout(120_000);
  const home = mkdtempSync(join(tmpdir(), 'gm-e2e-home-'));
  mkdirSync(join(home, 'photos', '2026'), { recursive: true });
  writeFileSync(join(home, 'photos', '2026', 'Ωmega café.jpg'), Buffer.alloc(300_000, 7));
  writeFileSync(join(home, 'photos', 'index.txt'), 'index');
  writeFileSync(join(home, 'notes.txt'), 'notes');
  mkdirSync(join(home, 'other'));
  writeFileSync(join(home, 'other', 'notes.txt'), 'other notes');
  const { page, done } = await open(home, info);
  try {
    // The first screen offers the jobs whose services exist.
    await expect(page.getByRole('heading', { name: 'What do you want to do?' })).toBeVisible();
    await expect(page.getByTestId('job-data')).toContainText('New data disc');
    await expect(page.getByTestId('job-image')).toContainText('Write an image file');
    await shot(page, info, 'home');
    await page.getByTestId('job-data').click();
    for (const name of ['Drives', 'Files on this computer', 'Project']) await expect(page.getByRole('region', { name })).toBeVisible();
    await expect(page.getByTestId('host-path')).toHaveText(home);

    // From the file pane: select two entries (click, Ctrl+click) and add them.
    await hostRow(page, 'photos').click();
    await hostRow(page, 'notes.txt').click({ modifiers: ['Control'] });
    await page.getByRole('button', { name: 'Add to project →' }).click();
    await expect.poll(() => projectNames(page)).toEqual(['photos', 'notes.txt']);
    await shot(page, info, 'added-from-pane');

    // Dragged from the pane: the duplicate name is resolved visibly and announced.
    await hostRow(page, 'other').dblclick();
    await expect(page.getByTestId('host-path')).toHaveText(join(home, 'other'));
    await hostRow(page, 'notes.txt').dragTo(page.getByTestId('compilation'));
    await expect.poll(() => projectNames(page)).toEqual(['photos', 'notes (2).txt', 'notes.txt']);
    await expect(page.getByTestId('announcement')).toContainText('added as “notes (2).txt”');

    // A synthesized OS drop (DataTransfer with File objects): streamed into main's stash.
    await page.getByTestId('compilation').evaluate((el) => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped from the desktop'], 'dropped.txt', { type: 'text/plain' }));
      dt.items.add(new File([new Uint8Array(250_000).fill(5)], 'big.bin'));
      for (const type of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => projectNames(page)).toEqual(['photos', 'big.bin', 'dropped.txt', 'notes (2).txt', 'notes.txt']);
    await shot(page, info, 'dropped');

    // Keyboard: new folder, rename it with F2, move a file into it by drag, undo the move.
    await page.getByRole('button', { name: 'New folder' }).click();
    await expect.poll(() => projectNames(page)).toContain('New folder');
    const tree = page.getByRole('listbox', { name: 'Contents of /' });
    await tree.getByRole('option', { name: /New folder/ }).click();
    await page.keyboard.press('F2');
    await page.getByRole('textbox', { name: 'Rename' }).fill('docs');
    await page.keyboard.press('Enter');
    await expect.poll(() => projectNames(page)).toEqual(['docs', 'photos', 'big.bin', 'dropped.txt', 'notes (2).txt', 'notes.txt']);
    await tree.getByRole('option', { name: /big\.bin/ }).dragTo(tree.getByRole('option', { name: /docs/ }));
    await expect.poll(() => projectNames(page)).toEqual(['docs', 'photos', 'dropped.txt', 'notes (2).txt', 'notes.txt']);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => projectNames(page)).toContain('big.bin');
    // Delete from the keyboard, then undo with Ctrl+Z.
    await tree.getByRole('option', { name: /dropped\.txt/ }).click();
    await page.keyboard.press('Delete');
    await expect.poll(() => projectNames(page)).not.toContain('dropped.txt');
    await page.keyboard.press('Control+z');
    await expect.poll(() => projectNames(page)).toContain('dropped.txt');

    // Capacity: the engine's plan (more than the files alone: file-system structures), against a CD.
    const meter = page.getByTestId('capacity-meter');
    await expect(page.getByTestId('capacity-text')).not.toContainText('planning', { timeout: 15_000 });
    const planned = Number(await meter.getAttribute('aria-valuenow'));
    expect(planned).toBeGreaterThan(300_000 + 250_000 + 16 * 2048);
    expect(planned % 2048).toBe(0);
    await page.getByRole('combobox', { name: 'Measure against' }).selectOption('cd');
    await expect(meter).toHaveAttribute('data-state', 'ok');
    await shot(page, info, 'capacity');

    // Save the project into the home folder (the file pane's folder).
    await page.getByRole('button', { name: 'Up' }).click();
    await expect(page.getByTestId('host-path')).toHaveText(home);
    await page.keyboard.press('Control+s');
    await page.getByRole('textbox', { name: 'Save the project as' }).fill('trip');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByTestId('announcement')).toContainText(`Project saved to ${join(home, 'trip.glassmaster')}`);
    await expect(hostRow(page, 'trip.glassmaster')).toBeVisible();

    // Light and dark screenshots for the README.
    await page.screenshot({ path: info.outputPath('screenshot-light.png') });
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await page.screenshot({ path: info.outputPath('screenshot-dark.png') });
    await page.getByRole('button', { name: 'Dark theme' }).click();

    // Write the image into the home folder and read it back with isoinfo.
    await page.getByRole('button', { name: 'Write image file…' }).click();
    await expect(page.getByRole('region', { name: 'Image file' })).toBeVisible();
    await page.getByRole('textbox', { name: 'File name' }).fill('trip.iso');
    await page.getByRole('button', { name: 'Write image' }).click();
    await expect(page.getByTestId('image-result')).toContainText(`Image written: ${join(home, 'trip.iso')}`, { timeout: 30_000 });
    await shot(page, info, 'image-written');
    if (haveIsoinfo) {
      const listed = execFileSync('isoinfo', ['-R', '-f', '-i', join(home, 'trip.iso')], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
      expect(listed).toEqual(['/big.bin', '/docs', '/dropped.txt', '/notes (2).txt', '/notes.txt', '/photos', '/photos/2026', '/photos/2026/Ωmega café.jpg', '/photos/index.txt']);
    } else console.warn('[skip] isoinfo missing: image contents not checked');
    // Writing again to the same name is refused, as a sentence with the detail one click away.
    await page.getByRole('button', { name: 'Write image' }).click();
    await expect(page.getByTestId('error')).toContainText('already exists');
    await page.getByTestId('error').getByText('Details').click();
    await expect(page.getByTestId('error').locator('pre')).toContainText('code: INVALID_INPUT');
    await page.getByRole('button', { name: 'Dismiss' }).click();

    // Clear the project, then reopen it from the recent list on the first screen.
    await page.getByRole('button', { name: 'Edit the project' }).click();
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect(page.getByTestId('compilation')).toContainText('The project is empty');
    await page.getByRole('button', { name: '← All jobs' }).click();
    await page.getByRole('button', { name: /GLASSMASTER — .*trip\.glassmaster/ }).click();
    await expect.poll(() => projectNames(page)).toEqual(['docs', 'photos', 'big.bin', 'dropped.txt', 'notes (2).txt', 'notes.txt']);
    await expect(page.getByTestId('project-summary')).toContainText('trip.glassmaster');
    await shot(page, info, 'reopened');
  } finally {
    await done();
    rmSync(home, { recursive: true, force: true });
  }
});

test('when the browser shell stops, the page says so and what to open', async () => {
  const serve = await startServe();
  const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
  const page = await context.newPage();
  try {
    await page.goto(serve.url);
    await expect(page.getByTestId('connection')).toHaveText('Connected');
    const exited = new Promise((r) => serve.process.once('exit', r));
    serve.process.kill('SIGTERM');
    await exited;
    await expect(page.getByTestId('connection')).toHaveText('Disconnected');
    await expect(page.getByTestId('connection-lost')).toContainText('glassmaster serve');
    await expect(page.getByTestId('reconnect-hint')).toContainText(`Glassmaster is not answering at ${serve.origin}`);
    await expect(page.getByTestId('reconnect-hint')).toContainText('if it prints another address, open that one');
  } finally {
    await context.close();
    rmSync(serve.stateDir, { recursive: true, force: true });
  }
});
