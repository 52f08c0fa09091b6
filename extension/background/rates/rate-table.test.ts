import { describe, expect, it } from 'vitest';
import { crypto, newSigner, signedRateTable } from '../testing/fixtures';
import { checkRateTable, convertPrices, rateSourceOf, rateStatusOf } from './rate-table';

const operator = newSigner();
const now = Date.parse('2026-06-01T12:00:00Z');

describe('rate table', () => {
  const table = signedRateTable(operator, now);

  it('is trusted only when the own operator signed it for itself', () => {
    expect(checkRateTable(crypto, table, operator.publicKey, 'op-sek')).toEqual({ ok: true });
    expect(checkRateTable(crypto, table, newSigner().publicKey, 'op-sek')).toEqual({
      ok: false,
      problem: 'bad_signature',
    });
    expect(checkRateTable(crypto, table, operator.publicKey, 'op-other')).toEqual({
      ok: false,
      problem: 'wrong_operator',
    });
    const forged = { ...table, payload: { ...table.payload, rates: { ...table.payload.rates, SEK: '1' } } };
    expect(checkRateTable(crypto, forged, operator.publicKey, 'op-sek')).toEqual({
      ok: false,
      problem: 'bad_signature',
    });
  });

  it('is current until validUntil, then expired; missing when there is none', () => {
    expect(rateStatusOf(table, now)).toBe('current');
    expect(rateStatusOf(table, now + 3_600_000)).toBe('expired');
    expect(rateStatusOf(undefined, now)).toBe('missing');
  });

  it('is no longer current once its operator refused to publish rates since', () => {
    const refusal = { code: 'rates_stale' as const, message: 'Too old.', at_ms: now };
    expect(rateStatusOf(table, now, refusal)).toBe('expired');
    expect(rateStatusOf(undefined, now, refusal)).toBe('missing');
  });

  it('names its source, or none for a table signed before tables stated it', () => {
    expect(rateSourceOf(table)).toBeNull();
    const source = { publisher: 'ecb' as const, publishedOn: '2026-05-29', sample: false };
    expect(rateSourceOf({ ...table, payload: { ...table.payload, source } })).toEqual(source);
  });

  it('converts merchant prices into the customer currency with round-half-even', () => {
    // 5 cents × 11.4475 = 57.2375 öre → 57; 100 cents → 1144.75 öre → 1145; 10 US cents → 106.93… öre → 107.
    const converted = convertPrices(table, 'current', 'SEK', [
      { currency: 'EUR', value: '0.05' },
      { currency: 'EUR', value: '1.00' },
      { currency: 'USD', value: '0.10' },
      { currency: 'GBP', value: '1.00' },
    ]);
    expect(converted).toEqual([
      { currency: 'SEK', value: '0.57' },
      { currency: 'SEK', value: '11.45' },
      { currency: 'SEK', value: '1.07' },
      null,
    ]);
  });

  it('never converts with an expired table', () => {
    expect(convertPrices(table, 'expired', 'SEK', [{ currency: 'EUR', value: '0.05' }])).toEqual([null]);
  });
});
