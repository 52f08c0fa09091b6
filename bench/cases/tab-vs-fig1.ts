// Case 2: the tab against the prior art (seed FIG 1). The same customer buys the same five-cent
// article N times: once through one open tab (a hash-chain link to the merchant agent per
// purchase), once as N direct purchases, each the whole FIG 1 flow: an order at the merchant
// agent, a full authorize-hold-capture across both operators with the MTA notifying the merchant
// agent, and the goods fetched from the agent. Both end in the same state per purchase: the sale
// on the merchant's disk and the merchant's signed receipt with an access token in the customer's
// hands. Both write billing records as the operators do: the tab two per tab at its clearing, the
// baseline two per purchase (customer AM withdrawal, merchant operator deposit). One purchase in
// flight at a time in both, as one person clicking.

import { DIRECT_PURCHASE_HTTP_EXCHANGES, payDirectly } from '../baseline';
import type { TestCustomer } from '@opentab/test-kit/worlds';
import { atLeast, metric, type CaseResult } from '../report';
import { MERCHANT_OPERATOR, startBenchWorld, type BenchWorld } from '../support/bench-world';
import { ARTICLE_ID, ARTICLE_PRICE, BENCH_CHAIN_UNIT } from '../support/catalogue';
import { perItem, startCpuMeter } from '../support/cpu-time';
import { runPool } from '../support/loops';
import { perSecond, summarise } from '../support/stats';

export interface TabVsFig1Options {
  readonly dir: string;
  readonly cpuProfileDir?: string;
  readonly purchases: number;
}

const WARMUP_PURCHASES = 200;
/** One SEK of deposit per five-cent purchase is ample: 1 SEK ≈ 0.088 EUR. */
const DEPOSIT_SEK_PER_PURCHASE = 1;

/** The two kinds take turns in this many blocks, so a burst of other load on the machine hits both alike. */
const BLOCKS = 10;

interface PhaseTotals {
  elapsed_ms: number;
  latencies_ms: number[];
  serverCpu_ms: number | null;
}

function emptyTotals(): PhaseTotals {
  return { elapsed_ms: 0, latencies_ms: [], serverCpu_ms: 0 };
}

/** Runs one block of one kind and adds its time, latencies and server CPU to the kind's totals. */
async function measuredBlock(
  world: BenchWorld,
  totals: PhaseTotals,
  count: number,
  purchase: () => Promise<void>,
): Promise<void> {
  const cpu = startCpuMeter(() => world.serverCpu_ms());
  const run = await runPool(count, 1, purchase);
  const server_ms = cpu().server_ms;
  totals.elapsed_ms += run.elapsed_ms;
  totals.latencies_ms.push(...run.latencies_ms);
  totals.serverCpu_ms = totals.serverCpu_ms === null || server_ms === null ? null : totals.serverCpu_ms + server_ms;
}

function openBenchTab(world: BenchWorld, customer: TestCustomer, purchases: number) {
  return customer.openTab({
    merchantId: world.merchant.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR.operatorId,
    merchantCurrency: world.merchant.currency,
    deposit: { currency: 'SEK', value: `${purchases * DEPOSIT_SEK_PER_PURCHASE}.00` },
    chainUnit: BENCH_CHAIN_UNIT,
  });
}

function directPurchase(world: BenchWorld, customer: TestCustomer): () => Promise<void> {
  const purchase = { agentUrl: world.merchant.agentUrl, itemId: ARTICLE_ID };
  return async () => {
    const { payment, receipt } = await payDirectly(customer, purchase);
    // Every direct purchase must end where a tab purchase does (fetchGoods would refuse an unpaid order anyway).
    if (!payment.payload.merchantNotified)
      throw new Error(`the MTA could not notify the merchant of payment ${payment.payload.paymentId}`);
    if (receipt.payload.price.value !== ARTICLE_PRICE.value)
      throw new Error(`the merchant's receipt says ${receipt.payload.price.value}, not ${ARTICLE_PRICE.value}`);
  };
}

