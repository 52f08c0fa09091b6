// How a rate table's source reads to a customer, the same in the extension and on the merchant's
// page: short, with the day the rates are for ("ECB rate of 28 Jun 2024"). English month names
// from a table of our own, so that the text never depends on a browser's locale data.

import type { RateTableSource } from '../messages/rate-table';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2024-06-28" → "28 Jun 2024". */
export function shortDate(day: string): string {
  const [year, month, date] = day.split('-');
  return `${Number(date)} ${MONTHS[Number(month) - 1] ?? month} ${year}`;
}

/**
 * "ECB rate of 28 Jun 2024", "Operator's rate of 28 Jun 2024", "Sample ECB rate from 28 Jun 2024";
 * "Rate of unstated date" for a table signed before tables stated their source.
 */
export function describeRateSource(source: RateTableSource | null | undefined): string {
  if (!source) return 'Rate of unstated date';
  const publisher = source.publisher === 'ecb' ? 'ECB' : "Operator's";
  return source.sample
    ? `Sample ${publisher} rate from ${shortDate(source.publishedOn)}`
    : `${publisher} rate of ${shortDate(source.publishedOn)}`;
}
