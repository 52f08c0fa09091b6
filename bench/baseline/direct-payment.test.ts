// The prior-art baseline (seed FIG 1) the benchmark compares tabs against, as a whole: the customer
// orders at the real merchant agent (step 1), its AM holds and pays through the merchant's MTA
// (steps 2–3), the MTA notifies the merchant agent (step 4), and the customer fetches the goods —
// across two operators and currencies, over real HTTP, SQLite and signatures.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callRoute, RemoteCallError } from '@opentab/protocol';
import { DIRECT_ORDER_API } from './direct-order-api';
import { DIRECT_PAYMENT_API } from './direct-payment-api';
import { OPERATOR_API } from '@opentab/protocol';
import { seal, signerFromSecretKey, verifyEnvelope } from '@opentab/protocol';
import { fromBase64url } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { OpentabError } from '@opentab/protocol';
import { directPaymentOrder, fetchGoods, payDirectly, payOrder, placeOrder } from './direct-payer';
import { directOrderExtension, directPaymentExtension, type DirectOrderExtension } from './index';
import { DirectOrderCreditStore } from './operator/order-credits';
import { DirectPaymentStore } from './operator/direct-payments';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';

let w: TwoOperatorWorld;

/** The baseline at both operators and at the merchant agent: fresh for every world. */
const baselineExtensions = () => {
  orders = directOrderExtension();
  return { operator: [directPaymentExtension()], agent: [orders] };
};
/** The merchant agent's orders, of the world of the running test. */
let orders: DirectOrderExtension;

afterEach(async () => {
  await w.assertInvariants();
  await w.close();
});

async function refusalOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RemoteCallError && error.failure.kind === 'refused') return error.failure.code;
    throw error;
  }
  throw new Error('the call was not refused');
}

/** article-2 costs 0.15 EUR in hundredArticles(): 15 cents × 11.3595 SEK/EUR = 170.3925 öre → 1.70 SEK. */
const ARTICLE = 'article-2';

type CallRoute = (
  operatorId: string,
  spec: unknown,
  body: unknown,
  answerLocally: (body: unknown) => Promise<unknown>,
) => Promise<unknown>;

/** Waits until every operator's outbox has delivered all it holds, so the billing files say everything they will. */
const outboxesDrained = () =>
  waitFor('the outboxes to deliver everything', () =>
    Object.values(w.world.operators).every((operator) => operator.running.sqlite!.outbox.pending() === 0),
  );

const merchantBalance = async (operatorId = MERCHANT_OPERATOR) =>
  (await w.world.operator(operatorId).admin.call('getMerchant', undefined, { merchantId: w.merchantId })).balance;

