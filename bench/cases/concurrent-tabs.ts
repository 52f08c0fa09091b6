// Purchases per second at one merchant with many tabs open at once (200, one purchase in flight
// per tab, as 200 readers clicking), on each store the merchant agent can run on: its embedded
// SQLite file with one process, and one PostgreSQL database with one and with two agent
// processes, as behind a load balancer (tabs are spread over the processes; the MTA calls the
// first). On a 2-core machine a second process cannot add cores, so CPU per purchase (the agent
// processes, and the database's own processes) is the figure that carries to a bigger machine.

import type { TestTab } from '@opentab/test-kit/worlds';
import { createDatabase, startPostgresCluster } from '@opentab/test-kit/postgres';
import { metric, type CaseResult } from '../report';
import { MERCHANT_OPERATOR, startBenchWorld, type BenchWorld, type BenchWorldOptions } from '../support/bench-world';
import { ARTICLE_ID, ARTICLE_PRICE, BENCH_CHAIN_UNIT } from '../support/catalogue';
import { perItem } from '../support/cpu-time';
import { runPool } from '../support/loops';
import { fillAgentPostgresStore } from '../support/fill-agent-postgres';
import { findPostmaster, postgresCpu_ms } from '../support/postgres-cpu';
import { perSecond, summarise } from '../support/stats';

export interface ConcurrentTabsOptions {
  readonly dir: string;
  readonly cpuProfileDir?: string;
  /** Tabs open at the merchant at once, each with one purchase in flight. */
  readonly tabs: number;
  /** Measured purchases per tab, after the warm-up ones. */
  readonly purchasesPerTab: number;
  /** Finished tabs already in the PostgreSQL store, one setting each, for the cost per purchase as it grows. */
  readonly historySizes: readonly number[];
}

/** Purchases per tab before measuring, so every process has compiled its hot paths. */
const WARMUP_PURCHASES_PER_TAB = 3;
const TABS_PER_CUSTOMER = 4;
/** Enough deposit for every purchase of a tab: 1 SEK ≈ 0.088 EUR covers one five-cent article. */
const DEPOSIT_SEK_PER_PURCHASE = 1;
/** Connections per agent process: more than the cores, fewer than the tabs, as a deployment would set it. */
const POOL_SIZE = 16;

interface Setting {
  readonly key: string;
  readonly label: string;
  readonly store: 'sqlite' | 'postgres';
  readonly processes: number;
  /** Finished tabs in the store before the world starts. */
  readonly historyTabs: number;
}

function settingsFor(historySizes: readonly number[]): Setting[] {
  return [
    { key: 'sqlite_1', label: 'SQLite, 1 agent process', store: 'sqlite', processes: 1, historyTabs: 0 },
    { key: 'postgres_1', label: 'PostgreSQL, 1 agent process', store: 'postgres', processes: 1, historyTabs: 0 },
    { key: 'postgres_2', label: 'PostgreSQL, 2 agent processes', store: 'postgres', processes: 2, historyTabs: 0 },
    ...historySizes.map((size) => ({
      key: `postgres_1_history_${size}`,
      label: `PostgreSQL, 1 agent process, ${size.toLocaleString('en')} finished tabs in the store`,
      store: 'postgres' as const,
      processes: 1,
      historyTabs: size,
    })),
  ];
}

interface SettingResult {
  readonly purchases_per_s: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly agentCpuPerPurchase_ms: number | null;
  readonly databaseCpuPerPurchase_ms: number | null;
}

async function openTabs(world: BenchWorld, count: number, purchasesPerTab: number): Promise<TestTab[]> {
  const deposit = `${purchasesPerTab * DEPOSIT_SEK_PER_PURCHASE}.00`;
  const customers = await Promise.all(
    Array.from({ length: Math.ceil(count / TABS_PER_CUSTOMER) }, () =>
      world.newCustomer(`${TABS_PER_CUSTOMER * purchasesPerTab * DEPOSIT_SEK_PER_PURCHASE}.00`),
    ),
  );
  const tabs: TestTab[] = [];
  await runPool(count, 32, async (index) => {
    tabs[index] = await customers[index % customers.length]!.openTab({
      merchantId: world.merchant.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR.operatorId,
      merchantCurrency: world.merchant.currency,
      deposit: { currency: 'SEK', value: deposit },
      chainUnit: BENCH_CHAIN_UNIT,
    });
  });
  return tabs;
}

/**
 * Every tab buys `rounds` articles one after another, all tabs at once (a tab's purchases are
 * sequential by nature: each reveals the next link); tab i goes to agent process i mod n.
 */
async function buyRounds(
  world: BenchWorld,
  tabs: readonly TestTab[],
  rounds: number,
): Promise<{ elapsed_ms: number; latencies_ms: number[] }> {
  const { agentUrls } = world.merchant;
  const latencies_ms: number[] = [];
  const start_ms = performance.now();
  await Promise.all(
    tabs.map(async (tab, tabIndex) => {
      const agentUrl = agentUrls[tabIndex % agentUrls.length]!;
      for (let round = 0; round < rounds; round++) {
        const purchaseStart_ms = performance.now();
        await tab.buy(agentUrl, ARTICLE_ID, ARTICLE_PRICE);
        latencies_ms.push(performance.now() - purchaseStart_ms);
      }
    }),
  );
  return { elapsed_ms: performance.now() - start_ms, latencies_ms };
}

