// Display helpers shared by the pages. Amounts arrive as wire decimals and are shown as they are:
// no floating point, no rounding in the UI.

import type { WireAmount } from '@opentab/protocol';
import type { PurchaseView } from '../messaging/views';

/** A no-break space: an amount never breaks between its value and its currency. */
export const NBSP = '\u00a0';

/** "50.00 SEK", value and currency joined by a no-break space (display only: the wire keeps its own form). */
export function showAmount(amount: WireAmount | null | undefined): string {
  return amount ? `${amount.value}${NBSP}${amount.currency}` : '—';
}

/** What a purchase is called: its catalogue title, or its item id for a purchase stored without one. */
/** What "Pending" means on a purchase, for a tooltip. */
export const PENDING_EXPLAINED =
  'Sent, and the shop has not answered yet. Opentab keeps sending this same purchase until it does; it is paid only if the shop accepts it.';

export function purchaseTitle(purchase: Pick<PurchaseView, 'title' | 'itemId'>): string {
  return purchase.title ?? purchase.itemId;
}

/** "in 42 min", "in 1 h 5 min", "expired". */
export function timeLeft(until: string, now_ms: number): string {
  const left_ms = Date.parse(until) - now_ms;
  if (!(left_ms > 0)) return 'expired';
  const minutes = Math.floor(left_ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

export function showDateTime(timestamp: string): string {
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? timestamp : date.toLocaleString();
}

/** "14:05" for a moment today (in the reader's locale), "28 Nov, 14:05" for an earlier day; the full form is
 * showDateTime. */
export function showShortDateTime(timestamp: string, now_ms: number): string {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return timestamp;
  const time: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };
  return date.toDateString() === new Date(now_ms).toDateString()
    ? date.toLocaleTimeString(undefined, time)
    : date.toLocaleString(undefined, { ...time, month: 'short', day: 'numeric' });
}

/** Offers text for the customer to save, as a file download from an extension page. */
export function downloadText(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "1 closed tab", "2 closed tabs": a count with the word in its right number. */
export function countOf(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Sizes as file managers and shops write them: 1 KB = 1,000 bytes, 1 MB = 1,000,000. */
export function showSize(size_bytes: number): string {
  if (size_bytes < 1000) return `${size_bytes} bytes`;
  if (size_bytes < 1_000_000) return `${(size_bytes / 1000).toFixed(1)} KB`;
  return `${(size_bytes / 1_000_000).toFixed(1)} MB`;
}
