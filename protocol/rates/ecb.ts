// The European Central Bank's daily reference rates (eurofxref-daily.xml): units of each currency
// per 1 EUR. A deliberately narrow reader for that one published format, not a general XML parser.

import { isCurrencyCode } from '../money/iso4217';
import { parseExactDecimal } from '../money/decimal';

export interface EcbReferenceRates {
  /** The publication date, YYYY-MM-DD. */
  readonly date: string;
  readonly base: 'EUR';
  readonly rates: Readonly<Record<string, string>>;
}

const DATE_CUBE = /<Cube\s+time=['"](\d{4}-\d{2}-\d{2})['"]\s*>/;
const RATE_CUBE = /<Cube\s+currency=['"]([A-Z]{3})['"]\s+rate=['"]([0-9.]+)['"]\s*\/>/g;

export function parseEcbReferenceRates(xml: string): EcbReferenceRates {
  const date = DATE_CUBE.exec(xml)?.[1];
  if (date === undefined) throw new Error('ECB rates: no <Cube time="..."> element');
  const rates: Record<string, string> = {};
  for (const match of xml.matchAll(RATE_CUBE)) {
    const [, currency, rate] = match as unknown as [string, string, string];
    const decimal = parseExactDecimal(rate);
    if (!isCurrencyCode(currency) || decimal === null || decimal.digits === 0n) {
      throw new Error(`ECB rates: bad entry ${currency}=${rate}`);
    }
    rates[currency] = rate;
  }
  if (Object.keys(rates).length === 0) throw new Error('ECB rates: no currency rates found');
  return { date, base: 'EUR', rates };
}
