import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Unit and integration tests run in Node against real HTTP servers on 127.0.0.1 and
// real SQLite files; the browser suites live in e2e/ and run under Playwright.
//
// No test's outcome depends on how fast the machine runs it (injected clocks, waits for events),
// so the bounds below only decide how long a broken test takes to fail. They are set for a
// machine busy with other work (npm run test:under-load): test files start real servers and
// often a browser, so a worker per two cores leaves the rest for them and for that other work.
export default defineConfig({
  test: {
    include: [
      '{protocol,test-kit,operator-server,merchant-widget,extension,bench,chaos,scripts}/**/*.test.{ts,tsx}',
      'e2e/integration/**/*.test.ts',
    ],
    maxWorkers: Math.max(1, Math.floor(availableParallelism() / 2)),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for a browser to show a state; its default of one second is not enough there.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
  },
});
