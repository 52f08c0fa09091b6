// Receipts the customer paid for and the page never received: a purchase settled after its click
// was answered "pending" (by the background retry, another click, closing the tab), or learnt
// back from the merchant's receipts. The page that asks for the item next (a click, or the
// widget asking after its pending payment) is handed the receipt instead of paying again.
//
// Kept as one meta record, read by every click (worker memory, storage/meta-cache.ts) and
// written only when a receipt is owed or handed over. A receipt is owed before its purchase is
// recorded, so a worker that stops in between leaves it owed and still pending; the re-sent
// purchase brings the same receipt, which is owed once.

import type { Receipt } from '@opentab/protocol';
import { sameMerchant, type MerchantRef } from '../../messaging/views';
import type { Clock } from '../ports';
import type { AgentDatabase } from '../storage/database';
import type { OpenTab } from './tab-record';

export interface OwedReceipt {
  readonly merchant: MerchantRef;
  /** The page origins of the merchant certificate: only a page on one of them is handed the receipt. */
  readonly origins: readonly string[];
  readonly receipt: Receipt;
  readonly owedSince_ms: number;
}

/** The oldest are dropped beyond this: a page that never came back for them does not grow the record forever. */
export const MAX_OWED_RECEIPTS = 100;

/** `list` with `added` appended, each purchase once, at most MAX_OWED_RECEIPTS (the newest). */
export function withOwed(list: readonly OwedReceipt[], added: readonly OwedReceipt[]): OwedReceipt[] {
  const owedIds = new Set(list.map((owed) => owed.receipt.payload.purchaseId));
  const fresh = added.filter((owed) => !owedIds.has(owed.receipt.payload.purchaseId));
  return [...list, ...fresh].slice(-MAX_OWED_RECEIPTS);
}

/** Where in `list` the oldest receipt owed for `itemId` at `merchant` to a page on `origin` is; -1 when none is. */
export function owedIndex(list: readonly OwedReceipt[], merchant: MerchantRef, itemId: string, origin: string): number {
  return list.findIndex(
    (owed) =>
      sameMerchant(owed.merchant, merchant) && owed.receipt.payload.itemId === itemId && owed.origins.includes(origin),
  );
}

export class OwedReceipts {
  constructor(
    private readonly db: AgentDatabase,
    private readonly clock: Clock,
  ) {}

  /** Owes the page of `tab`'s merchant these receipts of purchases paid at `tab`. */
  async owe(tab: OpenTab, receipts: readonly Receipt[]): Promise<void> {
    if (receipts.length === 0) return;
    const owedSince_ms = this.clock.now_ms();
    const origins = tab.merchantCertificate.payload.origins;
    const added = receipts.map((receipt) => ({ merchant: tab.merchant, origins, receipt, owedSince_ms }));
    await this.db.meta.put('owedReceipts', withOwed(await this.list(), added));
  }

  /** The receipt owed for `itemId` at `merchant` to a page on `origin`, no longer owed once returned; null when there is none. */
  async take(merchant: MerchantRef, itemId: string, origin: string): Promise<Receipt | null> {
    const list = await this.list();
    const index = owedIndex(list, merchant, itemId, origin);
    if (index < 0) return null;
    await this.db.meta.put(
      'owedReceipts',
      list.filter((_, at) => at !== index),
    );
    return list[index]!.receipt;
  }

  private async list(): Promise<readonly OwedReceipt[]> {
    return (await this.db.meta.get('owedReceipts')) ?? [];
  }
}