describe('direct payment (prior-art baseline), SEK customer at op-se, EUR merchant at op-eu', () => {
  beforeEach(async () => {
    w = await startTwoOperatorWorld({ extensions: baselineExtensions() });
  });

  it('runs the whole FIG 1 flow: the merchant records the sale and the customer holds its receipt with a working access token', async () => {
    const customer = await w.newCustomer('10.00');
    const outcome = await payDirectly(customer, { agentUrl: w.merchant.agentUrl, itemId: ARTICLE });
    const merchantKey = fromBase64url(w.merchant.agent.publicKey);

    // Step 1: a merchant-signed order at the catalogue price.
    expect(verifyEnvelope(nodeCrypto, outcome.order, merchantKey)).toBe(true);
    expect(outcome.order.payload).toMatchObject({
      merchantId: w.merchantId,
      operatorId: MERCHANT_OPERATOR,
      itemId: ARTICLE,
      price: { currency: 'EUR', value: '0.15' },
    });
    const orderId = outcome.order.payload.orderId;

    // Steps 2–3: the AM's signed receipt, in the customer's currency, after the merchant acknowledged.
    const amKey = fromBase64url(w.world.operator(CUSTOMER_OPERATOR).running.context.identity.signer.kid);
    expect(verifyEnvelope(nodeCrypto, outcome.payment, amKey)).toBe(true);
    expect(outcome.payment.payload).toMatchObject({
      type: 'direct-payment-receipt',
      operatorId: CUSTOMER_OPERATOR,
      merchantId: w.merchantId,
      merchantOrderId: orderId,
      itemId: ARTICLE,
      price: { currency: 'EUR', value: '0.15' },
      charged: { currency: 'SEK', value: '1.70' },
      merchantNotified: true,
    });

    // Step 4 and delivery: the merchant's order is paid, and its signed receipt releases the content.
    expect(verifyEnvelope(nodeCrypto, outcome.receipt, merchantKey)).toBe(true);
    expect(outcome.receipt.payload).toMatchObject({
      type: 'direct-order-receipt',
      merchantId: w.merchantId,
      orderId,
      paymentId: outcome.payment.payload.paymentId,
      itemId: ARTICLE,
      price: { currency: 'EUR', value: '0.15' },
    });
    expect(w.merchant.agent.verifyAccess(outcome.receipt.payload.accessToken, ARTICLE)).toBe(true);
    expect(w.merchant.agent.verifyAccess(outcome.receipt.payload.accessToken, 'article-3')).toBe(false);
    expect(orders.order(orderId)).toMatchObject({
      status: 'paid',
      paymentId: outcome.payment.payload.paymentId,
      price: { currency: 'EUR', minor: 15n },
    });

    // Money moved once: customer charged, merchant credited, the operators owe each other the price.
    const account = await customer.account();
    expect(account).toMatchObject({
      balance: { currency: 'SEK', value: '-1.70' },
      held: { currency: 'SEK', value: '0.00' },
      available: { currency: 'SEK', value: '8.30' },
    });
    expect(await merchantBalance()).toEqual({ currency: 'EUR', value: '0.15' });
    const customerSide = await w.world
      .operator(CUSTOMER_OPERATOR)
      .admin.call('settlement', undefined, {}, { peer: MERCHANT_OPERATOR });
    expect(customerSide.lines).toEqual([
      {
        currency: 'EUR',
        payable: { currency: 'EUR', value: '0.15' },
        receivable: { currency: 'EUR', value: '0.00' },
        net: { currency: 'EUR', value: '0.15' },
        refunded: { currency: 'EUR', value: '0.00' },
        entries: 1,
      },
    ]);
    const merchantSide = await w.world
      .operator(MERCHANT_OPERATOR)
      .admin.call('settlement', undefined, {}, { peer: CUSTOMER_OPERATOR });
    expect(merchantSide.lines).toEqual([
      {
        currency: 'EUR',
        payable: { currency: 'EUR', value: '0.00' },
        receivable: { currency: 'EUR', value: '0.15' },
        net: { currency: 'EUR', value: '-0.15' },
        refunded: { currency: 'EUR', value: '0.00' },
        entries: 1,
      },
    ]);
    const row = new DirectPaymentStore(w.world.operator(CUSTOMER_OPERATOR).running.sqlite!.db).payment(
      outcome.payment.payload.paymentId,
    );
    expect(row).toMatchObject({
      state: 'captured',
      charge_minor: 170n,
      price_minor: 15n,
      merchantCurrency: 'EUR',
      merchantOrderId: orderId,
    });
    const mta = w.world.operator(MERCHANT_OPERATOR).running.sqlite!;
    expect(new DirectOrderCreditStore(mta.db).ofOrder(w.merchantId, orderId)).toMatchObject({
      customerOperatorId: CUSTOMER_OPERATOR,
      paymentId: outcome.payment.payload.paymentId,
      amount_minor: 15n,
    });
    // The notice went out at once; the outbox holds it as delivered and will not send it again.
    expect(mta.outbox.rowsOfRecord(`direct-notice:${orderId}`)).toMatchObject([{ attempts: 1, lastError: null }]);
    expect(mta.outbox.rowsOfRecord(`direct-notice:${orderId}`)[0]?.deliveredAt).not.toBeNull();

    // The goods can be fetched again: the same receipt.
    expect(await fetchGoods(w.merchant.agentUrl, outcome)).toEqual(outcome.receipt);
  });

  it("writes one withdrawal record at the customer's AM and one deposit record at the merchant's operator, as a cleared tab does", async () => {
    const customer = await w.newCustomer('10.00');
    const { payment } = await payDirectly(customer, { agentUrl: w.merchant.agentUrl, itemId: ARTICLE });
    const { paymentId, merchantOrderId } = payment.payload;
    await waitFor(
      'both billing records',
      () => w.billingRecords(CUSTOMER_OPERATOR).length > 0 && w.billingRecords(MERCHANT_OPERATOR).length > 0,
    );
    await outboxesDrained();

    const am = w.world.operator(CUSTOMER_OPERATOR).running.sqlite!;
    expect(w.billingRecords(CUSTOMER_OPERATOR)).toEqual([
      {
        recordType: 'withdrawal',
        source: 'direct-payment',
        recordId: `withdrawal:${CUSTOMER_OPERATOR}:direct-payment:${paymentId}`,
        operatorId: CUSTOMER_OPERATOR,
        accountId: customer.accountId,
        transactionId: paymentId,
        tabId: merchantOrderId,
        merchantId: w.merchantId,
        merchantOperatorId: MERCHANT_OPERATOR,
        amount: payment.payload.charged,
        hold: { currency: 'SEK', value: '1.70' },
        released: { currency: 'SEK', value: '0.00' },
        merchantAmount: { currency: 'EUR', value: '0.15' },
        rate: payment.payload.rate,
        outcome: 'agreed',
        clearedAt: expect.any(String),
      },
    ]);
    expect(payment.payload.charged).toEqual({ currency: 'SEK', value: '1.70' });
    expect(w.billingRecords(MERCHANT_OPERATOR)).toEqual([
      {
        recordType: 'deposit',
        source: 'direct-payment',
        recordId: `deposit:${MERCHANT_OPERATOR}:direct-payment:${w.merchantId}:${merchantOrderId}`,
        operatorId: MERCHANT_OPERATOR,
        merchantId: w.merchantId,
        tabId: merchantOrderId,
        customerOperatorId: CUSTOMER_OPERATOR,
        amount: { currency: 'EUR', value: '0.15' },
        outcome: 'agreed',
        clearedAt: expect.any(String),
      },
    ]);
    // Through the outbox, delivered once to the one configured sink.
    const [withdrawal] = w.billingRecords(CUSTOMER_OPERATOR);
    expect(am.outbox.rowsOfRecord(withdrawal!.recordId)).toMatchObject([
      { destination: { kind: 'billing', sinkIndex: 0 }, attempts: 1, lastError: null },
    ]);
  });

  it('answers a replayed payment order with the first receipt, and refuses a second payment of a paid order, charging once', async () => {
    const customer = await w.newCustomer('10.00');
    const placed = await placeOrder({ agentUrl: w.merchant.agentUrl, itemId: ARTICLE });
    const paymentOrder = await directPaymentOrder(customer, placed.order);
    const url = w.world.operator(CUSTOMER_OPERATOR).url;
    const first = await callRoute(url, DIRECT_PAYMENT_API.directPayment, paymentOrder);
    const again = await callRoute(url, DIRECT_PAYMENT_API.directPayment, paymentOrder);
    expect(again).toEqual(first);

    // A new payment order (new message id) for the same merchant order: the MTA refuses before any money moves.
    expect(await refusalOf(payOrder(customer, placed.order))).toBe('conflict');
    expect(await customer.account()).toMatchObject({
      balance: { currency: 'SEK', value: '-1.70' },
      held: { currency: 'SEK', value: '0.00' },
    });
    expect(await merchantBalance()).toEqual({ currency: 'EUR', value: '0.15' });
    expect(orders.order(placed.order.payload.orderId)).toMatchObject({
      status: 'paid',
      paymentId: first.payload.paymentId,
    });

    // Billed once: neither the replay nor the refused second payment wrote a record.
    await outboxesDrained();
    expect(w.billingRecords(CUSTOMER_OPERATOR)).toMatchObject([
      { recordType: 'withdrawal', transactionId: first.payload.paymentId, amount: { currency: 'SEK', value: '1.70' } },
    ]);
    expect(
      w
        .billingRecords(MERCHANT_OPERATOR)
        .map((r) => `${r.recordType} ${r.tabId} ${r.amount.value} ${r.amount.currency}`),
    ).toEqual([`deposit ${placed.order.payload.orderId} 0.15 EUR`]);
  });

  it('answers a replayed order request with the first order, and refuses the goods of an unpaid or unknown order', async () => {
    const placed = await placeOrder({ agentUrl: w.merchant.agentUrl, itemId: ARTICLE });
    expect(await callRoute(w.merchant.agentUrl, DIRECT_ORDER_API.directOrder, placed.request)).toEqual(placed.order);
    expect(await refusalOf(fetchGoods(w.merchant.agentUrl, placed))).toBe('conflict');
    expect(
      await refusalOf(
        fetchGoods(w.merchant.agentUrl, { ...placed, request: { ...placed.request, id: 'f'.repeat(32) } }),
      ),
    ).toBe('not_found');
    expect(orders.order(placed.order.payload.orderId)).toMatchObject({ status: 'pending', paymentId: null });
  });

  it('refuses a payment beyond the available credit and changes nothing', async () => {
    const customer = await w.newCustomer('0.50');
    const placed = await placeOrder({ agentUrl: w.merchant.agentUrl, itemId: ARTICLE });
    expect(await refusalOf(payOrder(customer, placed.order))).toBe('insufficient_funds');
    expect(await customer.account()).toMatchObject({
      balance: { currency: 'SEK', value: '0.00' },
      held: { currency: 'SEK', value: '0.00' },
    });
    expect(orders.order(placed.order.payload.orderId)?.status).toBe('pending');
    expect(await refusalOf(fetchGoods(w.merchant.agentUrl, placed))).toBe('conflict');
    await outboxesDrained();
    expect(w.billingRecords(CUSTOMER_OPERATOR)).toEqual([]);
    expect(w.billingRecords(MERCHANT_OPERATOR)).toEqual([]);
  });

  it('releases the hold when the MTA finds the order not signed by the merchant, and tells the merchant nothing', async () => {
    const customer = await w.newCustomer('10.00');
    const placed = await placeOrder({ agentUrl: w.merchant.agentUrl, itemId: ARTICLE });
    // The customer lowers the price and signs the order itself.
    const impostor = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const { id: _id, iat: _iat, ...body } = placed.order.payload;
    const cheaper = seal(nodeCrypto, impostor, { ...body, price: { currency: 'EUR', value: '0.01' } });
    expect(await refusalOf(payOrder(customer, cheaper))).toBe('bad_signature');
    // The merchant's own signature over a changed price does not verify either.
    const tampered = {
      ...placed.order,
      payload: { ...placed.order.payload, price: { currency: 'EUR', value: '0.01' } },
    };
    expect(await refusalOf(payOrder(customer, tampered))).toBe('bad_signature');

    expect(await customer.account()).toMatchObject({
      balance: { currency: 'SEK', value: '0.00' },
      held: { currency: 'SEK', value: '0.00' },
      available: { currency: 'SEK', value: '10.00' },
    });
    expect(await merchantBalance()).toEqual({ currency: 'EUR', value: '0.00' });
    expect(orders.order(placed.order.payload.orderId)?.status).toBe('pending');
    // Nothing was captured or credited, so nothing is billed on either side.
    await outboxesDrained();
    expect(w.billingRecords(CUSTOMER_OPERATOR)).toEqual([]);
    expect(w.billingRecords(MERCHANT_OPERATOR)).toEqual([]);
  });
});

