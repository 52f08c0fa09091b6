// The crash suite on PostgreSQL: one round whose parties keep their state in databases of the
// run's cluster, op-se served by two processes on its one database. Its plan kills one op-se
// process with SIGKILL mid-traffic and keeps it down past the record grace period; the other
// must serve the customers and op-eu meanwhile, and every audit and cross-party check, read
// from PostgreSQL, must pass.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postgresAdminUrl } from '@opentab/test-kit/postgres';
import { describeRound } from './report';
import { runRound } from './round';
import { POSTGRES_ROUND_SEED as SEED } from './test-seeds';

describe('crash suite on PostgreSQL', () => {
  it(`keeps every invariant with op-se on two processes, one killed mid-traffic (seed ${SEED})`, async () => {
    const round = await runRound({
      seed: SEED,
      baseDir: join(tmpdir(), 'opentab-chaos'),
      keep: false,
      store: { kind: 'postgres', serverUrl: postgresAdminUrl() },
    });
    expect(round.ok, describeRound(0, round)).toBe(true);

    expect(round.plan).toContain('outage op-se at 1586 ms (down 5866 ms)');
    expect(round.counts.killsByCause.outage).toBe(1);
    expect(round.counts.kills['op-se']).toBeGreaterThanOrEqual(1);
    // While one was down, the other answered messages to op-se that would otherwise have failed.
    expect(round.counts.twinService?.answeredWhileTwinDown ?? 0).toBeGreaterThan(0);
    expect(round.counts.tabs).toBeGreaterThan(0);

    // Every party was audited on its database: the schema's step, not SQLite's integrity check.
    const names = round.results.map((result) => result.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'op-se:postgres-schema',
        'op-se:ledger-balanced',
        'op-se:holds-ended',
        'op-eu:postgres-schema',
        'op-eu:credits-match-clearings',
        'agent:postgres-schema',
        'agent:tab-totals',
        'cross:quiesced',
        'cross:one-hold-per-initiation',
        'cross:customer-charged-once',
        'cross:settlement-mirror',
        'cross:processes-survive',
      ]),
    );
    expect(names.filter((name) => name.endsWith(':sqlite-integrity'))).toEqual([]);
    // A round that passes leaves no database behind.
    expect(round.databases).toEqual([]);
  }, 300_000);
});
