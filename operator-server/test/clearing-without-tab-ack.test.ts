// A clearing can reach the customer's AM for a transaction that never learnt its tab id: the MTA
// opened the tab, but the AM did not record the tab acknowledgement (it crashed, or the answer was
// lost) and the transaction is still 'opening'. The AM captures all the same, and its withdrawal
// record names the tab the clearing is about (billing records are checked against their schema
// when the test world reads them, so a record without a tab id would never have been written).

import { describe, expect, it } from 'vitest';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  RECORD_GRACE_MS,
  hundredArticles,
  StoredTables,
  worldPerTest,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

let w: TwoOperatorWorld;

worldPerTest((started) => (w = started));

describe('a clearing for a transaction the AM still has as opening', () => {
  it('is captured, and its withdrawal record carries the tab id of the clearing', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '20.00' },
    });
    await tab.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: hundredArticles()[0]!.price }); // 8 cents
    // As if the AM had never recorded the MTA's tab acknowledgement.
    const tables = StoredTables.ofOperator(w.world.operator(CUSTOMER_OPERATOR));
    try {
      expect(
        await tables.run("UPDATE transactions SET state = 'opening', tab_id = NULL WHERE transaction_id = ?", [
          tab.transactionId,
        ]),
      ).toBe(1);
    } finally {
      await tables.close();
    }

    await tab.terminate(w.merchant.agentUrl);
    // No customer record can reach the AM now (it does not know the tab), so the MTA clears without it.
    await w.merchantRecordAcknowledged(tab.tabId);
    await w.elapse(RECORD_GRACE_MS);
    const withdrawal = await waitFor('the withdrawal record', () =>
      w.billingRecords(CUSTOMER_OPERATOR).find((r) => r.recordType === 'withdrawal'),
    );
    expect(withdrawal).toMatchObject({
      recordType: 'withdrawal',
      source: 'tab',
      transactionId: tab.transactionId,
      tabId: tab.tabId,
      merchantAmount: { currency: 'EUR', value: '0.08' },
    });
  });
});
