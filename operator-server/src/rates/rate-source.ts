// Where an operator's quotes come from: the ECB reference-rate file (units per 1 EUR), or a fixed
// table from the configuration. Either way the result is a base currency, decimal quotes and the
// day they are for.

import { readFileSync } from 'node:fs';
import { parseEcbReferenceRates, type EcbReferenceRates } from '../../../protocol/rates/ecb';
import { parseExactDecimal } from '../../../protocol/money/decimal';
import { isCurrencyCode } from '../../../protocol/money/iso4217';
import { ConfigError, type RateSourceConfig } from '../config/config';
import type { RateQuotes } from './rate-quotes';


export function loadRateQuotes(source: RateSourceConfig): RateQuotes {
  if (source.source === 'ecb-file') {
    let xml: string;
    try {
      xml = readFileSync(source.path, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read the ECB rate file ${source.path}: ${(error as Error).message}`);
    }
    let ecb: EcbReferenceRates;
    try {
      ecb = parseEcbReferenceRates(xml);
    } catch (error) {
      throw new ConfigError(`cannot read the ECB rate file ${source.path}: ${(error as Error).message}`);
    }
    return { base: ecb.base, rates: ecb.rates, source: { publisher: 'ecb', publishedOn: ecb.date, sample: source.sample ?? false } };
  }
  for (const [currency, rate] of Object.entries(source.rates)) {
    if (!isCurrencyCode(currency) || (parseExactDecimal(rate)?.digits ?? 0n) === 0n) {
      throw new ConfigError(`fixed rate ${currency}=${rate} is not a positive decimal for a known currency`);
    }
  }
  return { base: source.base, rates: source.rates, source: { publisher: 'operator', publishedOn: source.publishedOn, sample: source.sample ?? false } };
}
