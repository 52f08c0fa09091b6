// PRIOR-ART BASELINE (seed FIG 1) at the merchant agent, not part of the Opentab flow: orders paid
// one by one through the operators, so the benchmark compares tabs against the whole FIG 1 flow.
// Step 1: a customer orders one catalogue item; the agent writes a pending order and answers it
// signed. Step 4: the MTA's signed notice says the order is paid; the agent writes it paid together
// with the receipt it will deliver, and acknowledges signed. Delivery: the customer fetches that
// receipt, whose access token is the one tab purchases carry, so the merchant's pages need no
// second check. Each write is one SQLite transaction, on disk before the HTTP edge answers.

import { timingSafeEqual } from 'node:crypto';
import type {
  DirectGoodsRequest,
  DirectOrder,
  DirectOrderPayload,
  DirectOrderReceipt,
  DirectOrderReceiptPayload,
  DirectOrderRequest,
  DirectPaymentNotice,
  DirectPaymentNoticeAck,
  DirectPaymentNoticeAckPayload,
} from '../direct-order-api';
import type { CryptoProvider } from '@opentab/protocol';
import { seal, type PayloadBody, type Signer } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import { newPrefixedId } from '@opentab/protocol';
import { moneyFromWire, moneyToWire, type Money } from '@opentab/protocol';
import {
  firstAnswer,
  grantAccess,
  requestDigest,
  requireFresh,
  requireSignedBy,
  type AccessTokens,
  type AgentSettings,
  type AgentStore,
} from '@opentab/merchant-agent/extension';
import type { DirectOrderRecord, DirectOrderStore } from './direct-order-store';

export interface DirectOrderView {
  readonly orderId: string;
  readonly itemId: string;
  readonly price: Money;
  readonly status: 'pending' | 'paid';
  /** The customer AM's payment id, once paid. */
  readonly paymentId: string | null;
  readonly createdAt_ms: number;
  readonly paidAt_ms: number | null;
}

export interface DirectOrderDependencies {
  readonly settings: Pick<
    AgentSettings,
    | 'merchantId'
    | 'operatorId'
    | 'operatorPublicKey'
    | 'currency'
    | 'catalogue'
    | 'clock'
    | 'clockSkew_ms'
    | 'accessTokenLifetime_ms'
  >;
  readonly crypto: CryptoProvider;
  readonly store: AgentStore;
  /** The merchant key. */
  readonly signer: Signer;
  readonly tokens: AccessTokens;
  /** The baseline's own table of orders, in the agent's file. */
  readonly orders: DirectOrderStore;
}

export type DirectOrderOperations = Pick<DirectOrderService, 'order' | 'acceptPaymentNotice' | 'goods'>;

export class DirectOrderService {
  constructor(private readonly deps: DirectOrderDependencies) {}

  /** Step 1: a pending order for one catalogue item at its catalogue price. A replayed request gets the first order. */
  async order(request: DirectOrderRequest): Promise<DirectOrder> {
    const { crypto, store, settings, signer, orders } = this.deps;
    const digest = requestDigest(crypto, request);
    const known = orders.findByRequest(request.id);
    const replay = firstAnswer<DirectOrder>(
      known === null ? null : { requestDigest: known.requestDigest, responseJson: known.orderJson },
      digest,
    );
    if (replay !== null) return replay;

    const item = settings.catalogue.item(request.itemId);
    if (item === undefined) throw new OpentabError('unknown_item');
    const now_ms = settings.clock.now_ms();
    const body = {
      type: 'direct-order',
      merchantId: settings.merchantId,
      operatorId: settings.operatorId,
      orderId: newPrefixedId(crypto, 'ord'),
      itemId: item.itemId,
      price: item.wirePrice,
    } as const;
    const order = seal(crypto, signer, body satisfies PayloadBody<DirectOrderPayload>, now_ms);
    await store.transaction(async () =>
      orders.insert({
        orderId: body.orderId,
        requestId: request.id,
        requestDigest: digest,
        orderJson: JSON.stringify(order),
        itemId: item.itemId,
        price_minor: item.price.minor,
        createdAt_ms: now_ms,
      }),
    );
    return order;
  }

