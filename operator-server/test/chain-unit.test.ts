// A tab whose chain unit is the merchant's price step (5 cents) rather than one cent: the AM
// accepts a chain of ceil(deposit ÷ unit) links and refuses one link fewer, the merchant agent
// takes one link per 5 cents, and the records clear what index × unit proves.

import { describe, expect, it } from 'vitest';
import { OPERATOR_API } from '@opentab/protocol';
import { callRoute, RemoteCallError } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { seal, type PayloadBody } from '@opentab/protocol';
import type { InitiationPayload } from '@opentab/protocol';
import { MERCHANT_OPERATOR, worldPerTest, type TwoOperatorWorld } from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

let w: TwoOperatorWorld;

worldPerTest((started) => (w = started), {
  catalogue: [
    { itemId: 'brief', title: 'A brief', price: '0.05' },
    { itemId: 'article', title: 'An article', price: '0.15' },
  ],
});

const eur = (value: string) => ({ currency: 'EUR', value });
const request = () => ({
  merchantId: w.merchantId,
  merchantOperatorId: MERCHANT_OPERATOR,
  merchantCurrency: 'EUR',
  deposit: { currency: 'SEK', value: '20.00' },
});

describe("a tab at the merchant's 5-cent unit", () => {
  it('pays one link per 5 cents and clears index × unit', async () => {
    const customer = await w.newCustomer('100.00');
    const chainUnit = await customer.merchantChainUnit(w.merchant.agentUrl);
    expect(chainUnit).toEqual(eur('0.05'));
    const tab = await customer.openTab({ ...request(), chainUnit });
    // 20.00 SEK → 176 cents; ceil(176 / 5) = 36 links.
    expect(tab.opened.payload.chain).toMatchObject({ unit: eur('0.05'), length: 36 });
    expect((await tab.buy(w.merchant.agentUrl, 'brief', eur('0.05'))).payload).toMatchObject({
      chainIndex: 1,
      spent: eur('0.05'),
    });
    expect((await tab.buy(w.merchant.agentUrl, 'article', eur('0.15'))).payload).toMatchObject({
      chainIndex: 4,
      spent: eur('0.20'),
    });
    expect(tab.spent_minor).toBe(20n);

    await tab.terminate(w.merchant.agentUrl);
    await customer.sendRecord(tab);
    const cleared = await waitFor('the tab to clear', async () => {
      const view = await w.world.operator(MERCHANT_OPERATOR).admin.call('getTab', undefined, { tabId: tab.tabId });
      return view.state === 'cleared' ? view : undefined;
    });
    expect(cleared).toMatchObject({ outcome: 'agreed', cleared: eur('0.20'), dispute: null });
    const account = await waitFor('the AM to capture', async () => {
      const view = await customer.account();
      return view.tabs[0]?.state === 'cleared' ? view : undefined;
    });
    // 20 cents × 11.3595 = 227.19 öre → 2.27 SEK.
    expect(account.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '2.27' });
  });

  it('is refused by the AM when the chain is one link short of the deposit', async () => {
    const customer = await w.newCustomer('100.00');
    const { message } = await customer.initiation({ ...request(), chainUnit: eur('0.05') });
    const { id: _id, iat: _iat, ...body } = message.payload;
    // 35 links × 5 cents = 175 < 176 cents of deposit.
    const short = seal(nodeCrypto, customer.signer, {
      ...body,
      chain: { ...body.chain, length: 35 },
    } satisfies PayloadBody<InitiationPayload>);
    const refusal = await callRoute(customer.operatorUrl, OPERATOR_API.openTab, short).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RemoteCallError);
    expect((refusal as RemoteCallError).failure).toMatchObject({ kind: 'refused', code: 'chain_too_short' });
  });
});
