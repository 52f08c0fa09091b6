// Does a tab cost more when the operators' PostgreSQL stores are big? The scaling case's question
// on the operator_stores case's PostgreSQL setting: for each size, both operators get fresh
// databases in a throwaway cluster, filled with that many customer accounts and finished tabs
// (fill-operators-postgres.ts, the same history the scaling case writes into SQLite), then start
// on them, one process each, and run real lifecycles. Cost per tab = CPU of the server processes
// and of the database's processes per tab, which other load on a shared machine disturbs far less
// than wall time; wall time per tab at a fixed number of tabs in flight is reported beside it.
// The merchant agent stays on its SQLite file, empty: its own store's scaling on PostgreSQL is the
// concurrent_tabs case's; here only the operators' stores grow.

import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, startPostgresCluster } from '@opentab/test-kit/postgres';
import { atMost, metric, type CaseResult, type Metric } from '../report';
import { startBenchWorld } from '../support/bench-world';
import { perItem } from '../support/cpu-time';
import { fillOperatorPostgresStores, type OperatorPostgresStores } from '../support/fill-operators-postgres';
import { runPool } from '../support/loops';
import { findPostmaster, postgresCpu_ms } from '../support/postgres-cpu';
import { sizeLabel } from '../support/sizes';
import { runTabLifecycle } from '../support/tab-lifecycle';
import { CREDIT_LIMIT, WARMUP_TABS } from './lifecycle';

export interface OperatorStoreScalingOptions {
  readonly dir: string;
  readonly cpuProfileDir?: string;
  /** Accounts and finished tabs already in each operator's store, smallest first. */
  readonly sizes: readonly number[];
  readonly tabsPerSize: number;
  readonly concurrency: number;
}

export interface SizeRun {
  readonly size: number;
  readonly fill_s: number;
  /** Both operators' processes and the merchant's together. */
  readonly serverCpu_ms_per_tab: number | null;
  /** Every process of the PostgreSQL cluster. */
  readonly databaseCpu_ms_per_tab: number | null;
  readonly wall_ms_per_tab: number;
}

const sum = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
const ratio = (value: number | null, base: number | null) =>
  value === null || base === null || base === 0 ? null : value / base;

/** At 1M the two databases take tens of GB: each size's go before the next is filled. */
async function dropDatabases(adminUrl: string, names: readonly string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  } finally {
    await admin.end();
  }
}

async function measureAtSize(
  options: OperatorStoreScalingOptions,
  size: number,
  adminUrl: string,
  postmaster: number | null,
): Promise<SizeRun> {
  const label = sizeLabel(size).toLowerCase();
  const databases = [`op_se_${label}`, `op_eu_${label}`] as const;
  const stores: OperatorPostgresStores = {
    customerOperatorUrl: await createDatabase(adminUrl, databases[0]),
    merchantOperatorUrl: await createDatabase(adminUrl, databases[1]),
  };
  let fill_s = 0;
  try {
    const world = await startBenchWorld({
      dir: join(options.dir, sizeLabel(size)),
      operatorStores: stores,
      // The same operator program as the operator_stores case: the baseline's extension runs on SQLite only.
      baselineRoutes: false,
      ...(options.cpuProfileDir !== undefined ? { cpuProfileDir: join(options.cpuProfileDir, sizeLabel(size)) } : {}),
      beforeStart: async (layout) => {
        const start_ms = performance.now();
        await fillOperatorPostgresStores(layout, stores, size, Date.now() - 86_400_000);
        fill_s = (performance.now() - start_ms) / 1000;
      },
    });
    try {
      const customers = await Promise.all(
        Array.from({ length: options.concurrency }, () => world.newCustomer(CREDIT_LIMIT)),
      );
      const lifecycle = async (index: number) => {
        await runTabLifecycle(world, customers[index % customers.length]!);
      };
      await runPool(WARMUP_TABS, options.concurrency, lifecycle);
      const databaseCpu = () => (postmaster === null ? null : postgresCpu_ms(postmaster));
      const server0 = world.serverCpu_ms();
      const database0 = databaseCpu();
      const run = await runPool(options.tabsPerSize, options.concurrency, lifecycle);
      const server1 = world.serverCpu_ms();
      const database1 = databaseCpu();
      return {
        size,
        fill_s,
        serverCpu_ms_per_tab: perItem(
          server0 === null || server1 === null ? null : server1 - server0,
          options.tabsPerSize,
        ),
        databaseCpu_ms_per_tab: perItem(
          database0 === null || database1 === null ? null : database1 - database0,
          options.tabsPerSize,
        ),
        wall_ms_per_tab: run.elapsed_ms / options.tabsPerSize,
      };
    } finally {
      await world.close();
    }
  } finally {
    await dropDatabases(adminUrl, databases);
  }
}

