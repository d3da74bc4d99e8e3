// 100,000 staged entries in Chromium against `glassmaster serve`: staging them never blocks
// input, and the virtualized project list scrolls through them (keys, wheel, all selected) with no
// main-thread task over 100 ms of the page's own time (main-thread.ts says why CPU time).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, haveChromium, hostRow, openShell, stepShots, test } from './fixtures';
import { describeTasks, recordMainThreadTasks } from './main-thread';

test.skip(!haveChromium, 'Chromium is not installed');
// Playwright's trace recorder snapshots the DOM inside the page after every action: 15–27 ms of
// the page's main thread each (70 ms and more of wall time under load), counted as the app's
// long tasks. This test measures the page, so nothing of Playwright's runs in it but the waits.
test.use({ trace: 'off' });

const shot = stepShots();

test('100,000 staged entries: input stays responsive and the tree scrolls, no main-thread task over 100 ms', async ({ browserInstance }, info) => {
  test.setTimeout(240_000);
  const home = mkdtempSync(join(tmpdir(), 'gm-e2e-big-'));
  const big = join(home, 'many');
  mkdirSync(big);
  for (let i = 0; i < 100_000; i++) writeFileSync(join(big, `f${String(i).padStart(6, '0')}.txt`), '');
  const { page, done: close } = await openShell(browserInstance, { HOME: home });
  const done = () => close(info);
  try {
    await page.getByTestId('job-data').click();
    // The pane lists a folder of 100,000 files at once, sending the first 5000 and saying so.
    await hostRow(page, 'many').dblclick();
    await expect(page.getByTestId('host-path')).toHaveText(big, { timeout: 20_000 });
    await expect(page.getByText('Showing the first 5000 of 100000 entries.')).toBeVisible();
    await page.getByRole('button', { name: 'Up' }).click();
    await expect(page.getByTestId('host-path')).toHaveText(home);
    await hostRow(page, 'many').click();
    const label = page.getByRole('textbox', { name: 'Disc label' });
    const addButton = page.getByRole('button', { name: 'Add to project →' });
    await addButton.waitFor();
    // From here on the page's main thread is traced (main-thread.ts: each task's CPU and wall
    // time) and watched by the Long Tasks API (wall time, reported). Waits use plain DOM queries
    // polled by waitForFunction: Playwright's role and text selectors walk the DOM in the page's
    // own main thread, and would be measured as the app's tasks.
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask' });
    });
    const wallLongTasks = () => page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks.splice(0).map(Math.round));
    const load = () => loadavg()[0].toFixed(1);
    let trace = await recordMainThreadTasks(page);
    const loadBefore = load();
    await addButton.click();
    // While main stages, the page takes input: typing the label is not held up.
    await label.click();
    await page.keyboard.type('BIGDISC', { delay: 20 });
    const summary = () => page.waitForFunction(() => /100000 files/.test(document.querySelector('[data-testid="project-summary"]')?.textContent ?? ''), null, { timeout: 60_000, polling: 100 });
    await summary();
    await page.waitForFunction(() => document.querySelectorAll('.project-pane .vrow .name').length > 0);
    const whileStaging = await trace.stop();
    console.log(`staging 100,000 entries and typing (load ${loadBefore} → ${load()}): ${describeTasks(whileStaging, 3)}; Long Tasks API (wall ms): ${(await wallLongTasks()).join(', ') || 'none'}`);
    const row = (name: string, timeout = 30_000) => page.waitForFunction((n) => Array.from(document.querySelectorAll('.project-pane .vrow .name')).some((e) => e.textContent === n), name, { timeout, polling: 100 });
    await page.waitForFunction(() => !/planning/.test(document.querySelector('[data-testid="capacity-text"]')?.textContent ?? ''), null, { timeout: 60_000, polling: 100 });
    // The capacity plan's snapshot re-renders the list: a double click that straddles it is lost
    // (seen once in CI), so wait for the plan, and open the folder again if the first try missed.
    for (let attempt = 1; ; attempt++) {
      await page.locator('.project-pane .vrow', { has: page.locator('.name', { hasText: /^many$/ }) }).dblclick();
      try {
        await row('f000000.txt', 10_000);
        break;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }

    trace = await recordMainThreadTasks(page);
    const loadScroll = load();
    await page.locator('.project-pane .vlist').focus();
    await page.keyboard.press('End');
    await row('f099999.txt');
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, -4000);
    await page.keyboard.press('PageUp');
    await page.keyboard.press('Home');
    await row('f000000.txt');
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageDown');
    await row('f000030.txt');
    // End to end with the wheel: 3,000,000 px of rows in 16 turns, every window of rows fetched
    // from main as it comes into view, then back to the top.
    for (let i = 0; i < 16; i++) await page.mouse.wheel(0, 200_000);
    await row('f099999.txt');
    for (let i = 0; i < 16; i++) await page.mouse.wheel(0, -200_000);
    await row('f000000.txt');
    // All 100,000 selected (Ctrl+A), then scrolled through: every row shows as selected.
    await page.keyboard.press('Control+a');
    await page.waitForFunction(() => document.querySelectorAll('.project-pane .vrow.selected').length > 10, null, { timeout: 60_000, polling: 100 });
    for (let i = 0; i < 16; i++) await page.mouse.wheel(0, 200_000);
    await row('f099999.txt');
    const whileScrolling = await trace.stop();
    const rows = await page.evaluate(() => [document.querySelectorAll('.project-pane .vrow').length, document.querySelectorAll('.project-pane .vrow.selected').length, document.querySelector('[data-testid="error"]')?.textContent ?? '']);
    expect(rows[2], 'no error after selecting all').toBe('');
    expect(rows[1], 'every row shown is selected').toBe(rows[0]);
    console.log(`scrolling (load ${loadScroll} → ${load()}): ${describeTasks(whileScrolling)}; Long Tasks API (wall ms): ${(await wallLongTasks()).join(', ') || 'none'}`);
    await expect(page.getByTestId('capacity-text')).not.toContainText('planning', { timeout: 60_000 });
    await shot(page, info, 'hundred-thousand');
    // The bound is on each task's main-thread CPU time: wall time on this shared 2-core machine is
    // mostly waiting for a core (see main-thread.ts); both are printed above.
    expect(whileStaging.filter((t) => t.cpuMs > 100).map((t) => `${t.cpuMs.toFixed(0)} ms (${t.what})`)).toEqual([]);
    expect(whileScrolling.filter((t) => t.cpuMs > 100).map((t) => `${t.cpuMs.toFixed(0)} ms (${t.what})`)).toEqual([]);
  } finally {
    await done();
    rmSync(home, { recursive: true, force: true });
  }
});
