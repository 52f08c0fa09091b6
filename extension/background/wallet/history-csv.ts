// Purchase history as CSV (RFC 4180), for the customer's own records and spreadsheets.

import type { ClosedTabView, PurchaseView } from '../../messaging/views';

/**
 * `item` is the merchant's item id, `title` what its catalogue called the item (empty when not known);
 * `amount_customer` the price at its tab's locked rate in the customer's currency (empty for a tab this
 * wallet does not hold). The `tab_` columns say how the purchase's tab cleared, as the operator's
 * account lists it (empty while it is open or not cleared, or when the operator could not be reached):
 * the outcome (`agreed`, `disputed`, …), what the whole tab was charged, the operator's decision on a
 * dispute (`uphold` or `adjust`) and the reason: the decision's, else the operator's sentence on a
 * disputed clearing. New columns go at the end, so spreadsheets built on the old ones keep working.
 */
const HEADER = [
  'date',
  'merchant',
  'item',
  'title',
  'amount',
  'currency',
  'transaction',
  'amount_customer',
  'currency_customer',
  'tab_outcome',
  'tab_charged',
  'tab_charged_currency',
  'tab_decision',
  'tab_reason',
];

/**
 * Quotes every field that needs it; a leading = + - @ (or tab or carriage return, which some
 * spreadsheets skip before one) is defused so spreadsheets do not run it. Merchant names and item
 * titles are the merchant's text.
 */
export function csvField(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function historyCsv(purchases: readonly PurchaseView[], closedTabs: readonly ClosedTabView[] = []): string {
  const tabs = new Map(closedTabs.map((tab) => [tab.transactionId, tab]));
  const rows = purchases.map((purchase) => {
    const tab = tabs.get(purchase.transactionId);
    return [
      purchase.at,
      purchase.merchantDisplayName,
      purchase.itemId,
      purchase.title ?? '',
      purchase.price.value,
      purchase.price.currency,
      purchase.transactionId,
      purchase.priceCustomer?.value ?? '',
      purchase.priceCustomer?.currency ?? '',
      tab?.outcome ?? '',
      tab?.charged?.value ?? '',
      tab?.charged?.currency ?? '',
      tab?.decision?.decision ?? '',
      tab?.decision?.reason ?? (tab?.outcome === 'disputed' ? (tab.clearingNote ?? '') : ''),
    ];
  });
  return [HEADER, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