  /**
   * Step 4: the MTA has credited the merchant for this order. Marks it paid with the receipt the
   * customer will fetch, and acknowledges. A replay gets the first ack; a retry of the same payment
   * under a new message id a new ack; a second, different payment of a paid order is refused.
   */
  async acceptPaymentNotice(notice: DirectPaymentNotice): Promise<DirectPaymentNoticeAck> {
    const { crypto, store, settings, signer, orders } = this.deps;
    const digest = requestDigest(crypto, notice);
    const replay = firstAnswer<DirectPaymentNoticeAck>(await store.findReply(notice.payload.id), digest);
    if (replay !== null) return replay;

    requireSignedBy(
      crypto,
      notice,
      settings.operatorPublicKey,
      `The payment notice is not signed by operator ${settings.operatorId}.`,
    );
    const now_ms = settings.clock.now_ms();
    requireFresh(notice.payload.iat, now_ms, settings.clockSkew_ms);
    const p = notice.payload;
    if (p.operatorId !== settings.operatorId)
      throw new OpentabError(
        'unknown_peer',
        `The notice comes from operator ${p.operatorId}, this merchant belongs to ${settings.operatorId}.`,
      );
    if (p.merchantId !== settings.merchantId)
      throw new OpentabError(
        'unknown_merchant',
        `This agent serves merchant ${settings.merchantId}, not ${p.merchantId}.`,
      );
    const order = orders.find(p.orderId);
    if (order === null) throw new OpentabError('not_found', 'There is no such order.');
    const amount = moneyFromWire(p.amount);
    if (amount.currency !== settings.currency)
      throw new OpentabError('currency_mismatch', `This merchant takes ${settings.currency}.`);
    if (amount.minor !== order.price_minor)
      throw new OpentabError('price_mismatch', 'The amount paid is not the price of the order.');
    if (order.status === 'paid' && order.paymentId !== p.paymentId)
      throw new OpentabError('conflict', 'The order was already paid by another payment.');

    const ack = seal(
      crypto,
      signer,
      {
        type: 'direct-payment-notice-ack',
        merchantId: settings.merchantId,
        orderId: order.orderId,
        noticeId: p.id,
        paymentId: p.paymentId,
      } satisfies PayloadBody<DirectPaymentNoticeAckPayload>,
      now_ms,
    );
    const reply = { requestDigest: digest, responseJson: JSON.stringify(ack) };
    if (order.status === 'paid') {
      await store.transaction((tx) => tx.insertReply(p.id, 'direct-payment-notice', reply, now_ms));
      return ack;
    }
    const paid: Extract<DirectOrderRecord, { status: 'paid' }> = {
      ...order,
      status: 'paid',
      paymentId: p.paymentId,
      paidAt_ms: now_ms,
      receiptJson: JSON.stringify(this.receipt(order, p.paymentId, now_ms)),
    };
    await store.transaction(async (tx) => {
      orders.markPaid(paid.orderId, paid.paymentId, paid.receiptJson, now_ms);
      await tx.insertReply(p.id, 'direct-payment-notice', reply, now_ms);
    });
    return ack;
  }

  /** Delivery: the receipt of a paid order, to whoever holds its order request id. Reads only. */
  goods(request: DirectGoodsRequest): DirectOrderReceipt {
    const order = this.deps.orders.find(request.orderId);
    // Someone who knows only the order id (the operators do) is told no more than a stranger.
    if (order === null || !sameText(order.requestId, request.requestId))
      throw new OpentabError('not_found', 'There is no such order.');
    if (order.status !== 'paid') throw new OpentabError('conflict', 'The order has not been paid.');
    return JSON.parse(order.receiptJson) as DirectOrderReceipt;
  }

  view(orderId: string): DirectOrderView | null {
    const order = this.deps.orders.find(orderId);
    return order === null ? null : directOrderView(this.deps.settings.currency, order);
  }

  private receipt(order: DirectOrderRecord, paymentId: string, now_ms: number): DirectOrderReceipt {
    const { crypto, settings, signer, tokens } = this.deps;
    // The catalogue had the item when the order was placed; one removed since is sold as a consumable.
    const item = settings.catalogue.item(order.itemId) ?? {
      itemId: order.itemId,
      access: { kind: 'consumable' } as const,
    };
    const { accessToken } = grantAccess(tokens, item, now_ms, settings.accessTokenLifetime_ms);
    return seal(
      crypto,
      signer,
      {
        type: 'direct-order-receipt',
        merchantId: settings.merchantId,
        orderId: order.orderId,
        paymentId,
        itemId: order.itemId,
        price: moneyToWire({ currency: settings.currency, minor: order.price_minor }),
        accessToken,
      } satisfies PayloadBody<DirectOrderReceiptPayload>,
      now_ms,
    );
  }
}

export function directOrderView(currency: string, order: DirectOrderRecord): DirectOrderView {
  const paid = order.status === 'paid' ? order : null;
  return {
    orderId: order.orderId,
    itemId: order.itemId,
    price: { currency, minor: order.price_minor },
    status: order.status,
    paymentId: paid?.paymentId ?? null,
    createdAt_ms: order.createdAt_ms,
    paidAt_ms: paid?.paidAt_ms ?? null,
  };
}

function sameText(known: string, presented: string): boolean {
  const a = Buffer.from(known, 'utf8');
  const b = Buffer.from(presented, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
