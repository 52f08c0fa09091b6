// What the audit tests audit: one tab cleared with its billing records written, and one still
// open with a purchase on it, between the two operators of a world, on whichever store they keep.

import { waitFor } from '@opentab/test-kit';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  type TestCustomer,
  type TestTab,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

export interface AuditScenario {
  readonly customer: TestCustomer;
  readonly cleared: TestTab;
  readonly open: TestTab;
}

export async function runAuditScenario(world: TwoOperatorWorld): Promise<AuditScenario> {
  const customer = await world.newCustomer('500.00');
  const request = {
    merchantId: world.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '20.00' },
    timeout_s: 60,
  };
  const cleared = await customer.openTab(request);
  await cleared.buy(world.merchant.agentUrl, 'article-1', { currency: 'EUR', value: '0.08' });
  await cleared.buy(world.merchant.agentUrl, 'article-2', { currency: 'EUR', value: '0.15' });
  await cleared.terminate(world.merchant.agentUrl);
  await customer.sendRecord(cleared);
  const open = await customer.openTab(request);
  await open.buy(world.merchant.agentUrl, 'article-1', { currency: 'EUR', value: '0.08' });
  await waitFor(
    'the merchant agent to learn of the clearing',
    async () => (await world.merchant.agent.tab(cleared.tabId))?.status === 'cleared',
  );
  await waitFor(
    'both withdrawal and deposit records',
    () => world.billingRecords(CUSTOMER_OPERATOR).length === 1 && world.billingRecords(MERCHANT_OPERATOR).length === 1,
  );
  return { customer, cleared, open };
}