async function measureSetting(
  setting: Setting,
  options: ConcurrentTabsOptions,
  postgres: { readonly url: string; readonly postmaster: number | null } | null,
): Promise<SettingResult> {
  const worldOptions: BenchWorldOptions = {
    dir: `${options.dir}/${setting.key}`,
    merchantProcesses: setting.processes,
    ...(postgres !== null ? { merchantStore: { kind: 'postgres', url: postgres.url, poolSize: POOL_SIZE } } : {}),
    ...(options.cpuProfileDir !== undefined ? { cpuProfileDir: `${options.cpuProfileDir}/${setting.key}` } : {}),
  };
  const world = await startBenchWorld(worldOptions);
  try {
    const perTab = WARMUP_PURCHASES_PER_TAB + options.purchasesPerTab;
    const tabs = await openTabs(world, options.tabs, perTab);
    await buyRounds(world, tabs, WARMUP_PURCHASES_PER_TAB);
    const databaseCpu = () => (postgres?.postmaster == null ? null : postgresCpu_ms(postgres.postmaster));
    const agent0 = world.merchantCpu_ms();
    const database0 = databaseCpu();
    const run = await buyRounds(world, tabs, options.purchasesPerTab);
    const agent1 = world.merchantCpu_ms();
    const database1 = databaseCpu();
    const purchases = tabs.length * options.purchasesPerTab;
    const latency = summarise(run.latencies_ms);
    return {
      purchases_per_s: perSecond(purchases, run.elapsed_ms),
      p50_ms: latency.p50_ms,
      p99_ms: latency.p99_ms,
      agentCpuPerPurchase_ms: perItem(agent0 === null || agent1 === null ? null : agent1 - agent0, purchases),
      databaseCpuPerPurchase_ms:
        setting.store === 'sqlite'
          ? 0
          : perItem(database0 === null || database1 === null ? null : database1 - database0, purchases),
    };
  } finally {
    await world.close();
  }
}

export async function runConcurrentTabsCase(options: ConcurrentTabsOptions): Promise<CaseResult> {
  const cluster = await startPostgresCluster();
  try {
    const port = Number(new URL(cluster.adminUrl).port);
    const postmaster = findPostmaster(port);
    const results = new Map<string, SettingResult>();
    const settings = settingsFor(options.historySizes);
    for (const setting of settings) {
      let postgres: { url: string; postmaster: number | null } | null = null;
      if (setting.store === 'postgres') {
        const database = `merchant_${setting.key}`;
        postgres = { url: await createDatabase(cluster.adminUrl, database), postmaster };
        if (setting.historyTabs > 0) {
          process.stderr.write(`bench: concurrent_tabs: filling ${setting.historyTabs} finished tabs…\n`);
          await fillAgentPostgresStore(postgres.url, setting.historyTabs, Date.now() - 86_400_000);
        }
      }
      process.stderr.write(`bench: concurrent_tabs: ${setting.label}…\n`);
      results.set(setting.key, await measureSetting(setting, options, postgres));
    }
    const of = (key: string) => results.get(key)!;
    const metrics = settings.flatMap((setting) => {
      const result = of(setting.key);
      const prefix = `concurrent_tabs.${setting.key}`;
      return [
        metric(`${prefix}.purchases_per_s`, result.purchases_per_s),
        metric(`${prefix}.p50_ms`, result.p50_ms),
        metric(`${prefix}.p99_ms`, result.p99_ms),
        metric(`${prefix}.agent_cpu_ms_per_purchase`, result.agentCpuPerPurchase_ms),
        metric(`${prefix}.database_cpu_ms_per_purchase`, result.databaseCpuPerPurchase_ms),
      ];
    });
    return {
      name: 'concurrent_tabs',
      metrics: [
        metric('concurrent_tabs.tabs', options.tabs),
        metric('concurrent_tabs.purchases_per_setting', options.tabs * options.purchasesPerTab),
        ...metrics,
        metric('concurrent_tabs.postgres_vs_sqlite', of('postgres_1').purchases_per_s / of('sqlite_1').purchases_per_s),
        metric(
          'concurrent_tabs.two_vs_one_process',
          of('postgres_2').purchases_per_s / of('postgres_1').purchases_per_s,
        ),
      ],
      notes: [
        `${options.tabs} tabs open at one merchant, one purchase in flight per tab; ${WARMUP_PURCHASES_PER_TAB} warm-up purchases per tab, then ${options.purchasesPerTab} measured`,
        `PostgreSQL: a throwaway local cluster (fsync off), ${POOL_SIZE} connections per agent process; tabs spread over the processes by index, the MTA calling the first`,
        `history settings: the PostgreSQL store holds that many finished tabs (each with its purchase, three stored answers and its acknowledged record) before the ${options.tabs} new tabs open`,
        'agent CPU = the merchant agent processes together; database CPU = every PostgreSQL process of the cluster (0 for SQLite, which runs inside the agent); the customers and both operators run on the same 2 cores',
      ],
    };
  } finally {
    cluster.stop();
  }
}
