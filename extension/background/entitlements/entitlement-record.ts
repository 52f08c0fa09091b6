// An entitlement as the wallet remembers it: the merchant's signed receipt of a purchase whose item
// stays open to the buyer until `entitledUntil`, and the page origins its token may be given to.
// Pure: which purchases grant one, and whether one may be handed to a page now.

import type { Entitlement } from '@opentab/protocol';
import type { Receipt } from '@opentab/protocol';
import { CLOCK_SKEW_MS, formatTimestamp, parseTimestamp } from '@opentab/protocol';
import { merchantKey, type MerchantRef } from '../../messaging/views';
import type { BatchWrite } from '../storage/database';
import type { StoredPurchase } from '../tabs/purchase-record';
import type { OpenTab } from '../tabs/tab-record';

export interface StoredEntitlement {
  readonly merchant: MerchantRef;
  readonly itemId: string;
  /** The origins of the merchant certificate the item was paid under: the only pages its token is given to. */
  readonly origins: readonly string[];
  /** The receipt of the purchase that granted it; its access token is what a page is given. */
  readonly receipt: Receipt;
  /** The receipt's entitledUntil, by the merchant's clock. */
  readonly entitledUntil_ms: number;
}

/**
 * An entitlement counts as held until this long before the merchant says it ends: the wallet's
 * clock and the merchant's may differ by the protocol's skew window, and a token offered after
 * the merchant stopped honouring it would open nothing while keeping the customer from buying
 * again. Buying in the last minutes costs a second purchase instead.
 */
export const ENTITLEMENT_MARGIN_MS = CLOCK_SKEW_MS;

/** Item ids contain no '/', so a merchant's entitlements are one key range. */
export function entitlementKey(merchant: MerchantRef, itemId: string): string {
  return `${merchantPrefix(merchant)}${itemId}`;
}

export function merchantPrefix(merchant: MerchantRef): string {
  return `${merchantKey(merchant)}/`;
}

/** The merchant prefix of an entitlement key: everything up to its last '/'. */
export function merchantPrefixOfKey(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}

/** What `purchase` at `tab` entitles to; null for a consumable (its receipt states no entitlement). */
export function entitlementOf(tab: OpenTab, purchase: StoredPurchase): StoredEntitlement | null {
  const until = purchase.receipt.payload.entitledUntil;
  const entitledUntil_ms = until === undefined ? null : parseTimestamp(until);
  if (entitledUntil_ms === null) return null;
  return {
    merchant: tab.merchant,
    itemId: purchase.itemId,
    origins: tab.merchantCertificate.payload.origins,
    receipt: purchase.receipt,
    entitledUntil_ms,
  };
}

/** The entitlements `purchases` grant, to be written with them (the later purchase of an item replaces the earlier). */
export function entitlementWrites(tab: OpenTab, purchases: readonly StoredPurchase[]): BatchWrite[] {
  return purchases.flatMap((purchase) => {
    const entitlement = entitlementOf(tab, purchase);
    return entitlement === null
      ? []
      : [
          {
            store: 'entitlements' as const,
            key: entitlementKey(entitlement.merchant, entitlement.itemId),
            value: entitlement,
          },
        ];
  });
}

/** May a page of `origin` be given this entitlement's token now: unexpired, and on an origin its merchant certificate listed. */
export function servableTo(entitlement: StoredEntitlement, origin: string, now_ms: number): boolean {
  return now_ms < entitlement.entitledUntil_ms - ENTITLEMENT_MARGIN_MS && entitlement.origins.includes(origin);
}

/** What a page is told of it: the token and its expiry, not the receipt (which names the tab it was paid from). */
export function entitlementForPage(entitlement: StoredEntitlement): Entitlement {
  return {
    itemId: entitlement.itemId,
    accessToken: entitlement.receipt.payload.accessToken,
    entitledUntil: formatTimestamp(entitlement.entitledUntil_ms),
  };
}
