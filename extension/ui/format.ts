// Display helpers shared by the pages. Amounts arrive as wire decimals and are shown as they are:
// no floating point, no rounding in the UI.

import type { WireAmount } from '../../protocol/money/amount';

export function showAmount(amount: WireAmount | null | undefined): string {
  return amount ? `${amount.value} ${amount.currency}` : '—';
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

/** Offers text for the customer to save, as a file download from an extension page. */
export function downloadText(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
