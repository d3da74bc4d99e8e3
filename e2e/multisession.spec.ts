// "Add to a disc" end to end in Chromium against `glassmaster serve`: a CD-R whose first session
// the CLI burned (a.txt, b.txt, keep/c.txt), opened in the multisession job: its files shown greyed,
// one file added (d.txt), one replaced (b.txt), one removed (a.txt), the next session burned and
// verified, the view showing what the disc holds now; then the disc checked outside the app (the
// CLI's `ls` of the last session, xorriso loading that session from the recorder's disc image).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from '@playwright/test';
import { expect, haveChromium, hostRow, startServe, stepShots, stopServe, test, gm, collectErrors, connect } from './fixtures';
import { requireTools } from '../src-main/testing/peer-tools';

test.skip(!haveChromium, 'Chromium is not installed');
// Fails loudly in CI when xorriso is missing (peer-tools.ts); elsewhere the file checks are skipped.
const haveXorriso = requireTools('xorriso');


let browser: Browser;
// The worker's one Chromium (fixtures.ts), shared by every spec the worker runs.
test.beforeAll(({ browserInstance }) => {
  browser = browserInstance;
});

const shot = stepShots();

test('add to a disc: old files greyed, add one, replace one, remove one, burn the next session, see what the disc holds now', async ({}, info) => {
  test.setTimeout(120_000);
  const home = mkdtempSync(join(tmpdir(), 'gm-e2e-ms-'));
  const state = mkdtempSync(join(tmpdir(), 'gm-e2e-ms-state-'));
  mkdirSync(join(home, 'first', 'keep'), { recursive: true });
  writeFileSync(join(home, 'first', 'a.txt'), 'old a\n');
  writeFileSync(join(home, 'first', 'b.txt'), 'old b\n');
  writeFileSync(join(home, 'first', 'keep', 'c.txt'), 'kept c\n');
  mkdirSync(join(home, 'next'));
  writeFileSync(join(home, 'next', 'b.txt'), 'the new b, longer than the old one\n');
  writeFileSync(join(home, 'next', 'd.txt'), 'new d\n');
  gm(state, 'virtual', 'create', 'ms', '--media', 'cd-r');
  gm(state, 'virtual', 'create', 'other', '--media', 'dvd+r');
  const f = join(home, 'first');
  gm(state, 'burn', '--drive', 'virtual:ms', '--multisession', '--no-manifest', `/a.txt=${f}/a.txt`, `/b.txt=${f}/b.txt`, `/keep=${f}/keep`);

  const serve = await startServe({ HOME: home, GLASSMASTER_STATE_DIR: state });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = collectErrors(page);
  try {
    await connect(page, serve.url);
    await page.getByTestId('job-multisession').click();
    await page.getByRole('listbox', { name: 'Drives' }).getByRole('option', { name: /virtual:ms\b/ }).click();

    // The disc's first session, greyed, every entry "on the disc".
    const disc = page.getByTestId('disc-files');
    const rows = disc.getByTestId('disc-row');
    await expect(rows.locator('.name')).toHaveText(['keep', 'a.txt', 'b.txt'], { timeout: 20_000 });
    await expect(disc.getByTestId('disc-files-summary')).toContainText('CD-R, 1 session');
    for (const r of await rows.all()) await expect(r).toHaveAttribute('data-fate', 'kept');
    await disc.getByRole('button', { name: 'keep', exact: true }).click();
    await expect(rows.locator('.name')).toHaveText(['c.txt']);
    await disc.getByRole('button', { name: 'Disc', exact: true }).click();
    await expect(rows.locator('.name')).toHaveText(['keep', 'a.txt', 'b.txt']);
    await shot(page, info, 'disc-files');

    // New files from the file pane: b.txt replaces the disc's, d.txt is added.
    await hostRow(page, 'next').dblclick();
    await hostRow(page, 'b.txt').click();
    await hostRow(page, 'd.txt').click({ modifiers: ['Control'] });
    await page.getByRole('button', { name: 'Add to project →' }).click();
    await expect.poll(() => page.getByTestId('compilation').locator('.vrow .name').allTextContents()).toEqual(['b.txt', 'd.txt']);
    await expect(rows.filter({ hasText: 'b.txt' })).toHaveAttribute('data-fate', 'replaced');
    await expect(rows.filter({ hasText: 'b.txt' })).toContainText('replaced by the new file');
    // a.txt is left out of the next session; Keep undoes it, Remove again.
    await disc.getByRole('button', { name: 'Remove a.txt from the disc' }).click();
    await expect(rows.filter({ hasText: 'a.txt' })).toHaveAttribute('data-fate', 'removed');
    await disc.getByRole('button', { name: 'Keep a.txt on the disc' }).click();
    await expect(rows.filter({ hasText: 'a.txt' })).toHaveAttribute('data-fate', 'kept');
    await disc.getByRole('button', { name: 'Remove a.txt from the disc' }).click();
    await expect(page.getByTestId('removed-count')).toHaveText('1 item will be removed');
    await shot(page, info, 'changes');

    await page.getByRole('button', { name: 'Burn the next session…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Burn the next session' });
    await expect(dialog.getByRole('radio', { name: 'Close the session (more can be added later)' })).toBeChecked();
    await expect(dialog.getByTestId('burn-disc')).toContainText('CD-R, Appendable');
    await shot(page, info, 'burn-dialog');
    await dialog.getByRole('button', { name: 'Burn', exact: true }).click();
    const job = page.getByRole('dialog', { name: /Burning/ });
    await expect(job.getByRole('heading', { level: 2 })).toHaveText(/^Burning — (Done|Failed|Cancelled)$/, { timeout: 60_000 });
    await shot(page, info, 'burned');
    await expect(job.getByTestId('job-error'), 'the session burn failed').toHaveCount(0);
    await expect(job.getByTestId('verify-outcome')).toContainText(/verify passed/);
    await expect(job.getByTestId('job-result')).toContainText(/next session/);
    await job.getByRole('button', { name: 'Close' }).click();

    // What the disc holds now: the kept folder, the replaced b.txt, the new d.txt, the checksum
    // manifest the burn writes by default; a.txt gone.
    await expect(disc.getByRole('heading', { level: 3 })).toHaveText('The disc now holds');
    await expect(rows.locator('.name')).toHaveText(['.glassmaster', 'keep', 'b.txt', 'd.txt'], { timeout: 20_000 });
    await expect(disc.getByTestId('disc-files-summary')).toContainText('CD-R, 2 sessions');
    await expect(rows.filter({ hasText: 'b.txt' }).locator('.size')).toHaveText('35 B');
    // The new files are on the disc: the next session's project is empty again.
    await expect(page.getByTestId('compilation').locator('.vrow')).toHaveCount(0);
    for (const r of await rows.all()) await expect(r).toHaveAttribute('data-fate', 'kept');
    await shot(page, info, 'disc-now');
  } finally {
    await page.screenshot({ path: info.outputPath('last.png') });
    await context.close();
    await stopServe(serve).catch(() => undefined);
  }
  try {
    expect(errors, 'browser console errors').toEqual([]);
    // Outside the app: the last session's tree as the CLI reads it from the recorder.
    const listed = JSON.parse(gm(state, 'ls', '--drive', 'virtual:ms', '--json', '/')) as unknown;
    const names = JSON.stringify(listed);
    for (const n of ['.glassmaster', 'keep', 'b.txt', 'd.txt']) expect(names).toContain(`"${n}"`);
    expect(names).not.toContain('"a.txt"');
    if (haveXorriso) {
      // xorriso loads the newest session (its superblock at the last track's start) from the
      // recorder's disc: 2352-byte CD sector slots, whose first 2048 bytes (the user data) make the ISO.
      const media = JSON.parse(gm(state, 'media', '--drive', 'virtual:ms', '--json')) as { trackList?: { startLba: number; blank: boolean }[] };
      const last = media.trackList!.filter((t) => !t.blank).at(-1)!.startLba;
      const raw = readFileSync(join(state, 'virtual', 'ms', 'disc.bin'));
      const sectors = Math.floor(raw.length / 2352);
      const user = Buffer.alloc(sectors * 2048);
      for (let i = 0; i < sectors; i++) raw.copy(user, i * 2048, i * 2352, i * 2352 + 2048);
      const discBin = join(home, 'disc-user-data.iso');
      writeFileSync(discBin, user);
      const found = execFileSync('xorriso', ['-indev', discBin, '-load', 'sbsector', String(last), '-find', '/', '-type', 'f'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .split('\n').filter((l) => l.startsWith("'")).sort();
      expect(found).toEqual(["'/.glassmaster/SHA256SUMS'", "'/b.txt'", "'/d.txt'", "'/keep/c.txt'"]);
      execFileSync('xorriso', ['-indev', discBin, '-load', 'sbsector', String(last), '-osirrox', 'on', '-extract', '/b.txt', join(home, 'b-from-disc.txt')], { stdio: 'ignore' });
      expect(readFileSync(join(home, 'b-from-disc.txt'), 'utf8')).toBe('the new b, longer than the old one\n');
      execFileSync('xorriso', ['-indev', discBin, '-load', 'sbsector', String(last), '-osirrox', 'on', '-extract', '/keep/c.txt', join(home, 'c-from-disc.txt')], { stdio: 'ignore' });
      expect(readFileSync(join(home, 'c-from-disc.txt'), 'utf8')).toBe('kept c\n');
    } else console.warn('[skip] xorriso missing: the disc is checked by the CLI only');
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
});