describe('direct payment while the merchant agent is down', () => {
  beforeEach(async () => {
    w = await startTwoOperatorWorld({ extensions: baselineExtensions() });
  });

  it('keeps the payment, says the merchant was not notified, and delivers the notice from the outbox once the agent is back', async () => {
    const customer = await w.newCustomer('10.00');
    const placed = await placeOrder({ agentUrl: w.merchant.agentUrl, itemId: ARTICLE });
    w.merchant.setAvailable(false);
    const payment = await payOrder(customer, placed.order);
    expect(payment.payload).toMatchObject({ charged: { currency: 'SEK', value: '1.70' }, merchantNotified: false });
    expect(await merchantBalance()).toEqual({ currency: 'EUR', value: '0.15' });
    w.merchant.setAvailable(true);
    expect(await refusalOf(fetchGoods(w.merchant.agentUrl, placed))).toBe('conflict');

    // The outbox takes over a few seconds after the failed first attempt.
    await w.elapse(10_000);
    const receipt = await waitFor('the goods after the outbox delivered the notice', async () => {
      try {
        return await fetchGoods(w.merchant.agentUrl, placed);
      } catch {
        return undefined;
      }
    });
    expect(receipt.payload.paymentId).toBe(payment.payload.paymentId);
    expect(w.merchant.agent.verifyAccess(receipt.payload.accessToken, ARTICLE)).toBe(true);
    expect(await customer.account()).toMatchObject({
      balance: { currency: 'SEK', value: '-1.70' },
      held: { currency: 'SEK', value: '0.00' },
    });
    expect(await merchantBalance()).toEqual({ currency: 'EUR', value: '0.15' });
  });
});

