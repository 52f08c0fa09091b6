// One payment: ask the extension to pay the catalogue price, check that the receipt is for what
// was asked, then tell the page and show it. A second request for an item that is being paid
// joins the first instead of paying twice. An item bought before, whose entitlement the wallet
// still holds, is answered `owned` with its access token: nothing is charged, and the page is told
// with opentab:owned instead.
//
// A payment the shop has not answered yet comes back `payment_pending`: shown as pending, not as
// an error, and asked after (pending-watch.ts) until the extension has its receipt, which then
// unlocks the page as any payment does, or learns the shop refused it. A click on the item
// meanwhile continues that same payment in the extension; it never pays twice.
//
// The request leaves before anything on the page changes (in the click's own task, as the
// bridge's request event), and the busy state is shown only if the answer is slow (a
// confirmation window, a sleeping extension): a purchase inside an open tab is answered in
// some 10-20 ms, and then the price turns straight into "Paid", without a busy state flickering
// in between; a click that changes nothing also keeps the frame after it cheap, which is drawn
// while the purchase runs.

import type { BridgeResult } from '@opentab/protocol';
import type { MerchantInfo, Receipt } from '@opentab/protocol';
import type { BridgeClient } from './bridge-client';
import { OpentabError } from './errors';
import { emitOpentabEvent } from './events';
import { createPendingWatch, pendingPollDelay_ms } from './pending-watch';
import { withPayment, type CatalogueItem, type Store, type WidgetState } from './state';
import type { TabTracker } from './tab-tracker';
import { LOCAL_ERROR_TEXT, TEXT } from './texts';

/** What a payment came to: paid now (with its receipt), or owned already (with the token the wallet holds). */
export type PayOutcome = BridgeResult<'pay'>;

/** What a delivery came to: the file saved (and paid, with its receipt), or aborted with nothing charged. */
export type DeliveryOutcome = BridgeResult<'deliver'>;

export interface Payments {
  /** `source` is the element the customer used; null for Opentab.pay() calls. */
  pay(itemId: string, source: Element | null): Promise<PayOutcome>;
  /** A product the shop delivers encrypted: the extension checks it, accepts it (which pays) and saves it. */
  buy(itemId: string, source: Element | null): Promise<DeliveryOutcome>;
}

export interface PaymentDeps {
  bridge: BridgeClient;
  store: Store<WidgetState>;
  tabs: TabTracker;
  /** Resolves once the catalogue is loaded and the extension has been looked for. */
  ready: Promise<unknown>;
  /** How long an unanswered payment waits before the button shows it is busy. */
  busyDelay_ms?: number;
  /** How long to wait before asking after a pending payment for the (asked + 1)th time. */
  pendingPollDelay_ms?: (asked: number) => number;
}

/** Long enough for a purchase inside an open tab, short enough to acknowledge the click. */
export const BUSY_DELAY_MS = 120;

function receiptMatches(receipt: Receipt, info: MerchantInfo, item: CatalogueItem): boolean {
  const { payload } = receipt;
  return (
    payload.merchantId === info.merchantId &&
    payload.itemId === item.itemId &&
    payload.price.currency === item.price.currency &&
    payload.price.value === item.price.value
  );
}

function asOpentabError(error: unknown): OpentabError {
  return error instanceof OpentabError ? error : new OpentabError('internal', TEXT.paymentFailed);
}

