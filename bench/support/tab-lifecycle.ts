// One complete tab, as the lifecycle and scaling cases count it: opened through the whole
// AM → MTA → merchant → acks chain, one purchase, stopped by the customer, both records in,
// compared and cleared, and both billing records delivered.

import type { TestCustomer } from '@opentab/test-kit/worlds';
import { ARTICLE_ID, ARTICLE_PRICE, BENCH_CHAIN_UNIT } from './catalogue';
import type { BenchWorld } from './bench-world';
import { MERCHANT_OPERATOR } from './bench-world';

/** Enough for a handful of five-cent articles; the hold is what every tab costs the customer's credit. */
export const TAB_DEPOSIT = { currency: 'SEK', value: '10.00' } as const;

export interface LifecycleTiming {
  /** Click to tab open: the initiation's answer is in the customer's hands. */
  readonly open_ms: number;
  /** Click to both billing records delivered. */
  readonly complete_ms: number;
}

export async function runTabLifecycle(world: BenchWorld, customer: TestCustomer): Promise<LifecycleTiming> {
  const start_ms = performance.now();
  const tab = await customer.openTab({
    merchantId: world.merchant.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR.operatorId,
    merchantCurrency: world.merchant.currency,
    deposit: TAB_DEPOSIT,
    chainUnit: BENCH_CHAIN_UNIT,
  });
  const open_ms = performance.now() - start_ms;
  await tab.buy(world.merchant.agentUrl, ARTICLE_ID, ARTICLE_PRICE);
  await tab.terminate(world.merchant.agentUrl);
  await customer.sendRecord(tab);
  await world.billing.settled(tab.tabId);
  return { open_ms, complete_ms: performance.now() - start_ms };
}