/** Each size's figures and, for every size after the first, their ratios to the first's. */
export function operatorStoreScalingMetrics(runs: readonly SizeRun[]): Metric[] {
  const prefix = 'operator_store_scaling';
  const smallest = runs[0]!;
  const perSize = runs.flatMap((run) => {
    const size = sizeLabel(run.size);
    return [
      metric(`${prefix}.server_cpu_ms_per_tab_${size}`, run.serverCpu_ms_per_tab),
      metric(`${prefix}.database_cpu_ms_per_tab_${size}`, run.databaseCpu_ms_per_tab),
      metric(`${prefix}.total_cpu_ms_per_tab_${size}`, sum(run.serverCpu_ms_per_tab, run.databaseCpu_ms_per_tab)),
      metric(`${prefix}.wall_ms_per_tab_${size}`, run.wall_ms_per_tab),
    ];
  });
  const ratios = runs.slice(1).flatMap((run) => {
    const name = `${sizeLabel(run.size)}_vs_${sizeLabel(smallest.size)}`;
    return [
      metric(
        `${prefix}.total_cpu_ratio_${name}`,
        ratio(
          sum(run.serverCpu_ms_per_tab, run.databaseCpu_ms_per_tab),
          sum(smallest.serverCpu_ms_per_tab, smallest.databaseCpu_ms_per_tab),
        ),
        atMost(1.3),
      ),
      metric(`${prefix}.server_cpu_ratio_${name}`, ratio(run.serverCpu_ms_per_tab, smallest.serverCpu_ms_per_tab)),
      metric(
        `${prefix}.database_cpu_ratio_${name}`,
        ratio(run.databaseCpu_ms_per_tab, smallest.databaseCpu_ms_per_tab),
      ),
      metric(`${prefix}.wall_ratio_${name}`, run.wall_ms_per_tab / smallest.wall_ms_per_tab),
    ];
  });
  return [...perSize, ...ratios];
}

export async function runOperatorStoreScalingCase(options: OperatorStoreScalingOptions): Promise<CaseResult> {
  if (options.sizes.length === 0) throw new Error('operator_store_scaling needs at least one size');
  const cluster = await startPostgresCluster();
  try {
    const postmaster = findPostmaster(Number(new URL(cluster.adminUrl).port));
    const runs: SizeRun[] = [];
    for (const size of options.sizes) {
      process.stderr.write(`bench: operator_store_scaling at ${sizeLabel(size)} accounts and tabs…\n`);
      const run = await measureAtSize(options, size, cluster.adminUrl, postmaster);
      // A run at 1M takes long enough that each size's figures are worth having as they come.
      process.stderr.write(
        `bench: operator_store_scaling at ${sizeLabel(size)}: filled in ${run.fill_s.toFixed(1)} s; per tab ${run.serverCpu_ms_per_tab?.toFixed(2)} ms server CPU, ${run.databaseCpu_ms_per_tab?.toFixed(2)} ms database CPU, ${run.wall_ms_per_tab.toFixed(2)} ms wall\n`,
      );
      runs.push(run);
    }
    return {
      name: 'operator_store_scaling',
      metrics: [
        metric('operator_store_scaling.tabs_per_size', options.tabsPerSize),
        metric('operator_store_scaling.concurrency', options.concurrency),
        ...operatorStoreScalingMetrics(runs),
      ],
      notes: [
        `both operators on PostgreSQL (a throwaway local cluster, fsync off), one process each, the merchant agent on its SQLite file; ${WARMUP_TABS} warm-up tabs, then ${options.tabsPerSize} measured per size, ${options.concurrency} in flight`,
        'server CPU = both operators’ processes and the merchant process; database CPU = every PostgreSQL process of the cluster; total = the two; wall = elapsed time per tab',
        `fill (both stores, VACUUM ANALYZE and CHECKPOINT included) took ${runs.map((run) => `${run.fill_s.toFixed(1)} s at ${sizeLabel(run.size)}`).join(', ')}`,
      ],
    };
  } finally {
    cluster.stop();
  }
}
