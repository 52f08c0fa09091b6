// What an operator's rate source yields: a base currency, decimal quotes per unit of it, and
// where they come from (publisher, day, sample or not), which every table made of them states.

import type { RateTableSource } from '@opentab/protocol';
import { parseEcbReferenceRates } from '@opentab/server-kit';

export interface RateQuotes {
  readonly base: string;
  readonly rates: Readonly<Record<string, string>>;
  readonly source: RateTableSource;
}

/** Whether a table (or anything else with these fields) says exactly what the quotes say. */
export function sameQuotes(
  table: {
    readonly base: string;
    readonly rates: Readonly<Record<string, string>>;
    readonly source?: RateTableSource | undefined;
  },
  quotes: RateQuotes,
): boolean {
  const source = table.source;
  if (
    source === undefined ||
    source.publisher !== quotes.source.publisher ||
    source.publishedOn !== quotes.source.publishedOn ||
    source.sample !== quotes.source.sample
  )
    return false;
  if (table.base !== quotes.base) return false;
  const currencies = Object.keys(quotes.rates);
  return (
    Object.keys(table.rates).length === currencies.length &&
    currencies.every((currency) => table.rates[currency] === quotes.rates[currency])
  );
}

/** The newest day of an ECB reference-rate file; throws EcbFormatError for a file it cannot read in full. */
export function ecbQuotes(xml: string, sample: boolean): RateQuotes {
  const ecb = parseEcbReferenceRates(xml);
  return { base: ecb.base, rates: ecb.rates, source: { publisher: 'ecb', publishedOn: ecb.date, sample } };
}
