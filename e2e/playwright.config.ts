import { defineConfig } from '@playwright/test';

// The end-to-end suite: real operators, the demo shop and the built extension in Debian's
// Chromium (and Firefox ESR through puppeteer-core). One worker: every test starts a world of
// three servers and a browser, and the machines this runs on have two cores.

export default defineConfig({
  testDir: 'specs',
  outputDir: 'artifacts/results',
  globalSetup: './global-setup.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The timeout scenario waits for a one-minute tab to run out on its own.
  timeout: 240_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: { actionTimeout: 30_000, navigationTimeout: 30_000 },
});
