// Tab lifecycles per second with the operators on each store they run on: each its SQLite file,
// each a PostgreSQL database with one process, and then the customer operator served by two
// processes on its one database, its customers split between the two as a load balancer would
// (the merchant operator's peer calls go to the first, the one its certificate names). The merchant
// agent stays on SQLite throughout, so only the operators' stores change. On a 2-core machine a
// second process cannot add cores, so CPU per tab (the server processes, and the database's own
// processes) is the figure that carries to a bigger machine. The operators run as
// `opentab-operator start` ships, without the baseline's routes, in every setting.

import { CREDIT_LIMIT, type LifecycleOptions, WARMUP_TABS } from './lifecycle';
import { createDatabase, startPostgresCluster } from '@opentab/test-kit/postgres';
import { metric, type CaseResult } from '../report';
import { startBenchWorld, type BenchWorldOptions } from '../support/bench-world';
import { perItem } from '../support/cpu-time';
import { runPool } from '../support/loops';
import { findPostmaster, postgresCpu_ms } from '../support/postgres-cpu';
import { perSecond, summarise } from '../support/stats';
import { runTabLifecycle, type LifecycleTiming } from '../support/tab-lifecycle';

/** The lifecycle case's settings, each run once per store setting. */
export type OperatorStoresOptions = LifecycleOptions;

interface Setting {
  readonly key: string;
  readonly label: string;
  readonly store: 'sqlite' | 'postgres';
  readonly customerOperatorProcesses: 1 | 2;
}

const SETTINGS: readonly Setting[] = [
  { key: 'sqlite', label: 'SQLite, 1 process per operator', store: 'sqlite', customerOperatorProcesses: 1 },
  { key: 'postgres_1', label: 'PostgreSQL, 1 process per operator', store: 'postgres', customerOperatorProcesses: 1 },
  {
    key: 'postgres_2',
    label: 'PostgreSQL, 2 processes of the customer operator',
    store: 'postgres',
    customerOperatorProcesses: 2,
  },
];

interface SettingResult {
  readonly tabs_per_s: number;
  readonly complete_p50_ms: number;
  readonly complete_p99_ms: number;
  /** Both operators' processes and the merchant's together. */
  readonly serverCpuPerTab_ms: number | null;
  /** Every process of the PostgreSQL cluster; 0 on SQLite, which runs inside the servers. */
  readonly databaseCpuPerTab_ms: number | null;
}

interface PostgresStores {
  readonly customerOperatorUrl: string;
  readonly merchantOperatorUrl: string;
  readonly postmaster: number | null;
}

async function measureSetting(
  setting: Setting,
  options: OperatorStoresOptions,
  postgres: PostgresStores | null,
): Promise<SettingResult> {
  const worldOptions: BenchWorldOptions = {
    dir: `${options.dir}/${setting.key}`,
    customerOperatorProcesses: setting.customerOperatorProcesses,
    // The same operator program in every setting: the baseline's extension runs on SQLite only.
    baselineRoutes: false,
    ...(postgres !== null
      ? {
          operatorStores: {
            customerOperatorUrl: postgres.customerOperatorUrl,
            merchantOperatorUrl: postgres.merchantOperatorUrl,
          },
        }
      : {}),
    ...(options.cpuProfileDir !== undefined ? { cpuProfileDir: `${options.cpuProfileDir}/${setting.key}` } : {}),
  };
  const world = await startBenchWorld(worldOptions);
  try {
    const { customerOperatorUrls } = world;
    // Customer i is served by process i mod n, as a load balancer with sticky sessions would.
    const customers = await Promise.all(
      Array.from({ length: options.concurrency }, async (_, index) => {
        const customer = await world.newCustomer(CREDIT_LIMIT);
        const url = customerOperatorUrls[index % customerOperatorUrls.length]!;
        return url === world.customerOperator.url ? customer : customer.through(url);
      }),
    );
    const lifecycle = async (index: number, timings: LifecycleTiming[]) => {
      timings[index] = await runTabLifecycle(world, customers[index % customers.length]!);
    };
    await runPool(WARMUP_TABS, options.concurrency, (index) => lifecycle(index, []));
    const databaseCpu = () => (postgres?.postmaster == null ? null : postgresCpu_ms(postgres.postmaster));
    const server0 = world.serverCpu_ms();
    const database0 = databaseCpu();
    const timings: LifecycleTiming[] = [];
    const run = await runPool(options.tabs, options.concurrency, (index) => lifecycle(index, timings));
    const server1 = world.serverCpu_ms();
    const database1 = databaseCpu();
    const complete = summarise(timings.map((t) => t.complete_ms));
    return {
      tabs_per_s: perSecond(options.tabs, run.elapsed_ms),
      complete_p50_ms: complete.p50_ms,
      complete_p99_ms: complete.p99_ms,
      serverCpuPerTab_ms: perItem(server0 === null || server1 === null ? null : server1 - server0, options.tabs),
      databaseCpuPerTab_ms:
        postgres === null
          ? 0
          : perItem(database0 === null || database1 === null ? null : database1 - database0, options.tabs),
    };
  } finally {
    await world.close();
  }
}

