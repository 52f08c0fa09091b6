import type { Purchase, Receipt } from '@opentab/protocol';
import type { WireAmount } from '@opentab/protocol';
import type { OpenTab } from './tab-record';

/** One paid purchase with the merchant's signed receipt (the customer's proof). */
export interface StoredPurchase {
  readonly localTabId: string;
  readonly transactionId: string;
  readonly tabId: string;
  readonly merchantDisplayName: string;
  readonly seq: number;
  readonly itemId: string;
  /**
   * The item's title in the merchant's catalogue when it was bought, read from the merchant agent
   * the certificate names (never from the page). Absent in purchases stored before titles were
   * kept, and when the catalogue could not be read: those show their item id. An optional field
   * in a structured-cloned value, so the database needs no new version for it (storage/idb-database.ts).
   */
  readonly title?: string;
  readonly price: WireAmount;
  readonly chainIndex: number;
  readonly receipt: Receipt;
  readonly at_ms: number;
}

/** The record of `purchase`, paid at `tab` and proven by `receipt`; `title` as the merchant's catalogue has it, null when unknown. */
export function storedPurchaseOf(
  tab: OpenTab,
  purchase: Purchase,
  receipt: Receipt,
  at_ms: number,
  title: string | null,
): StoredPurchase {
  const record: StoredPurchase = {
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
  return title === null ? record : { ...record, title };
}
