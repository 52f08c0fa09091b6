import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Unit and integration tests run in Node against real HTTP servers on 127.0.0.1,
// real SQLite files and a real PostgreSQL; the browser suites live in e2e/ and run under Playwright.
//
// No test's outcome depends on how fast the machine runs it (injected clocks, waits for events),
// so the bounds below only decide how long a broken test takes to fail. They are set for a
// machine busy with other work (npm run test:under-load): test files start real servers and
// often a browser, so a worker per two cores leaves the rest for them and for that other work.

/** The merchant agent's suite runs once per store; these files are about the SQLite file itself. */
const SQLITE_ONLY_AGENT_TESTS = [
  'merchant-widget/agent/store-migrations.test.ts',
  'merchant-widget/agent/audit/agent-audit.test.ts',
  'merchant-widget/agent/cli/**',
  'merchant-widget/agent/adapters/**',
];

/**
 * The operator's request suite runs once per store too; these files start no operator of a world,
 * or are about the SQLite file itself, so they run on SQLite only.
 */
const SQLITE_ONLY_OPERATOR_TESTS = [
  // The CLI's processes start from their configuration files, which name the SQLite file.
  'operator-server/test/cli.test.ts',
  'operator-server/test/fault-injection.test.ts',
  // The shared fsync of the SQLite WAL.
  'operator-server/test/durability.test.ts',
  // The audit reads the SQLite file (its integrity check, its copy on disk).
  'operator-server/test/audit.test.ts',
  // The console's files: no store at all.
  'operator-server/test/console-files.test.ts',
  // An attacker reads the operators' directories; on PostgreSQL the rows are not in them.
  'operator-server/test/purchase-list-privacy.test.ts',
  // A start fails every opening on SQLite; on PostgreSQL only those past the registration bound,
  // as other processes may be registering (operator-processes.postgres.test.ts covers that).
  'operator-server/test/interrupted-registration.test.ts',
];

export default defineConfig({
  test: {
    maxWorkers: Math.max(1, Math.floor(availableParallelism() / 2)),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for a browser to show a state; its default of one second is not enough there.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: [
            '{protocol,test-kit,operator-server,merchant-widget,extension,bench,chaos,scripts}/**/*.test.{ts,tsx}',
            'e2e/integration/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/*.postgres.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // The same agent and operator suites on PostgreSQL stores (the harness reads
          // OPENTAB_AGENT_STORE, the worlds OPENTAB_OPERATOR_STORE), and the tests that exist only
          // for PostgreSQL; one throwaway cluster for the run.
          name: 'postgres',
          include: ['merchant-widget/agent/**/*.test.ts', 'operator-server/test/**/*.test.ts', '**/*.postgres.test.ts'],
          exclude: ['**/node_modules/**', ...SQLITE_ONLY_AGENT_TESTS, ...SQLITE_ONLY_OPERATOR_TESTS],
          env: { OPENTAB_AGENT_STORE: 'postgres', OPENTAB_OPERATOR_STORE: 'postgres' },
          globalSetup: ['test-kit/postgres/global-setup.ts'],
        },
      },
    ],
  },
});
