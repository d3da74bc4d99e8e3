import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './fixtures';

// Runs wherever the Electron binary exists. It cannot be downloaded on the project's build machines
// (ELECTRON_SKIP_BINARY_DOWNLOAD=1), so there it is skipped, and says why.
function electronBinary(): string | undefined {
  try {
    const p = createRequire(join(root, 'package.json'))('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
test.skip(!binary, 'Electron binary not installed (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); the browser-shell e2e covers the same renderer');

test('the Electron app opens a sandboxed window that lists drives', async ({}, testInfo) => {
  const app = await electron.launch({
    executablePath: binary,
    args: [root, '--no-sandbox'],
    env: { ...process.env, GLASSMASTER_STATE_DIR: mkdtempSync(join(tmpdir(), 'gm-electron-')) },
  });
  const page = await app.firstWindow();
  await expect(page.getByRole('heading', { name: 'Glassmaster' })).toBeVisible();
  await expect(page.getByRole('listbox', { name: 'Drives' }).getByRole('option').first()).toContainText('virtual:');
  // The renderer has no Node: the preload exposes only the bridge.
  expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  expect(await page.evaluate(() => Object.keys((window as unknown as { glassmaster: object }).glassmaster).sort())).toEqual(['onMessage', 'pathForFile', 'send']);
  await page.screenshot({ path: testInfo.outputPath('electron.png') });
  await app.close();
});
