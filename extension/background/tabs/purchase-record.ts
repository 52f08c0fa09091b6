import type { Purchase, Receipt } from '../../../protocol/messages/merchant';
import type { WireAmount } from '../../../protocol/money/amount';
import type { OpenTab } from './tab-record';

/** One paid purchase with the merchant's signed receipt (the customer's proof). */
export interface StoredPurchase {
  readonly localTabId: string;
  readonly transactionId: string;
  readonly tabId: string;
  readonly merchantDisplayName: string;
  readonly seq: number;
  readonly itemId: string;
  readonly price: WireAmount;
  readonly chainIndex: number;
  readonly receipt: Receipt;
  readonly at_ms: number;
}

/** The record of `purchase`, paid at `tab` and proven by `receipt`. */
export function storedPurchaseOf(tab: OpenTab, purchase: Purchase, receipt: Receipt, at_ms: number): StoredPurchase {
  return {
    localTabId: tab.localId,
    transactionId: tab.transactionId,
    tabId: tab.tabId,
    merchantDisplayName: tab.merchantDisplayName,
    seq: purchase.seq,
    itemId: purchase.itemId,
    price: purchase.price,
    chainIndex: purchase.chainIndex,
    receipt,
    at_ms,
  };
}
