// Purchase history as CSV (RFC 4180), for the customer's own records and spreadsheets.

import type { PurchaseView } from '../../messaging/views';

const HEADER = ['date', 'merchant', 'item', 'amount', 'currency', 'transaction'];

/** Quotes every field that needs it; a leading = + - @ is defused so spreadsheets do not run it. */
export function csvField(text: string): string {
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function historyCsv(purchases: readonly PurchaseView[]): string {
  const rows = purchases.map((purchase) => [
    purchase.at,
    purchase.merchantDisplayName,
    purchase.itemId,
    purchase.price.value,
    purchase.price.currency,
    purchase.transactionId,
  ]);
  return [HEADER, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
