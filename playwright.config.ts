import { defineConfig } from '@playwright/test';

// e2e drives the real renderer in Debian's Chromium against `glassmaster serve` (browser mode),
// and the Electron app through _electron.launch wherever the Electron binary exists.
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  use: {
    screenshot: 'off',
    trace: 'retain-on-failure',
  },
});
