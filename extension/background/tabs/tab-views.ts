// Stored tabs and purchases as the extension's pages and the page bridge show them.

import type { BridgeResult } from '@opentab/protocol';
import { moneyToWire, parseWireAmount, type WireAmount } from '@opentab/protocol';
import { merchantToCustomer } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import type { AccountTab } from '@opentab/protocol';
import type { ClosedTabView, PurchaseView, ReplacedTabView, TabView } from '../../messaging/views';
import type { StoredPurchase } from './purchase-record';
import type { Purchase } from '@opentab/protocol';
import { remainingMinor, spentMinor, type OpenTab, type OpeningTab, type StoredTab } from './tab-record';

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

/** The tab a purchase was paid from, when this wallet holds it: its locked rate converts the price. */
type RatedTab = Pick<OpenTab, 'rate' | 'customerCurrency'>;

function priceInCustomerCurrency(price: WireAmount, tab: RatedTab | undefined): WireAmount | null {
  const parsed = parseWireAmount(price);
  if (!tab || !parsed.ok) return null;
  return moneyToWire({ currency: tab.customerCurrency, minor: merchantToCustomer(parsed.money.minor, tab.rate) });
}

export function purchaseView(purchase: StoredPurchase, tab?: RatedTab): PurchaseView {
  return {
    priceCustomer: priceInCustomerCurrency(purchase.price, tab),
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
    priceCustomer: priceInCustomerCurrency(purchase.price, tab),
    status: 'pending',
  };
}

/** Closed tabs as the operator's account shows them, with what this wallet's receipts prove for each. */
export function closedTabViews(accountTabs: readonly AccountTab[], local: readonly StoredTab[]): ClosedTabView[] {
  const closedHere = new Map(
    local.flatMap((tab) => (tab.phase === 'closed' ? [[tab.transactionId, tab] as const] : [])),
  );
  return accountTabs
    .filter((tab) => tab.state === 'cleared' || closedHere.has(tab.transactionId))
    .filter((tab) => tab.state !== 'open' || closedHere.has(tab.transactionId))
    .map((tab) => {
      const here = closedHere.get(tab.transactionId);
      const spent_minor = here ? spentMinor(here) : null;
      const spentCustomer_minor = here && spent_minor !== null ? merchantToCustomer(spent_minor, here.rate) : null;
      const charged = tab.state === 'cleared' ? tab.charged : null;
      const charged_minor = charged ? parseWireAmount(charged) : null;
      return {
        transactionId: tab.transactionId,
        merchantDisplayName: tab.merchantDisplayName ?? here?.merchantDisplayName ?? tab.merchantId,
        spent:
          here && spent_minor !== null
            ? moneyToWire({ currency: here.rate.merchant.currency, minor: spent_minor })
            : null,
        spentCustomer:
          here && spentCustomer_minor !== null
            ? moneyToWire({ currency: here.customerCurrency, minor: spentCustomer_minor })
            : null,
        charged,
        clearedAt: tab.clearedAt,
        outcome: tab.clearing?.outcome ?? null,
        // The operator's word where it gives one: a tab can clear below its receipts undisputed (a
        // merchant's refund). Only without it do this wallet's own receipts against the charge decide.
        disputed:
          tab.clearing !== undefined && tab.clearing !== null
            ? tab.clearing.outcome === 'disputed'
            : spentCustomer_minor !== null &&
              charged_minor?.ok === true &&
              charged_minor.money.minor !== spentCustomer_minor,
        clearingNote: tab.clearing?.note ?? null,
        decision: tab.clearing?.decision ?? null,
      };
    })
    .sort((a, b) => (b.clearedAt ?? '9').localeCompare(a.clearedAt ?? '9'));
}
