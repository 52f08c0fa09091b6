// The prior-art baseline (seed FIG 1) the benchmark compares tabs against: one full
// authorize-hold-capture per purchase, across two operators and currencies, over real HTTP.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callRoute, RemoteCallError } from '../../protocol/api/client';
import { DIRECT_PAYMENT_API } from '../../protocol/api/direct-payment-api';
import { verifyEnvelope } from '../../protocol/envelope';
import { fromBase64url } from '../../protocol/encoding/base64url';
import { nodeCrypto } from '../../protocol/crypto/node';
import { DirectPaymentStore } from '../src/store/direct-payments';
import { directPaymentOrder, payDirectly } from '../src/testing/direct-payer';
import { CUSTOMER_OPERATOR, MERCHANT_OPERATOR, startTwoOperatorWorld, type TwoOperatorWorld } from './support/world';

let w: TwoOperatorWorld;

afterEach(async () => {
  w.assertInvariants();
  await w.close();
});

async function refusalOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RemoteCallError && error.failure.kind === 'refused') return error.failure.code;
    throw error;
  }
  throw new Error('the payment was not refused');
}

describe('direct payment (prior-art baseline), SEK customer at op-se, EUR merchant at op-eu', () => {
  beforeEach(async () => {
    w = await startTwoOperatorWorld();
  });

  it('charges the converted price, credits the merchant and settles between the operators', async () => {
    const customer = await w.newCustomer('10.00');
    const purchase = { merchantId: w.merchantId, merchantOperatorId: MERCHANT_OPERATOR, itemId: 'article-1', price: { currency: 'EUR', value: '0.05' } };
    const receipt = await payDirectly(customer, purchase);

    // 5 cents × 11.3595 SEK/EUR = 56.7975 öre → 57 öre (half-even).
    expect(receipt.payload).toMatchObject({ type: 'direct-payment-receipt', operatorId: CUSTOMER_OPERATOR, itemId: 'article-1', price: purchase.price, charged: { currency: 'SEK', value: '0.57' } });
    const amKey = fromBase64url(w.world.operator(CUSTOMER_OPERATOR).running.context.identity.signer.kid);
    expect(verifyEnvelope(nodeCrypto, receipt, amKey)).toBe(true);

    const account = await customer.account();
    expect(account.balance).toEqual({ currency: 'SEK', value: '-0.57' });
    expect(account.held).toEqual({ currency: 'SEK', value: '0.00' });
    expect(account.available).toEqual({ currency: 'SEK', value: '9.43' });
    const merchant = await w.world.operator(MERCHANT_OPERATOR).admin.call('getMerchant', undefined, { merchantId: w.merchantId });
    expect(merchant.balance).toEqual({ currency: 'EUR', value: '0.05' });

    const customerSide = await w.world.operator(CUSTOMER_OPERATOR).admin.call('settlement', undefined, {}, { peer: MERCHANT_OPERATOR });
    expect(customerSide.lines).toEqual([
      { currency: 'EUR', payable: { currency: 'EUR', value: '0.05' }, receivable: { currency: 'EUR', value: '0.00' }, net: { currency: 'EUR', value: '0.05' }, entries: 1 },
    ]);
    const merchantSide = await w.world.operator(MERCHANT_OPERATOR).admin.call('settlement', undefined, {}, { peer: CUSTOMER_OPERATOR });
    expect(merchantSide.lines).toEqual([
      { currency: 'EUR', payable: { currency: 'EUR', value: '0.00' }, receivable: { currency: 'EUR', value: '0.05' }, net: { currency: 'EUR', value: '-0.05' }, entries: 1 },
    ]);
    const row = new DirectPaymentStore(w.world.operator(CUSTOMER_OPERATOR).running.context.db).payment(receipt.payload.paymentId);
    expect(row).toMatchObject({ state: 'captured', chargeMinor: 57n, priceMinor: 5n, merchantCurrency: 'EUR' });
  });

  it('answers a replayed order with the first receipt and charges once', async () => {
    const customer = await w.newCustomer('10.00');
    const order = await directPaymentOrder(customer, { merchantId: w.merchantId, merchantOperatorId: MERCHANT_OPERATOR, itemId: 'article-2', price: { currency: 'EUR', value: '0.15' } });
    const url = w.world.operator(CUSTOMER_OPERATOR).url;
    const first = await callRoute(url, DIRECT_PAYMENT_API.directPayment, order);
    const again = await callRoute(url, DIRECT_PAYMENT_API.directPayment, order);
    expect(again).toEqual(first);
    // 15 cents × 11.3595 = 170.3925 öre → 170 öre.
    expect((await customer.account()).balance).toEqual({ currency: 'SEK', value: '-1.70' });
  });

  it('refuses a payment beyond the available credit and changes nothing', async () => {
    const customer = await w.newCustomer('0.50');
    const code = await refusalOf(payDirectly(customer, { merchantId: w.merchantId, merchantOperatorId: MERCHANT_OPERATOR, itemId: 'article-1', price: { currency: 'EUR', value: '0.05' } }));
    expect(code).toBe('insufficient_funds');
    const account = await customer.account();
    expect(account).toMatchObject({ balance: { currency: 'SEK', value: '0.00' }, held: { currency: 'SEK', value: '0.00' } });
  });

  it('releases the hold when the merchant operator refuses the credit', async () => {
    const customer = await w.newCustomer('10.00');
    const code = await refusalOf(payDirectly(customer, { merchantId: 'no-such-shop', merchantOperatorId: MERCHANT_OPERATOR, itemId: 'article-1', price: { currency: 'EUR', value: '0.05' } }));
    expect(code).toBe('unknown_merchant');
    const account = await customer.account();
    expect(account).toMatchObject({ balance: { currency: 'SEK', value: '0.00' }, held: { currency: 'SEK', value: '0.00' }, available: { currency: 'SEK', value: '10.00' } });
  });
});

describe('direct payment at a single operator', () => {
  beforeEach(async () => {
    w = await startTwoOperatorWorld({ sameOperator: true });
  });

  it('moves the price from the customer to the merchant in one currency', async () => {
    const customer = await w.newCustomer('10.00');
    const receipt = await payDirectly(customer, { merchantId: w.merchantId, merchantOperatorId: CUSTOMER_OPERATOR, itemId: 'article-3', price: { currency: 'SEK', value: '0.22' } });
    expect(receipt.payload.charged).toEqual({ currency: 'SEK', value: '0.22' });
    expect((await customer.account()).balance).toEqual({ currency: 'SEK', value: '-0.22' });
    const merchant = await w.world.operator(CUSTOMER_OPERATOR).admin.call('getMerchant', undefined, { merchantId: w.merchantId });
    expect(merchant.balance).toEqual({ currency: 'SEK', value: '0.22' });
  });
});
