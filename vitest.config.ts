import { defineConfig } from 'vitest/config';

// Unit and integration tests run in Node against real HTTP servers on 127.0.0.1 and
// real SQLite files; the browser suites live in e2e/ and run under Playwright.
export default defineConfig({
  test: {
    include: ['{protocol,operator-server,merchant-widget,extension,bench,chaos}/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
