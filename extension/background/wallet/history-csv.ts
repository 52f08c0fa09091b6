// Purchase history as CSV (RFC 4180), for the customer's own records and spreadsheets.

import type { PurchaseView } from '../../messaging/views';

/**
 * `item` is the merchant's item id, `title` what its catalogue called the item (empty when not known);
 * `amount_customer` the price at its tab's locked rate in the customer's currency (empty for a tab this
 * wallet does not hold). New columns go at the end, so spreadsheets built on the old ones keep working.
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

export function historyCsv(purchases: readonly PurchaseView[]): string {
  const rows = purchases.map((purchase) => [
    purchase.at,
    purchase.merchantDisplayName,
    purchase.itemId,
    purchase.title ?? '',
    purchase.price.value,
    purchase.price.currency,
    purchase.transactionId,
    purchase.priceCustomer?.value ?? '',
    purchase.priceCustomer?.currency ?? '',
  ]);
  return [HEADER, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
