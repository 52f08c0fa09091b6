// Where an operator's quotes come from: the ECB reference-rate file (units per 1 EUR), or a fixed
// table from the configuration. Either way the result is a base currency and decimal quotes.

import { readFileSync } from 'node:fs';
import { parseEcbReferenceRates } from '../../../protocol/rates/ecb';
import { parseExactDecimal } from '../../../protocol/money/decimal';
import { isCurrencyCode } from '../../../protocol/money/iso4217';
import { ConfigError, type RateSourceConfig } from '../config/config';

export interface RateQuotes {
  readonly base: string;
  readonly rates: Readonly<Record<string, string>>;
}

export function loadRateQuotes(source: RateSourceConfig): RateQuotes {
  if (source.source === 'ecb-file') {
    let xml: string;
    try {
      xml = readFileSync(source.path, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read the ECB rate file ${source.path}: ${(error as Error).message}`);
    }
    const ecb = parseEcbReferenceRates(xml);
    return { base: ecb.base, rates: ecb.rates };
  }
  for (const [currency, rate] of Object.entries(source.rates)) {
    if (!isCurrencyCode(currency) || (parseExactDecimal(rate)?.digits ?? 0n) === 0n) {
      throw new ConfigError(`fixed rate ${currency}=${rate} is not a positive decimal for a known currency`);
    }
  }
  return { base: source.base, rates: source.rates };
}
