// The merchant agent's side of the prior-art baseline (seed FIG 1): orders, payment notices from
// the MTA and delivery of the goods, over real HTTP and SQLite, with a stand-in MTA's key.

import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DIRECT_ORDER_API,
  DirectOrder,
  DirectOrderReceipt,
  DirectPaymentNoticeAck,
  type DirectOrderRequest,
  type DirectPaymentNotice,
  type DirectPaymentNoticePayload,
} from '../direct-order-api';
import { nodeCrypto } from '@opentab/server-kit';
import { fromBase64url } from '@opentab/protocol';
import { seal, signerFromSecretKey, verifyEnvelope, type PayloadBody, type Signer } from '@opentab/protocol';
import { newMessageId } from '@opentab/protocol';
import { parseMessage } from '@opentab/protocol';
import type { WireAmount } from '@opentab/protocol';
import { AgentHarness, errorCode, eur, MERCHANT_ID } from '@opentab/test-kit/merchant-agent';
import { directOrderExtension, type DirectOrderExtension } from './extension';

const PAYMENT_ID = 'op-se.1.1';

describe("direct orders (the benchmark's baseline, an agent extension)", () => {
  let harness: AgentHarness;
  let orders: DirectOrderExtension;
  beforeEach(async () => {
    orders = directOrderExtension();
    harness = await AgentHarness.start({ extensions: [orders] });
  });
  afterEach(() => harness.close());

  const orderRequest = (itemId = 'article-2'): DirectOrderRequest => ({
    type: 'direct-order-request',
    id: newMessageId(nodeCrypto),
    itemId,
  });

  async function order(itemId = 'article-2'): Promise<{ request: DirectOrderRequest; order: DirectOrder }> {
    const request = orderRequest(itemId);
    const answer = await harness.post('/direct/order', request);
    expect(answer.status).toBe(200);
    expect(parseMessage(DirectOrder, answer.body).ok).toBe(true);
    return { request, order: answer.body as DirectOrder };
  }

  function notice(
    orderId: string,
    overrides: Partial<PayloadBody<DirectPaymentNoticePayload>> & { signer?: Signer; now_ms?: number } = {},
  ): DirectPaymentNotice {
    const { signer = harness.mta.signer, now_ms = harness.clock.now_ms(), ...fields } = overrides;
    const body = {
      type: 'direct-payment-notice',
      operatorId: harness.mta.operatorId,
      merchantId: MERCHANT_ID,
      orderId,
      paymentId: PAYMENT_ID,
      amount: eur('0.05'),
      ...fields,
    } as const;
    return seal(nodeCrypto, signer, body satisfies PayloadBody<DirectPaymentNoticePayload>, now_ms);
  }

  const notify = (message: DirectPaymentNotice) => harness.post('/mta/direct-payment-notice', message);
  const goods = (orderId: string, requestId: string) =>
    harness.post('/direct/goods', { type: 'direct-goods-request', orderId, requestId });

  it('answers an order signed by the merchant, at the catalogue price, and records it pending', async () => {
    const { order: signed } = await order('article-3');
    expect(verifyEnvelope(nodeCrypto, signed, fromBase64url(harness.agent.publicKey))).toBe(true);
    expect(signed.payload).toMatchObject({
      type: 'direct-order',
      merchantId: MERCHANT_ID,
      operatorId: harness.mta.operatorId,
      itemId: 'article-3',
      price: eur('0.25'),
    });
    expect(orders.order(signed.payload.orderId)).toMatchObject({
      status: 'pending',
      itemId: 'article-3',
      price: { currency: 'EUR', minor: 25n },
      paymentId: null,
    });
  });

  it('answers a replayed order request with the first order, and refuses the id for another item', async () => {
    const { request, order: first } = await order();
    expect((await harness.post('/direct/order', request)).body).toEqual(first);
    const reused = await harness.post('/direct/order', { ...request, itemId: 'article-3' });
    expect([reused.status, errorCode(reused)]).toEqual([409, 'id_reused']);
  });

  it('refuses an item that is not in the catalogue', async () => {
    const answer = await harness.post('/direct/order', orderRequest('no-such-item'));
    expect([answer.status, errorCode(answer)]).toEqual([404, 'unknown_item']);
  });

  it('marks the order paid on the MTA notice, acknowledges signed, and delivers a receipt whose access token opens the item', async () => {
    const { request, order: signed } = await order();
    const orderId = signed.payload.orderId;
    expect([(await goods(orderId, request.id)).status, errorCode(await goods(orderId, request.id))]).toEqual([
      409,
      'conflict',
    ]);

    const message = notice(orderId);
    const answer = await notify(message);
    expect(answer.status).toBe(200);
    expect(parseMessage(DirectPaymentNoticeAck, answer.body).ok).toBe(true);
    const ack = answer.body as DirectPaymentNoticeAck;
    expect(verifyEnvelope(nodeCrypto, ack, fromBase64url(harness.agent.publicKey))).toBe(true);
    expect(ack.payload).toMatchObject({
      merchantId: MERCHANT_ID,
      orderId,
      noticeId: message.payload.id,
      paymentId: PAYMENT_ID,
    });
    expect(orders.order(orderId)).toMatchObject({ status: 'paid', paymentId: PAYMENT_ID });

    const delivered = await goods(orderId, request.id);
    expect(delivered.status).toBe(200);
    expect(parseMessage(DirectOrderReceipt, delivered.body).ok).toBe(true);
    const receipt = delivered.body as DirectOrderReceipt;
    expect(verifyEnvelope(nodeCrypto, receipt, fromBase64url(harness.agent.publicKey))).toBe(true);
    expect(receipt.payload).toMatchObject({
      merchantId: MERCHANT_ID,
      orderId,
      paymentId: PAYMENT_ID,
      itemId: 'article-2',
      price: eur('0.05'),
    });
    expect(harness.agent.verifyAccess(receipt.payload.accessToken, 'article-2')).toBe(true);
    expect(harness.agent.verifyAccess(receipt.payload.accessToken, 'article-3')).toBe(false);
    expect(harness.agent.readAccess(receipt.payload.accessToken)).toMatchObject({ itemId: 'article-2' });
    // Fetched again: the same receipt.
    expect((await goods(orderId, request.id)).body).toEqual(receipt);
  });

  it('is idempotent: a replayed notice gets the first ack, a retry of the same payment a new ack, and the order is paid once', async () => {
    const { request, order: signed } = await order();
    const orderId = signed.payload.orderId;
    const message = notice(orderId);
    const first = await notify(message);
    const receipt = (await goods(orderId, request.id)).body;
    expect((await notify(message)).body).toEqual(first.body);

    const retry = notice(orderId);
    const retried = await notify(retry);
    expect(retried.status).toBe(200);
    expect((retried.body as DirectPaymentNoticeAck).payload).toMatchObject({
      orderId,
      noticeId: retry.payload.id,
      paymentId: PAYMENT_ID,
    });
    expect((await goods(orderId, request.id)).body).toEqual(receipt);

    // Another payment for the paid order is refused; the first stands.
    const other = await notify(notice(orderId, { paymentId: 'op-se.1.2' }));
    expect([other.status, errorCode(other)]).toEqual([409, 'conflict']);
    expect(orders.order(orderId)?.paymentId).toBe(PAYMENT_ID);
  });

  it('refuses a notice for an unknown order, a forged one, a stale one and one of the wrong amount, and changes nothing', async () => {
    const { request, order: signed } = await order();
    const orderId = signed.payload.orderId;
    const refusals: Array<[string, DirectPaymentNotice, number, string]> = [
      ['unknown order', notice('ord_000000000000000000000000'), 404, 'not_found'],
      [
        'forged',
        notice(orderId, { signer: signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey()) }),
        401,
        'bad_signature',
      ],
      ['stale', notice(orderId, { now_ms: harness.clock.now_ms() - 3_600_000 }), 401, 'stale_message'],
      ['wrong amount', notice(orderId, { amount: eur('0.01') }), 409, 'price_mismatch'],
      [
        'wrong currency',
        notice(orderId, { amount: { currency: 'SEK', value: '0.05' } as WireAmount }),
        422,
        'currency_mismatch',
      ],
      ['other merchant', notice(orderId, { merchantId: 'other-shop' }), 404, 'unknown_merchant'],
    ];
    for (const [what, message, status, code] of refusals) {
      const answer = await notify(message);
      expect([what, answer.status, errorCode(answer)]).toEqual([what, status, code]);
    }
    // A notice altered after the operator signed it.
    const genuine = notice(orderId);
    const altered = { ...genuine, payload: { ...genuine.payload, paymentId: 'op-se.9.9' } };
    expect(errorCode(await notify(altered))).toBe('bad_signature');

    expect(orders.order(orderId)).toMatchObject({ status: 'pending', paymentId: null });
    expect(errorCode(await goods(orderId, request.id))).toBe('conflict');
    // The genuine notice still works afterwards: the refusals spoiled nothing.
    expect((await notify(genuine)).status).toBe(200);
  });

  it('gives the goods only to the holder of the order request id', async () => {
    const { request, order: signed } = await order();
    const orderId = signed.payload.orderId;
    await notify(notice(orderId));
    const stranger = await goods(orderId, newMessageId(nodeCrypto));
    expect([stranger.status, errorCode(stranger)]).toEqual([404, 'not_found']);
    expect(errorCode(await goods('ord_000000000000000000000000', request.id))).toBe('not_found');
    expect((await goods(orderId, request.id)).status).toBe(200);
  });

  it('keeps orders, payments and receipts across a restart', async () => {
    const { request, order: signed } = await order();
    const orderId = signed.payload.orderId;
    await notify(notice(orderId));
    const receipt = (await goods(orderId, request.id)).body;
    await harness.restartAgent();
    expect(orders.order(orderId)).toMatchObject({ status: 'paid', paymentId: PAYMENT_ID });
    expect((await goods(orderId, request.id)).body).toEqual(receipt);
    expect((await harness.post('/direct/order', request)).body).toEqual(signed);
  });
});

