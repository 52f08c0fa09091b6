// Case 2: the tab against the prior art (seed FIG 1). The same customer buys the same five-cent
// article N times: once through one open tab (a hash-chain link to the merchant agent per
// purchase), once as N direct purchases, each the whole FIG 1 flow: an order at the merchant
// agent, a full authorize-hold-capture across both operators with the MTA notifying the merchant
// agent, and the goods fetched from the agent. Both end in the same state per purchase: the sale
// on the merchant's disk and the merchant's signed receipt with an access token in the customer's
// hands. One purchase in flight at a time in both, as one person clicking.

import { DIRECT_PURCHASE_HTTP_EXCHANGES, payDirectly } from '../../operator-server/src/testing/direct-payer';
import type { TestCustomer } from '../../operator-server/src/testing/test-customer';
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

async function tabPurchases(world: BenchWorld, customer: TestCustomer, count: number) {
  const tab = await customer.openTab({
    merchantId: world.merchant.merchantId, merchantOperatorId: MERCHANT_OPERATOR.operatorId, merchantCurrency: world.merchant.currency,
    deposit: { currency: 'SEK', value: `${count * DEPOSIT_SEK_PER_PURCHASE}.00` },
    chainUnit: BENCH_CHAIN_UNIT,
  });
  const run = await runPool(count, 1, async () => {
    await tab.buy(world.merchant.agentUrl, ARTICLE_ID, ARTICLE_PRICE);
  });
  await tab.terminate(world.merchant.agentUrl);
  return run;
}

function directPurchases(world: BenchWorld, customer: TestCustomer, count: number) {
  const purchase = { agentUrl: world.merchant.agentUrl, itemId: ARTICLE_ID };
  return runPool(count, 1, async () => {
    const { payment, receipt } = await payDirectly(customer, purchase);
    // Every direct purchase must end where a tab purchase does (fetchGoods would refuse an unpaid order anyway).
    if (!payment.payload.merchantNotified) throw new Error(`the MTA could not notify the merchant of payment ${payment.payload.paymentId}`);
    if (receipt.payload.price.value !== ARTICLE_PRICE.value) throw new Error(`the merchant's receipt says ${receipt.payload.price.value}, not ${ARTICLE_PRICE.value}`);
  });
}

export async function runTabVsFig1Case(options: TabVsFig1Options): Promise<CaseResult> {
  const world = await startBenchWorld({ dir: options.dir, ...(options.cpuProfileDir !== undefined ? { cpuProfileDir: options.cpuProfileDir } : {}) });
  try {
    const customer = await world.newCustomer(`${4 * (options.purchases + WARMUP_PURCHASES) * DEPOSIT_SEK_PER_PURCHASE}.00`);
    await tabPurchases(world, customer, WARMUP_PURCHASES);
    await directPurchases(world, customer, WARMUP_PURCHASES);
    const tabCpu = startCpuMeter(() => world.serverCpu_ms());
    const tab = await tabPurchases(world, customer, options.purchases);
    const tabServerCpu_ms = tabCpu().server_ms;
    const directCpu = startCpuMeter(() => world.serverCpu_ms());
    const direct = await directPurchases(world, customer, options.purchases);
    const directServerCpu_ms = directCpu().server_ms;
    const tabLatency = summarise(tab.latencies_ms);
    const directLatency = summarise(direct.latencies_ms);
    const tabPerSecond = perSecond(options.purchases, tab.elapsed_ms);
    const directPerSecond = perSecond(options.purchases, direct.elapsed_ms);
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
        metric('tab_vs_fig1.cpu_ratio', tabServerCpu_ms === null || directServerCpu_ms === null ? null : directServerCpu_ms / tabServerCpu_ms),
        metric('tab_vs_fig1.direct_http_exchanges', DIRECT_PURCHASE_HTTP_EXCHANGES),
      ],
      notes: [
        'one purchase in flight at a time; a tab purchase is one HTTP exchange, a direct purchase the whole FIG 1 flow in five (order at the agent, payment at the AM, AM → MTA credit, MTA → agent notice, goods from the agent)',
        "both end in the same state: the sale durably recorded by the merchant agent and the merchant's signed receipt with an access token at the customer; the direct baseline writes no billing record",
        'server CPU per purchase counts all three server processes; the tab figure includes opening and stopping its one tab',
      ],
    };
  } finally {
    await world.close();
  }
}
