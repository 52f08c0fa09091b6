// Stored tabs and purchases as the extension's pages and the page bridge show them.

import type { BridgeResult } from '@opentab/protocol';
import { moneyToWire } from '@opentab/protocol';
import { merchantToCustomer } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import type { PurchaseView, ReplacedTabView, TabView } from '../../messaging/views';
import type { StoredPurchase } from './purchase-record';
import type { Purchase } from '@opentab/protocol';
import { remainingMinor, spentMinor, type OpenTab, type OpeningTab } from './tab-record';

export function remainingCustomerMinor(tab: OpenTab): bigint {
  return merchantToCustomer(remainingMinor(tab), tab.rate);
}

export function tabView(tab: OpeningTab | OpenTab): TabView {
  const merchantCurrency = tab.rate.merchant.currency;
  const spent = tab.phase === 'open' ? spentMinor(tab) : 0n;
  const remaining = tab.depositMerchant_minor - spent;
  return {
    transactionId: tab.phase === 'open' ? tab.transactionId : '',
    merchant: tab.merchant,
    merchantDisplayName: tab.merchantDisplayName,
    phase: tab.phase,
    depositCustomer: moneyToWire({ currency: tab.customerCurrency, minor: tab.depositCustomer_minor }),
    depositMerchant: moneyToWire({ currency: merchantCurrency, minor: tab.depositMerchant_minor }),
    spent: moneyToWire({ currency: merchantCurrency, minor: spent }),
    remaining: moneyToWire({ currency: merchantCurrency, minor: remaining }),
    remainingCustomer: moneyToWire({ currency: tab.customerCurrency, minor: merchantToCustomer(remaining, tab.rate) }),
    ...(tab.rateSource !== undefined ? { rateSource: tab.rateSource } : {}),
    openedAt: formatTimestamp(tab.createdAt_ms),
    expiresAt: tab.phase === 'open' ? formatTimestamp(tab.expiresAt_ms) : null,
  };
}

/** An open tab that cannot pay the next item, as the confirmation of its successor describes it. */
export function replacedTabView(tab: OpenTab): ReplacedTabView {
  const merchant = (minor: bigint) => moneyToWire({ currency: tab.rate.merchant.currency, minor });
  const customer = (minor: bigint) => moneyToWire({ currency: tab.customerCurrency, minor });
  return {
    spent: merchant(spentMinor(tab)),
    spentCustomer: customer(merchantToCustomer(spentMinor(tab), tab.rate)),
    remaining: merchant(remainingMinor(tab)),
    remainingCustomer: customer(remainingCustomerMinor(tab)),
  };
}

export function tabStatusOf(tab: OpenTab | undefined): BridgeResult<'tabStatus'> {
  if (!tab) return { open: false, deposit: null, spent: null, remaining: null, expiresAt: null };
  const currency = tab.rate.merchant.currency;
  return {
    open: true,
    deposit: moneyToWire({ currency, minor: tab.depositMerchant_minor }),
    spent: moneyToWire({ currency, minor: spentMinor(tab) }),
    remaining: moneyToWire({ currency, minor: remainingMinor(tab) }),
    expiresAt: formatTimestamp(tab.expiresAt_ms),
  };
}

export function purchaseView(purchase: StoredPurchase): PurchaseView {
  return {
    at: formatTimestamp(purchase.at_ms),
    transactionId: purchase.transactionId,
    merchantDisplayName: purchase.merchantDisplayName,
    itemId: purchase.itemId,
    // Purchases stored before titles were kept have none.
    title: purchase.title ?? null,
    price: purchase.price,
    status: 'paid',
  };
}

/** The purchase pending at `tab`, as the customer sees it until the merchant answers; `title` from the catalogue when known. */
export function pendingPurchaseView(
  tab: OpenTab,
  purchase: Purchase,
  title: string | null,
  now_ms: number,
): PurchaseView {
  return {
    at: formatTimestamp(tab.pendingSince_ms ?? now_ms),
    transactionId: tab.transactionId,
    merchantDisplayName: tab.merchantDisplayName,
    itemId: purchase.itemId,
    title,
    price: purchase.price,
    status: 'pending',
  };
}
