// Where an operator's quotes come from, behind one interface: the ECB's reference-rate file on
// disk (read again when it changes), the ECB's file over HTTP (fetched on a schedule), or rates
// set in the configuration. The feed (rate-feed.ts) decides when to read; a reader only reads.

import { parseExactDecimal } from '@opentab/protocol';
import { isCurrencyCode } from '@opentab/protocol';
import { ConfigError, type RateSourceSettings } from '../config/config';
import { EcbFileSource } from './ecb-file-source';
import { EcbHttpSource } from './ecb-http-source';
import type { RateQuotes } from './rate-quotes';
import type { RateSourceReader } from './rate-source-reader';

export function createRateSourceReader(config: RateSourceSettings): RateSourceReader {
  switch (config.source) {
    case 'ecb-file':
      // A file that could not be read is read again as soon as it changes: no back-off needed.
      return new EcbFileSource(config.path, config.sample, {
        refreshEvery_ms: config.refreshEvery_s * 1000,
        firstRetry_ms: config.refreshEvery_s * 1000,
      });
    case 'ecb-http':
      return new EcbHttpSource(config.url, config.timeout_s * 1000, {
        refreshEvery_ms: config.refreshEvery_s * 1000,
        firstRetry_ms: config.firstRetry_s * 1000,
      });
    case 'fixed':
      return fixedSource(config);
  }
}

function fixedSource(config: Extract<RateSourceSettings, { source: 'fixed' }>): RateSourceReader {
  for (const [currency, rate] of Object.entries(config.rates)) {
    if (!isCurrencyCode(currency) || (parseExactDecimal(rate)?.digits ?? 0n) === 0n) {
      throw new ConfigError(`fixed rate ${currency}=${rate} is not a positive decimal for a known currency`);
    }
  }
  const quotes: RateQuotes = {
    base: config.base,
    rates: config.rates,
    source: { publisher: 'operator', publishedOn: config.publishedOn, sample: config.sample },
  };
  let read = false;
  return {
    name: 'fixed rates from the configuration',
    local: true,
    // They change only with the configuration, which takes a restart.
    policy: { refreshEvery_ms: 86_400_000, firstRetry_ms: 86_400_000 },
    async read() {
      if (read) return null;
      read = true;
      return quotes;
    },
  };
}

/**
 * What a restarted operator may publish until its source is read again: the ECB rates it last
 * published, when its source is the ECB over HTTP, which may be slow or down just then. A local
 * source is read before the operator serves, so it needs none.
 */
export function quotesToResume(source: RateSourceSettings, lastIssued: RateQuotes | null): RateQuotes | null {
  if (source.source !== 'ecb-http' || lastIssued === null) return null;
  return lastIssued.source.publisher === 'ecb' && !lastIssued.source.sample ? lastIssued : null;
}