function ratio(value: number | null, base: number | null): number | null {
  return value === null || base === null || base === 0 ? null : value / base;
}

export async function runOperatorStoresCase(options: OperatorStoresOptions): Promise<CaseResult> {
  const cluster = await startPostgresCluster();
  try {
    const postmaster = findPostmaster(Number(new URL(cluster.adminUrl).port));
    const results = new Map<string, SettingResult>();
    for (const setting of SETTINGS) {
      let postgres: PostgresStores | null = null;
      if (setting.store === 'postgres') {
        // Fresh databases per setting, so no setting starts with another's tabs in its store.
        const [customerDatabase, merchantDatabase] = [`op_se_${setting.key}`, `op_eu_${setting.key}`];
        postgres = {
          customerOperatorUrl: await createDatabase(cluster.adminUrl, customerDatabase),
          merchantOperatorUrl: await createDatabase(cluster.adminUrl, merchantDatabase),
          postmaster,
        };
      }
      process.stderr.write(`bench: operator_stores: ${setting.label}…\n`);
      results.set(setting.key, await measureSetting(setting, options, postgres));
    }
    const sqlite = results.get('sqlite')!;
    const metrics = SETTINGS.flatMap((setting) => {
      const result = results.get(setting.key)!;
      const prefix = `operator_stores.${setting.key}`;
      const totalCpuPerTab_ms =
        result.serverCpuPerTab_ms === null || result.databaseCpuPerTab_ms === null
          ? null
          : result.serverCpuPerTab_ms + result.databaseCpuPerTab_ms;
      const sqliteTotal_ms = sqlite.serverCpuPerTab_ms;
      return [
        metric(`${prefix}.tabs_per_s`, result.tabs_per_s),
        metric(`${prefix}.complete_p50_ms`, result.complete_p50_ms),
        metric(`${prefix}.complete_p99_ms`, result.complete_p99_ms),
        metric(`${prefix}.server_cpu_ms_per_tab`, result.serverCpuPerTab_ms),
        metric(`${prefix}.database_cpu_ms_per_tab`, result.databaseCpuPerTab_ms),
        metric(`${prefix}.total_cpu_ms_per_tab`, totalCpuPerTab_ms),
        ...(setting.key === 'sqlite'
          ? []
          : [
              metric(`${prefix}.tabs_per_s_vs_sqlite`, ratio(result.tabs_per_s, sqlite.tabs_per_s)),
              metric(`${prefix}.total_cpu_vs_sqlite`, ratio(totalCpuPerTab_ms, sqliteTotal_ms)),
            ]),
      ];
    });
    return {
      name: 'operator_stores',
      metrics: [
        metric('operator_stores.tabs', options.tabs),
        metric('operator_stores.concurrency', options.concurrency),
        ...metrics,
      ],
      notes: [
        `one purchase per tab, as the lifecycle case; ${WARMUP_TABS} warm-up tabs, then ${options.tabs} measured, ${options.concurrency} customers each running tabs back to back; the merchant agent on SQLite throughout`,
        'PostgreSQL: a throwaway local cluster (fsync off), one database per operator and setting, the operators’ default pool of 10 connections per process; with 2 processes the customers alternate between them',
        'server CPU = both operators’ processes and the merchant process together; database CPU = every PostgreSQL process of the cluster (0 for SQLite, which runs inside the servers); total = the two; the customers run on the same 2 cores',
      ],
    };
  } finally {
    cluster.stop();
  }
}