describe('an agent without the extension (the default)', () => {
  it('serves none of its routes, so nobody can place an order', async () => {
    const harness = await AgentHarness.start();
    try {
      // A well-formed order: with the baseline on, this very request is answered with an order.
      const order = await harness.post(DIRECT_ORDER_API.directOrder.path, {
        type: 'direct-order-request',
        id: newMessageId(nodeCrypto),
        itemId: 'article-2',
      });
      const others = await Promise.all(
        [DIRECT_ORDER_API.directPaymentNotice.path, DIRECT_ORDER_API.directGoods.path].map((path) =>
          harness.post(path, {}),
        ),
      );
      expect([order.status, errorCode(order), ...others.map((answer) => answer.status)]).toEqual([
        404,
        'not_found',
        404,
        404,
      ]);
    } finally {
      await harness.close();
    }
  });
});

describe('an agent database without the table of orders', () => {
  it('gains it when the agent starts with the extension, keeping what it had (schema 1 migrated)', async () => {
    const orders = directOrderExtension();
    const harness = await AgentHarness.start({ extensions: [orders] });
    try {
      const tab = await harness.openTab();
      await harness.agent.close();
      const path = join(harness.dir, 'agent.sqlite');
      const db = new Database(path);
      // Schema 1: without what versions 2 to 7 added.
      db.exec(
        'DROP TABLE direct_orders; DROP INDEX tabs_by_chain_root; ALTER TABLE tabs DROP COLUMN clearing_revision; ALTER TABLE record_outbox DROP COLUMN refused_code; ALTER TABLE tabs DROP COLUMN list_key; DROP TABLE operator_ca; DROP TABLE operator_key_rotations; DROP TABLE dispute_decisions',
      );
      db.pragma('user_version = 1');
      db.close();

      await harness.restartAgent();
      expect((await harness.agent.tab(tab.tabId))?.status).toBe('open');
      const answer = await harness.post('/direct/order', {
        type: 'direct-order-request',
        id: newMessageId(nodeCrypto),
        itemId: 'article-1',
      });
      expect(answer.status).toBe(200);
      expect(orders.order((answer.body as DirectOrder).payload.orderId)?.status).toBe('pending');
    } finally {
      await harness.close();
    }
  });
});
