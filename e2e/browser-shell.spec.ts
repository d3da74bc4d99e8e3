import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { expect, haveChromium, root, test } from './fixtures';

test.skip(!haveChromium, 'Chromium is not installed');

test('the app loads and connects to the services', async ({ app: { page } }) => {
  await expect(page).toHaveTitle('Glassmaster');
  await expect(page.getByRole('heading', { name: 'Glassmaster' })).toBeVisible();
  await expect(page.getByTestId('connection')).toHaveText('Connected');
  // The token left the address bar after use.
  expect(page.url()).not.toContain('token=');
  // The first screen offers the jobs; each leads to its own view.
  await expect(page.getByTestId('job-data')).toBeVisible();
  await page.getByTestId('job-data').click();
  await expect(page.getByRole('region', { name: 'Project' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Files on this computer' })).toBeVisible();
  await expect(page.getByTestId('compilation')).toContainText('The project is empty.');
  await page.getByRole('button', { name: '← All jobs' }).click();
  await expect(page.getByTestId('job-image')).toBeVisible();
});

test('the drive list shows the drives main reports, and the selected disc', async ({ app: { page } }) => {
  await page.getByTestId('job-data').click();
  const list = page.getByRole('listbox', { name: 'Drives' });
  await expect(list).toBeVisible();
  const options = list.getByRole('option');
  await expect(options.first()).toContainText('virtual:');
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('media-status')).not.toHaveText('');
});

test('adding a network drive in the browser shell: the page says which commands add it on the host', async ({ app: { page } }, info) => {
  await page.getByTestId('job-data').click();
  const drives = page.getByRole('region', { name: 'Drives' });
  await drives.getByRole('button', { name: 'Add network drive…' }).click();
  await expect(drives.getByTestId('network-drive-why')).toContainText('a web page never chooses which computers Glassmaster connects to');
  const commands = drives.getByTestId('network-drive-commands');
  await expect(commands.locator('code')).toHaveText(['glassmaster drives --add-iscsi iscsi://HOST[:PORT]/IQN/LUN', 'glassmaster serve --iscsi iscsi://HOST[:PORT]/IQN/LUN']);
  // The address typed is filled into both commands; nothing is sent to main (no error, no request).
  await drives.getByRole('textbox', { name: 'iSCSI address' }).fill('iscsi://nas.local:3260/iqn.2026-12.local.nas:bd/0');
  await expect(commands.locator('code')).toHaveText(['glassmaster drives --add-iscsi iscsi://nas.local:3260/iqn.2026-12.local.nas:bd/0', 'glassmaster serve --iscsi iscsi://nas.local:3260/iqn.2026-12.local.nas:bd/0']);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('error')).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('network-drive.png') });
  // The same button (aria-expanded) folds the help away.
  await expect(drives.getByRole('button', { name: 'Add network drive…' })).toHaveAttribute('aria-expanded', 'true');
  await drives.getByRole('button', { name: 'Add network drive…' }).click();
  await expect(commands).toHaveCount(0);
});

test('the theme toggles between light and dark and is keyboard reachable', async ({ app: { page } }) => {
  const html = page.locator('html');
  const toggle = page.getByRole('button', { name: 'Dark theme' });
  const before = await html.getAttribute('data-theme');
  await toggle.focus();
  await page.keyboard.press('Enter');
  const after = await html.getAttribute('data-theme');
  expect(after).not.toBe(before);
  expect(['light', 'dark']).toContain(after);
  await expect(toggle).toHaveAttribute('aria-pressed', after === 'dark' ? 'true' : 'false');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.keyboard.press('Enter');
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(bg);
});

test('the WebSocket refuses a page without the token', async ({ app: { serve } }) => {
  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${serve.origin.replace('http', 'ws')}/ipc`, { origin: serve.origin });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
  });
  expect(status).toBe(401);
});

test('eject and close tray from the drive panel update the disc live', async ({ app: { page } }) => {
  await page.getByTestId('job-data').click();
  await expect(page.getByTestId('media-status')).toHaveText('Blank');
  await page.getByRole('button', { name: 'Eject' }).click();
  await expect(page.getByTestId('media-status')).toHaveText('No disc');
  await page.getByRole('button', { name: 'Close tray' }).click();
  await expect(page.getByTestId('media-status')).toHaveText('Blank');
  await expect(page.getByTestId('media-profile')).toHaveText('DVD+R');
});

test('a disc swapped outside the app shows up live, without a reload', async ({ app: { page, serve } }) => {
  await page.getByTestId('job-data').click();
  await expect(page.getByTestId('media-profile')).toHaveText('DVD+R');
  // Another process (the CLI) swaps the disc in the virtual recorder, as a user would a real drive.
  execFileSync(process.execPath, [join(root, 'out/main/cli.js'), 'virtual', 'insert', 'default', '--media', 'bd-r'], {
    env: { ...process.env, GLASSMASTER_STATE_DIR: serve.stateDir },
  });
  await expect(page.getByTestId('media-profile')).toHaveText('BD-R SRM', { timeout: 20_000 });
  // A new recorder appears in the drive list by itself (hot-plug).
  execFileSync(process.execPath, [join(root, 'out/main/cli.js'), 'virtual', 'create', 'second', '--media', 'cd-r'], {
    env: { ...process.env, GLASSMASTER_STATE_DIR: serve.stateDir },
  });
  await expect(page.getByRole('listbox', { name: 'Drives' }).getByRole('option')).toHaveCount(2, { timeout: 20_000 });
});