describe('direct payment whose credit has no definite answer', () => {
  beforeEach(async () => {
    w = await startTwoOperatorWorld({ extensions: baselineExtensions() });
  });

  /** The customer's AM loses the MTA's answers to credit requests while `lose` is true: the credit is made, the AM cannot tell. */
  function loseCreditAnswers(): { lose: boolean } {
    const switchboard = { lose: true };
    const peers = w.world.operator(CUSTOMER_OPERATOR).running.context.peers;
    const callRoute = peers.callRoute.bind(peers) as CallRoute;
    (peers as { callRoute: unknown }).callRoute = (async (operatorId, spec, body, answerLocally) => {
      const answer = await callRoute(operatorId, spec, body, answerLocally);
      if (spec === DIRECT_PAYMENT_API.peerDirectPayment && switchboard.lose)
        throw new OpentabError('peer_unreachable', `Operator ${operatorId} could not be reached.`);
      return answer;
    }) satisfies CallRoute;
    return switchboard;
  }

  it('keeps the hold while the answer is lost, then captures it once from the outbox, as the MTA credited it', async () => {
    const customer = await w.newCustomer('10.00');
    const placed = await placeOrder({ agentUrl: w.merchant.agentUrl, itemId: ARTICLE });
    const switchboard = loseCreditAnswers();
    expect(await refusalOf(payOrder(customer, placed.order))).toBe('peer_unreachable');
    // The MTA credited the merchant; the AM neither released nor captured the 1.70 SEK.
    expect(await merchantBalance()).toEqual({ currency: 'EUR', value: '0.15' });
    expect(await customer.account()).toMatchObject({
      balance: { currency: 'SEK', value: '0.00' },
      held: { currency: 'SEK', value: '1.70' },
    });
    // Still lost at the outbox's first attempt: the hold stays.
    await w.elapse(20_000);
    expect((await customer.account()).held).toEqual({ currency: 'SEK', value: '1.70' });

    switchboard.lose = false;
    await w.elapse(10_000);
    expect((await customer.account()).held).toEqual({ currency: 'SEK', value: '0.00' });
    expect(await customer.account()).toMatchObject({
      balance: { currency: 'SEK', value: '-1.70' },
      held: { currency: 'SEK', value: '0.00' },
    });
    expect(await merchantBalance()).toEqual({ currency: 'EUR', value: '0.15' });
    await outboxesDrained();
    expect(w.billingRecords(CUSTOMER_OPERATOR)).toEqual([
      expect.objectContaining({
        recordType: 'withdrawal',
        source: 'direct-payment',
        amount: { currency: 'SEK', value: '1.70' },
      }),
    ]);
  });

  it('releases the hold from the outbox when the MTA, asked again, refuses the credit', async () => {
    const customer = await w.newCustomer('10.00');
    const placed = await placeOrder({ agentUrl: w.merchant.agentUrl, itemId: ARTICLE });
    // The request never reaches the MTA; by the outbox's attempt the order has been paid by another payment.
    const peers = w.world.operator(CUSTOMER_OPERATOR).running.context.peers;
    const callRoute = peers.callRoute.bind(peers) as CallRoute;
    let dropped = false;
    (peers as { callRoute: unknown }).callRoute = (async (operatorId, spec, body, answerLocally) => {
      if (spec === DIRECT_PAYMENT_API.peerDirectPayment && !dropped) {
        dropped = true;
        throw new OpentabError('peer_unreachable', `Operator ${operatorId} could not be reached.`);
      }
      return callRoute(operatorId, spec, body, answerLocally);
    }) satisfies CallRoute;
    expect(await refusalOf(payOrder(customer, placed.order))).toBe('peer_unreachable');
    expect(await merchantBalance()).toEqual({ currency: 'EUR', value: '0.00' });
    expect((await customer.account()).held).toEqual({ currency: 'SEK', value: '1.70' });
    const other = await w.newCustomer('10.00');
    await payOrder(other, placed.order);

    await w.elapse(20_000);
    expect((await customer.account()).held).toEqual({ currency: 'SEK', value: '0.00' });
    expect(await customer.account()).toMatchObject({
      balance: { currency: 'SEK', value: '0.00' },
      held: { currency: 'SEK', value: '0.00' },
    });
    expect(await merchantBalance()).toEqual({ currency: 'EUR', value: '0.15' });
  });
});