export async function runTabVsFig1Case(options: TabVsFig1Options): Promise<CaseResult> {
  if (options.purchases % BLOCKS !== 0) throw new RangeError(`purchases must be a multiple of ${BLOCKS}`);
  const world = await startBenchWorld({
    dir: options.dir,
    ...(options.cpuProfileDir !== undefined ? { cpuProfileDir: options.cpuProfileDir } : {}),
  });
  try {
    const customer = await world.newCustomer(
      `${4 * (options.purchases + WARMUP_PURCHASES) * DEPOSIT_SEK_PER_PURCHASE}.00`,
    );
    // One tab carries every tab purchase, warm-up included, as one reader's visit would.
    const tab = await openBenchTab(world, customer, options.purchases + WARMUP_PURCHASES);
    const tabPurchase = async () => {
      await tab.buy(world.merchant.agentUrl, ARTICLE_ID, ARTICLE_PRICE);
    };
    const direct = directPurchase(world, customer);
    await runPool(WARMUP_PURCHASES, 1, tabPurchase);
    await runPool(WARMUP_PURCHASES, 1, direct);
    const tabTotals = emptyTotals();
    const directTotals = emptyTotals();
    for (let block = 0; block < BLOCKS; block++) {
      await measuredBlock(world, tabTotals, options.purchases / BLOCKS, tabPurchase);
      await measuredBlock(world, directTotals, options.purchases / BLOCKS, direct);
    }
    await tab.terminate(world.merchant.agentUrl);
    const tabServerCpu_ms = tabTotals.serverCpu_ms;
    const directServerCpu_ms = directTotals.serverCpu_ms;
    const tabLatency = summarise(tabTotals.latencies_ms);
    const directLatency = summarise(directTotals.latencies_ms);
    const tabPerSecond = perSecond(options.purchases, tabTotals.elapsed_ms);
    const directPerSecond = perSecond(options.purchases, directTotals.elapsed_ms);
    return {
      name: 'tab_vs_fig1',
      metrics: [
        metric('tab_vs_fig1.purchases', options.purchases),
        metric('tab_vs_fig1.tab_per_s', tabPerSecond),
        metric('tab_vs_fig1.tab_p50_ms', tabLatency.p50_ms),
        metric('tab_vs_fig1.tab_p99_ms', tabLatency.p99_ms),
        metric('tab_vs_fig1.direct_per_s', directPerSecond),
        metric('tab_vs_fig1.direct_p50_ms', directLatency.p50_ms),
        metric('tab_vs_fig1.direct_p99_ms', directLatency.p99_ms),
        metric('tab_vs_fig1.ratio', tabPerSecond / directPerSecond, atLeast(20)),
        metric('tab_vs_fig1.tab_server_cpu_ms', perItem(tabServerCpu_ms, options.purchases)),
        metric('tab_vs_fig1.direct_server_cpu_ms', perItem(directServerCpu_ms, options.purchases)),
        metric(
          'tab_vs_fig1.cpu_ratio',
          tabServerCpu_ms === null || directServerCpu_ms === null ? null : directServerCpu_ms / tabServerCpu_ms,
        ),
        metric('tab_vs_fig1.direct_http_exchanges', DIRECT_PURCHASE_HTTP_EXCHANGES),
      ],
      notes: [
        `one purchase in flight at a time, the two kinds taking turns in ${BLOCKS} blocks; a tab purchase is one HTTP exchange, a direct purchase the whole FIG 1 flow in five (order at the agent, payment at the AM, AM → MTA credit, MTA → agent notice, goods from the agent)`,
        "both end in the same state: the sale durably recorded by the merchant agent and the merchant's signed receipt with an access token at the customer",
        "both write billing records (a withdrawal at the customer's AM, a deposit at the merchant's operator, through the outbox to the billing webhook): the tab once per tab, at its clearing, which comes after the measured blocks; the baseline once per purchase, enqueued and delivered within them",
        'server CPU per purchase counts all three server processes, during the measured blocks only',
      ],
    };
  } finally {
    await world.close();
  }
}
