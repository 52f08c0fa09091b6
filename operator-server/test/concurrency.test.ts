// Double spending is impossible: 50 tab openings race for one credit limit that covers 20 of them.

import { describe, expect, it } from 'vitest';
import { RemoteCallError } from '@opentab/protocol';
import { MERCHANT_OPERATOR, worldPerTest, type TwoOperatorWorld } from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

let w: TwoOperatorWorld;

worldPerTest((started) => (w = started));

describe('concurrent openings against one credit limit', () => {
  it('accepts holds up to the limit and refuses the rest with insufficient_funds', async () => {
    const customer = await w.newCustomer('100.00');
    const attempts = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        customer.openTab({
          merchantId: w.merchantId,
          merchantOperatorId: MERCHANT_OPERATOR,
          merchantCurrency: 'EUR',
          deposit: { currency: 'SEK', value: '5.00' },
        }),
      ),
    );
    const opened = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    const refused = attempts.flatMap((attempt) => (attempt.status === 'rejected' ? [attempt.reason as unknown] : []));
    expect(opened).toHaveLength(20);
    expect(refused).toHaveLength(30);
    for (const reason of refused) {
      expect(reason).toBeInstanceOf(RemoteCallError);
      expect((reason as RemoteCallError).failure).toMatchObject({
        kind: 'refused',
        status: 422,
        code: 'insufficient_funds',
      });
    }
    const account = await customer.account();
    expect(account.held).toEqual({ currency: 'SEK', value: '100.00' });
    expect(account.available).toEqual({ currency: 'SEK', value: '0.00' });
    expect(new Set(opened.map((tab) => tab.transactionId)).size).toBe(20);

    // Close every accepted tab without purchases: all holds end, nothing is charged.
    await Promise.all(
      opened.map(async (tab) => {
        await tab.terminate(w.merchant.agentUrl);
        await customer.sendRecord(tab);
      }),
    );
    const after = await waitFor('every hold to end', async () => {
      const view = await customer.account();
      return view.tabs.every((t) => t.state === 'cleared') ? view : undefined;
    });
    expect(after.available).toEqual({ currency: 'SEK', value: '100.00' });
    expect(after.balance).toEqual({ currency: 'SEK', value: '0.00' });
  });
});
