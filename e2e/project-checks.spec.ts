// The data project's options editor and preflight, and the bootable-disc job, end to end in
// Chromium against `glassmaster serve`: options set in the editor reach main (capacity re-planned,
// saved in the project file), preflight findings beside the tree reveal their entry, and a bootable
// image made from a tree with isolinux.bin shows its El Torito entry — as xorriso reports it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { expect, exactly, haveChromium, hostRow, openShell, projectNames, stepShots, test } from './fixtures';
import { hasTool, inCI } from '../src-main/testing/peer-tools';

test.skip(!haveChromium, 'Chromium is not installed');
const ISOLINUX = '/usr/lib/ISOLINUX/isolinux.bin';
const haveBootPeers = existsSync(ISOLINUX) && hasTool('xorriso');
if (!haveBootPeers && inCI) throw new Error('[CI] isolinux (Debian isolinux) and xorriso are required');

let browser: Browser;
// The worker's one Chromium (fixtures.ts), shared by every spec the worker runs.
test.beforeAll(({ browserInstance }) => {
  browser = browserInstance;
});

function open(home: string): ReturnType<typeof openShell> {
  return openShell(browser, { HOME: home });
}

const shot = stepShots();
const projectRow = (page: Page, name: string) => page.getByTestId('compilation').locator('.vrow').filter({ has: page.locator('.name', { hasText: exactly(name) }) });

test('data disc: the options editor reaches main and the project file; preflight findings reveal their entry', async ({}, info) => {
  test.setTimeout(120_000);
  const home = mkdtempSync(join(tmpdir(), 'gm-e2e-checks-'));
  mkdirSync(join(home, 'music', 'albums'), { recursive: true });
  for (let i = 0; i < 12; i++) writeFileSync(join(home, 'music', 'albums', `track number ${i}.flac`), Buffer.alloc(1000 + i));
  writeFileSync(join(home, 'music', 'readme.txt'), 'readme');
  symlinkSync('readme.txt', join(home, 'music', 'latest'));
  const { page, done } = await open(home);
  try {
    await page.getByTestId('job-data').click();
    await hostRow(page, 'music').click();
    await page.getByRole('button', { name: 'Add to project →' }).click();
    await expect.poll(() => projectNames(page)).toEqual(['music']);
    await expect(page.getByTestId('capacity-text')).not.toContainText('planning', { timeout: 15_000 });
    const meter = page.getByTestId('capacity-meter');
    const before = Number(await meter.getAttribute('aria-valuenow'));

    // The options editor: BD suggestion (UDF 2.50 + mirror), ISO level 1, a fixed date, links in UDF.
    await page.getByText('Image options').click();
    const options = page.getByTestId('image-options');
    await page.getByRole('combobox', { name: 'Measure against' }).selectOption('bd25');
    await options.getByRole('button', { name: 'Suggest for BD 25 GB' }).click();
    await expect(options.getByRole('combobox', { name: 'UDF revision' })).toHaveValue('2.50');
    await expect(options.getByRole('checkbox', { name: 'Metadata mirror (UDF 2.50)' })).toBeChecked();
    await options.getByRole('combobox', { name: 'ISO 9660 level' }).selectOption('1');
    // Checkboxes show what main accepted (controlled by the store): click, then wait for the state.
    const toggle = async (name: string | RegExp, checked: boolean) => {
      await options.getByRole('checkbox', { name }).click();
      await expect(options.getByRole('checkbox', { name })).toBeChecked({ checked });
    };
    await toggle('Fixed date (reproducible image)', true);
    await options.locator('input[type="datetime-local"]').fill('2024-05-01T12:00');
    await toggle(/Record links in UDF too/, true);
    await toggle(/Joliet/, false);
    // The capacity meter re-plans with the new file systems (UDF 2.50's metadata partition, no Joliet).
    await expect.poll(async () => Number(await meter.getAttribute('aria-valuenow')), { timeout: 15_000 }).not.toBe(before);
    await expect(page.getByTestId('capacity-text')).not.toContainText('planning', { timeout: 15_000 });
    await shot(page, info, 'options');

    // Preflight beside the tree: grouped findings; the link in UDF and the renamed ISO names.
    await page.getByRole('button', { name: 'Check what each system will see' }).click();
    const findings = page.getByTestId('finding');
    await expect(findings.filter({ hasText: '7-Zip' })).toHaveCount(1, { timeout: 15_000 });
    const renamed = page.locator('[data-testid="finding"][data-code="iso-name-changed"]');
    await expect(renamed).toContainText(/\d+ entries/);
    await expect(page.getByTestId('preflight-seen-by')).toContainText('Windows reads udf');
    await shot(page, info, 'preflight');
    // A finding's path reveals the entry: its folder opens and the row is selected.
    await findings.filter({ hasText: '7-Zip' }).getByRole('button', { name: 'Show /music/latest in the project' }).click();
    await expect(page.getByRole('listbox', { name: 'Contents of /music' })).toBeVisible();
    await expect(projectRow(page, 'latest')).toHaveAttribute('aria-selected', 'true');
    await shot(page, info, 'revealed');

    // Saved in the project file.
    await page.keyboard.press('Control+s');
    await page.getByRole('textbox', { name: 'Save the project as' }).fill('music');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByTestId('announcement')).toContainText('Project saved');
    const saved = JSON.parse(readFileSync(join(home, 'music.glassmaster'), 'utf8'));
    expect(saved.options).toEqual({ udfRevision: '2.50', udfMetadataMirror: true, isoLevel: 1, date: '2024-05-01T12:00:00Z', udfSymlinks: true, fs: ['iso9660', 'rockridge', 'udf'] });
  } finally {
    await done(info);
  }
});