export function createPayments({
  bridge,
  store,
  tabs,
  ready,
  busyDelay_ms = BUSY_DELAY_MS,
  ...deps
}: PaymentDeps): Payments {
  const inFlight = new Map<string, Promise<PayOutcome>>();
  const pendingWatch = createPendingWatch(deps.pendingPollDelay_ms ?? pendingPollDelay_ms);

  function paid(itemId: string, receipt: Receipt, source: Element | null): void {
    // The page hears first: its own unlocking (a request for the content) starts before the
    // buttons are re-rendered (0.3 ms, more on a page with many), which happens in this same
    // task, so the frame that shows the content shows the paid button too.
    tabs.noteReceipt(receipt, source);
    emitOpentabEvent(source, 'opentab:paid', { itemId, receipt });
    store.update((state) => withPayment(state, itemId, { kind: 'paid', receipt }));
  }

  function failed(itemId: string, error: OpentabError, source: Element | null): void {
    const message = error.message || TEXT.paymentFailed;
    store.update((state) => withPayment(state, itemId, { kind: 'failed', code: error.code, message }));
    emitOpentabEvent(source, 'opentab:error', { itemId, code: error.code, message });
  }

  function pending(itemId: string, source: Element | null): void {
    store.update((state) => withPayment(state, itemId, { kind: 'pending' }));
    emitOpentabEvent(source, 'opentab:pending', { itemId });
    pendingWatch.watch(itemId, () => askAfterPending(itemId, source));
  }

  /** One question about a pending payment; false once there is nothing more to ask. */
  async function askAfterPending(itemId: string, source: Element | null): Promise<boolean> {
    const { catalogue, payments } = store.get();
    // Paid or failed by a click meanwhile: that click told the page.
    if (payments.get(itemId)?.kind !== 'pending') return false;
    // A click is continuing it right now; its answer comes first.
    if (inFlight.has(itemId) || catalogue.kind !== 'loaded') return true;
    const item = catalogue.items.get(itemId);
    if (!item) return false;
    const { info } = catalogue;
    const answer = await bridge.call('paymentStatus', {
      merchantId: info.merchantId,
      operatorId: info.operatorId,
      itemId,
    });
    if (store.get().payments.get(itemId)?.kind !== 'pending') return false;
    if (answer.status === 'pending') return true;
    if (answer.status === 'none') failed(itemId, new OpentabError('merchant_refused', TEXT.paymentFailed), source);
    else if (!receiptMatches(answer.receipt, info, item))
      failed(itemId, new OpentabError('invalid_response', LOCAL_ERROR_TEXT.invalid_response), source);
    else paid(itemId, answer.receipt, source);
    return false;
  }

  /** The loaded catalogue's item and the merchant, once the extension is known to be here. */
  async function itemToBuy(itemId: string): Promise<{ info: MerchantInfo; item: CatalogueItem }> {
    await ready.catch(() => undefined);
    const { catalogue, extension } = store.get();
    if (catalogue.kind !== 'loaded') throw new OpentabError('agent_unreachable', LOCAL_ERROR_TEXT.agent_unreachable);
    const item = catalogue.items.get(itemId);
    if (!item) throw new OpentabError('unknown_item', LOCAL_ERROR_TEXT.unknown_item);
    if (extension.kind !== 'present') throw new OpentabError('not_installed', TEXT.installLink);
    return { info: catalogue.info, item };
  }

  /** The extension's answer, with the button showing it is busy if that answer is slow. */
  async function answered<T>(itemId: string, answer: Promise<T>): Promise<T> {
    const busyTimer = setTimeout(
      () => store.update((state) => withPayment(state, itemId, { kind: 'busy' })),
      busyDelay_ms,
    );
    try {
      return await answer;
    } finally {
      clearTimeout(busyTimer);
    }
  }

  async function deliverOnce(itemId: string, source: Element | null): Promise<DeliveryOutcome> {
    const { info, item } = await itemToBuy(itemId);
    const outcome = await answered(
      itemId,
      bridge.call('deliver', { merchantId: info.merchantId, operatorId: info.operatorId, itemId, price: item.price }),
    );
    if (outcome.kind === 'aborted') {
      failed(itemId, new OpentabError('delivery_aborted', LOCAL_ERROR_TEXT.delivery_aborted), source);
      return outcome;
    }
    if (!receiptMatches(outcome.receipt, info, item))
      throw new OpentabError('invalid_response', LOCAL_ERROR_TEXT.invalid_response);
    emitOpentabEvent(source, 'opentab:delivered', { itemId, receipt: outcome.receipt, fileName: outcome.fileName });
    paid(itemId, outcome.receipt, source);
    return outcome;
  }

  async function payOnce(itemId: string, source: Element | null): Promise<PayOutcome> {
    const { info, item } = await itemToBuy(itemId);
    const outcome = await answered(
      itemId,
      bridge.call('pay', {
        merchantId: info.merchantId,
        operatorId: info.operatorId,
        itemId,
        price: item.price,
      }),
    );
    if (outcome.kind === 'owned') {
      if (outcome.itemId !== itemId) throw new OpentabError('invalid_response', LOCAL_ERROR_TEXT.invalid_response);
      const { kind: _owned, ...entitlement } = outcome;
      emitOpentabEvent(source, 'opentab:owned', entitlement);
      store.update((state) => withPayment(state, itemId, { kind: 'owned', entitlement }));
      return outcome;
    }
    const { receipt } = outcome;
    if (!receiptMatches(receipt, info, item)) {
      throw new OpentabError('invalid_response', LOCAL_ERROR_TEXT.invalid_response);
    }
    paid(itemId, receipt, source);
    // An extension before protocol 3 names no kind.
    return { kind: 'paid', receipt };
  }

  async function payAndReport<T>(
    itemId: string,
    source: Element | null,
    once: (itemId: string, source: Element | null) => Promise<T>,
  ): Promise<T> {
    try {
      return await once(itemId, source);
    } catch (thrown) {
      const error = asOpentabError(thrown);
      if (error.code === 'payment_pending') pending(itemId, source);
      else failed(itemId, error, source);
      throw error;
    } finally {
      inFlight.delete(itemId);
    }
  }

  const deliveries = new Map<string, Promise<DeliveryOutcome>>();
  return {
    pay(itemId, source) {
      const running = inFlight.get(itemId);
      if (running) return running;
      const attempt = payAndReport(itemId, source, payOnce);
      inFlight.set(itemId, attempt);
      return attempt;
    },
    buy(itemId, source) {
      // A second click while the extension is delivering joins that delivery.
      const running = deliveries.get(itemId);
      if (running) return running;
      const attempt = payAndReport(itemId, source, deliverOnce).finally(() => deliveries.delete(itemId));
      deliveries.set(itemId, attempt);
      return attempt;
    },
  };
}
