// Case 3: complete tab lifecycles per second on the embedded SQLite store, with many tabs in
// flight at once (as many customers, each running its tabs one after another).

import { availableParallelism } from 'node:os';
import { atLeast, metric, type CaseResult } from '../report';
import { startBenchWorld } from '../support/bench-world';
import { perItem, startCpuMeter } from '../support/cpu-time';
import { runPool } from '../support/loops';
import { perSecond, summarise } from '../support/stats';
import { LIFECYCLE_WORK, lifecycleFloor_ms } from '../support/lifecycle-work';
import { measurePrimitiveCosts } from '../support/primitive-costs';
import { runTabLifecycle, type LifecycleTiming } from '../support/tab-lifecycle';

export interface LifecycleOptions {
  readonly dir: string;
  readonly cpuProfileDir?: string;
  readonly tabs: number;
  readonly concurrency: number;
}

/** Run before measuring, so every process has compiled its hot paths and filled its caches. */
export const WARMUP_TABS = 200;
/** Room for every tab a customer could have open at once, with no limit reached mid-run. */
export const CREDIT_LIMIT = '100000.00';

export async function runLifecycleCase(options: LifecycleOptions): Promise<CaseResult> {
  const world = await startBenchWorld({
    dir: options.dir,
    ...(options.cpuProfileDir !== undefined ? { cpuProfileDir: options.cpuProfileDir } : {}),
  });
  try {
    const customers = await Promise.all(
      Array.from({ length: options.concurrency }, () => world.newCustomer(CREDIT_LIMIT)),
    );
    const lifecycle = async (index: number, timings: LifecycleTiming[]) => {
      timings[index] = await runTabLifecycle(world, customers[index % customers.length]!);
    };
    const warmup: LifecycleTiming[] = [];
    await runPool(WARMUP_TABS, options.concurrency, (index) => lifecycle(index, warmup));
    const timings: LifecycleTiming[] = [];
    const cpuMeter = startCpuMeter(() => world.serverCpu_ms());
    const run = await runPool(options.tabs, options.concurrency, (index) => lifecycle(index, timings));
    const cpu = cpuMeter();
    // Measured now, on the same machine under the same other load, for the floor below.
    const costs = await measurePrimitiveCosts();
    const floor_ms = lifecycleFloor_ms(LIFECYCLE_WORK, costs);
    const cores = availableParallelism();
    const open = summarise(timings.map((t) => t.open_ms));
    const complete = summarise(timings.map((t) => t.complete_ms));
    return {
      name: 'lifecycle',
      metrics: [
        metric('lifecycle.tabs', options.tabs),
        metric('lifecycle.concurrency', options.concurrency),
        metric('lifecycle.tabs_per_s', perSecond(options.tabs, run.elapsed_ms), atLeast(2000)),
        metric('lifecycle.open_p50_ms', open.p50_ms),
        metric('lifecycle.open_p99_ms', open.p99_ms),
        metric('lifecycle.complete_p50_ms', complete.p50_ms),
        metric('lifecycle.complete_p99_ms', complete.p99_ms),
        metric('lifecycle.server_cpu_ms_per_tab', perItem(cpu.server_ms, options.tabs)),
        metric('lifecycle.client_cpu_ms_per_tab', perItem(cpu.client_ms, options.tabs)),
        metric('lifecycle.http_exchange_cpu_us', costs.httpExchange_us),
        metric('lifecycle.sign_cpu_us', costs.sign_us),
        metric('lifecycle.verify_cpu_us', costs.verify_us),
        metric('lifecycle.floor_cpu_ms_per_tab', floor_ms),
        metric('lifecycle.floor_tabs_per_s', (cores * 1000) / floor_ms),
      ],
      notes: [
        `one purchase per tab; "complete" = both billing records delivered; ${options.concurrency} customers each run tabs back to back`,
        'server CPU = both operators and the merchant process together; client CPU = the customers in the benchmark process, on the same 2 cores',
        `floor = the protocol's own work per tab (${LIFECYCLE_WORK.httpExchanges} HTTP exchanges + ${LIFECYCLE_WORK.billingDeliveries} billing webhooks, ${LIFECYCLE_WORK.signatures} signatures, ${LIFECYCLE_WORK.verifications} verifications, counted by bench/lifecycle-work.test.ts) at the per-operation CPU measured just after the run; floor_tabs_per_s = ${cores} cores' worth of it, with nothing else (SQLite, validation, logging) costing anything`,
      ],
    };
  } finally {
    await world.close();
  }
}