test('bootable disc: isolinux.bin from the tree, written and inspected; xorriso agrees', async ({}, info) => {
  test.skip(!haveBootPeers, 'isolinux or xorriso missing');
  test.setTimeout(120_000);
  const home = mkdtempSync(join(tmpdir(), 'gm-e2e-boot-'));
  mkdirSync(join(home, 'live', 'isolinux'), { recursive: true });
  copyFileSync(ISOLINUX, join(home, 'live', 'isolinux', 'isolinux.bin'));
  writeFileSync(join(home, 'live', 'isolinux', 'isolinux.cfg'), 'default linux\n');
  writeFileSync(join(home, 'live', 'README'), 'a small bootable tree');
  const { page, done } = await open(home);
  try {
    await expect(page.getByTestId('job-boot')).toContainText('Bootable disc');
    await page.getByTestId('job-boot').click();
    await expect(page.getByRole('region', { name: 'Boot' })).toBeVisible();
    // The tree's contents at the disc's root.
    await hostRow(page, 'live').dblclick();
    await hostRow(page, 'isolinux').click();
    await hostRow(page, 'README').click({ modifiers: ['Control'] });
    await page.getByRole('button', { name: 'Add to project →' }).click();
    await expect.poll(() => projectNames(page)).toEqual(['isolinux', 'README']);
    await projectRow(page, 'isolinux').dblclick();
    await projectRow(page, 'isolinux.bin').click();
    await shot(page, info, 'boot-tree');

    const bios = page.getByTestId('boot-bios');
    await bios.getByRole('button', { name: 'Use the selected file' }).click();
    await expect(page.getByTestId('boot-bios-path')).toHaveText('/isolinux/isolinux.bin');
    await expect(bios.getByRole('spinbutton', { name: 'Load size (512-byte sectors)' })).toHaveValue('4');
    await expect(bios.getByRole('checkbox', { name: 'Boot info table (isolinux)' })).toBeChecked();
    // isohybrid needs an EFI entry here (no MBR boot code from the browser): not offered yet.
    await expect(page.getByRole('checkbox', { name: /isohybrid/ })).toBeDisabled();
    await shot(page, info, 'boot-entry');

    await page.getByRole('textbox', { name: 'Image file name' }).fill('live.iso');
    await page.getByRole('button', { name: 'Write bootable image' }).click();
    const report = page.getByTestId('boot-report');
    await expect(report).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('boot-summary')).toContainText('BIOS boot: yes');
    const entry = page.getByTestId('boot-entry');
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText('none');
    await expect(entry).toContainText(/isolinux\.bin/i);
    await shot(page, info, 'boot-report');

    const cells = await entry.locator('td').allTextContents();
    const xorriso = execFileSync('xorriso', ['-indev', join(home, 'live', 'live.iso'), '-report_el_torito', 'plain'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const line = xorriso.split('\n').find((l) => /El Torito boot img\s*:\s*1\s/.test(l))!;
    // "El Torito boot img :   1  BIOS  y   none  0x0000  0x00      4   LBA"
    const m = /BIOS\s+y\s+none\s+0x0000\s+0x00\s+(\d+)\s+(\d+)/.exec(line);
    expect(m, xorriso).not.toBeNull();
    expect(cells[4]).toBe(m![1]);
    expect(cells[5]).toBe(m![2]);
  } finally {
    await done(info);
  }
});
