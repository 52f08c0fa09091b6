import type { Receipt } from '../../../protocol/messages/merchant';
import type { WireAmount } from '../../../protocol/money/amount';

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
