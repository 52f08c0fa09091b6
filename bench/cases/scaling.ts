// Case 4: does a tab cost more when the stores are big? For each size, fresh stores are filled
// with that many customer accounts and finished tabs (at both operators and the merchant agent),
// then the servers start on them and run real lifecycles. Cost per tab = CPU time of the three
// server processes per tab, which other load on a shared machine disturbs far less than wall
// time; wall time per tab at a fixed number of tabs in flight is reported beside it.

import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { atMost, metric, type CaseResult, type Metric } from '../report';
import { startBenchWorld, type BenchLayout } from '../support/bench-world';
import { fillMerchantAgentStore } from '../support/fill-merchant-agent';
import { fillOperatorStores } from '../support/fill-operators';
import { perItem, startCpuMeter } from '../support/cpu-time';
import { historicTab } from '../support/history';
import { runPool } from '../support/loops';
import { sizeLabel } from '../support/sizes';
import { runTabLifecycle } from '../support/tab-lifecycle';

export interface ScalingOptions {
  readonly dir: string;
  readonly cpuProfileDir?: string;
  /** Accounts and finished tabs already in the stores, smallest first. */
  readonly sizes: readonly number[];
  readonly tabsPerSize: number;
  readonly concurrency: number;
}

const WARMUP_TABS = 200;
const CREDIT_LIMIT = '100000.00';

interface SizeRun {
  readonly size: number;
  readonly fill_s: number;
  readonly serverCpu_ms_per_tab: number | null;
  readonly wall_ms_per_tab: number;
}

/** At 100k the three stores take ~2.5 GB; the logs stay for whoever wants to read them. */
function removeStores(layout: BenchLayout): void {
  for (const operator of [layout.customerOperator, layout.merchantOperator])
    rmSync(dirname(operator.databasePath), { recursive: true, force: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${layout.merchant.databasePath}${suffix}`, { force: true });
}

async function measureAtSize(options: ScalingOptions, size: number): Promise<SizeRun> {
  const dir = join(options.dir, sizeLabel(size));
  mkdirSync(dir);
  let fill_s = 0;
  const world = await startBenchWorld({
    dir,
    ...(options.cpuProfileDir !== undefined ? { cpuProfileDir: join(options.cpuProfileDir, sizeLabel(size)) } : {}),
    beforeStart: async (layout) => {
      const start_ms = performance.now();
      const at_ms = Date.now();
      const history = Array.from({ length: size }, (_, index) => historicTab(index, at_ms));
      fillOperatorStores(layout, history, at_ms);
      await fillMerchantAgentStore(layout, history, at_ms);
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
    const cpuMeter = startCpuMeter(() => world.serverCpu_ms());
    const run = await runPool(options.tabsPerSize, options.concurrency, lifecycle);
    return {
      size,
      fill_s,
      serverCpu_ms_per_tab: perItem(cpuMeter().server_ms, options.tabsPerSize),
      wall_ms_per_tab: run.elapsed_ms / options.tabsPerSize,
    };
  } finally {
    await world.close();
    removeStores(world);
  }
}

export async function runScalingCase(options: ScalingOptions): Promise<CaseResult> {
  const runs: SizeRun[] = [];
  for (const size of options.sizes) {
    process.stderr.write(`bench: scaling at ${size} accounts and tabs…\n`);
    runs.push(await measureAtSize(options, size));
  }
  const smallest = runs[0]!;
  const largest = runs[runs.length - 1]!;
  const ratioName = `${sizeLabel(largest.size)}_vs_${sizeLabel(smallest.size)}`;
  const cpuRatio =
    largest.serverCpu_ms_per_tab === null || smallest.serverCpu_ms_per_tab === null
      ? null
      : largest.serverCpu_ms_per_tab / smallest.serverCpu_ms_per_tab;
  const metrics: Metric[] = [
    ...runs.map((run) => metric(`scaling.tab_cost_${sizeLabel(run.size)}_ms`, run.serverCpu_ms_per_tab)),
    metric(`scaling.cost_ratio_${ratioName}`, cpuRatio, atMost(1.3)),
    ...runs.map((run) => metric(`scaling.wall_per_tab_${sizeLabel(run.size)}_ms`, run.wall_ms_per_tab)),
    metric(`scaling.wall_ratio_${ratioName}`, largest.wall_ms_per_tab / smallest.wall_ms_per_tab),
  ];
  return {
    name: 'scaling',
    metrics,
    notes: [
      `tab_cost = server CPU per tab (both operators and the merchant process); wall_per_tab = elapsed time per tab`,
      `${options.tabsPerSize} lifecycles per size, ${options.concurrency} in flight; fill took ${runs.map((run) => `${run.fill_s.toFixed(1)} s`).join(' / ')}`,
    ],
  };
}