describe('direct payment at a single operator', () => {
  beforeEach(async () => {
    w = await startTwoOperatorWorld({ sameOperator: true, extensions: baselineExtensions() });
  });

  it('moves the price from the customer to the merchant in one currency and delivers the goods', async () => {
    const customer = await w.newCustomer('10.00');
    // article-3 costs 0.22 in hundredArticles(), here in SEK.
    const outcome = await payDirectly(customer, { agentUrl: w.merchant.agentUrl, itemId: 'article-3' });
    expect(outcome.payment.payload).toMatchObject({
      charged: { currency: 'SEK', value: '0.22' },
      merchantNotified: true,
    });
    expect((await customer.account()).balance).toEqual({ currency: 'SEK', value: '-0.22' });
    expect(await merchantBalance(CUSTOMER_OPERATOR)).toEqual({ currency: 'SEK', value: '0.22' });
    expect(w.merchant.agent.verifyAccess(outcome.receipt.payload.accessToken, 'article-3')).toBe(true);
    // Both records at the one operator, as a same-operator tab's clearing writes them.
    await waitFor('both billing records', () => w.billingRecords(CUSTOMER_OPERATOR).length >= 2);
    await outboxesDrained();
    const { paymentId, merchantOrderId } = outcome.payment.payload;
    expect(
      w
        .billingRecords(CUSTOMER_OPERATOR)
        .map((r) => `${r.recordType} ${r.source} ${r.tabId} ${r.amount.value} ${r.amount.currency}`)
        .sort(),
    ).toEqual([
      `deposit direct-payment ${merchantOrderId} 0.22 SEK`,
      `withdrawal direct-payment ${merchantOrderId} 0.22 SEK`,
    ]);
    expect(w.billingRecords(CUSTOMER_OPERATOR).find((r) => r.recordType === 'withdrawal')).toMatchObject({
      transactionId: paymentId,
      accountId: customer.accountId,
    });
  });
});

describe("operators and merchant agent without the baseline's extensions (the default)", () => {
  beforeEach(async () => {
    w = await startTwoOperatorWorld();
  });

  it('serve none of its routes and leave them out of /openapi.json, so no money moves that way', async () => {
    // The customer's first step, a real order at the merchant agent, already finds nothing there.
    expect(await refusalOf(placeOrder({ agentUrl: w.merchant.agentUrl, itemId: ARTICLE }))).toBe('not_found');
    for (const operatorId of [CUSTOMER_OPERATOR, MERCHANT_OPERATOR]) {
      const operator = w.world.operator(operatorId);
      for (const route of [DIRECT_PAYMENT_API.directPayment, DIRECT_PAYMENT_API.peerDirectPayment]) {
        const answer = await fetch(`${operator.url}${route.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        expect([route.path, answer.status, ((await answer.json()) as { error: { code: string } }).error.code]).toEqual([
          route.path,
          404,
          'not_found',
        ]);
      }
      const paths = Object.keys(
        ((await (await fetch(`${operator.url}/openapi.json`)).json()) as { paths: object }).paths,
      );
      expect(paths).toContain(OPERATOR_API.openTab.path);
      expect(paths.filter((path) => path.includes('direct'))).toEqual([]);
    }
  });
});
