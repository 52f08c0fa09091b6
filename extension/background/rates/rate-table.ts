// Pure rules of the cached rate table: whose signature counts, when it is current, and how a
// merchant price becomes a customer price (with the operator's own conversion functions, so the
// price shown is the price charged).

import type { CryptoProvider } from '@opentab/protocol';
import { verifyEnvelope } from '@opentab/protocol';
import type { RateStatus } from '@opentab/protocol';
import type { LockedRate } from '@opentab/protocol';
import type { RateTable, RateTableSource } from '@opentab/protocol';
import { moneyToWire, parseWireAmount, type WireAmount } from '@opentab/protocol';
import { describeRate, lockRate, merchantToCustomer } from '@opentab/protocol';
import { parseTimestamp } from '@opentab/protocol';

export type RateTableCheck =
  | { ok: true }
  | { ok: false; problem: 'bad_signature' | 'wrong_operator' | 'unreadable_validity' };

/** Only the customer's own operator may set the rates it converts with. */
export function checkRateTable(
  crypto: CryptoProvider,
  table: RateTable,
  operatorKey: Uint8Array,
  operatorId: string,
): RateTableCheck {
  if (!verifyEnvelope(crypto, table, operatorKey)) return { ok: false, problem: 'bad_signature' };
  if (table.payload.operatorId !== operatorId) return { ok: false, problem: 'wrong_operator' };
  if (parseTimestamp(table.payload.validUntil) === null) return { ok: false, problem: 'unreadable_validity' };
  return { ok: true };
}

export function validUntilOf(table: RateTable): number {
  return parseTimestamp(table.payload.validUntil) ?? 0;
}

/** The operator's latest answer when it refused to publish a table (its rates too old, or none); removed when
 * a table comes. */
export interface RateRefusal {
  readonly code: 'rates_stale' | 'rates_unavailable';
  /** The operator's own sentence. */
  readonly message: string;
  readonly at_ms: number;
}

/**
 * Current until validUntil, then expired; also expired once the operator has refused to publish
 * rates (a refusal is kept only while no table came after it): it no longer stands behind the
 * cached one, so nothing is converted with it.
 */
export function rateStatusOf(table: RateTable | undefined, now_ms: number, refusal?: RateRefusal): RateStatus {
  if (!table) return 'missing';
  if (refusal !== undefined) return 'expired';
  return now_ms < validUntilOf(table) ? 'current' : 'expired';
}

/** Who published the table's rates and for which day; null for a table signed before tables said so. */
export function rateSourceOf(table: RateTable): RateTableSource | null {
  return table.payload.source ?? null;
}

export function lockTableRate(table: RateTable, customerCurrency: string, merchantCurrency: string): LockedRate | null {
  const { id, base, rates } = table.payload;
  return lockRate({ id, base, rates }, customerCurrency, merchantCurrency);
}

/** One merchant price in the customer's currency, or null when the table does not quote its currency. */
export function convertPrice(table: RateTable, customerCurrency: string, price: WireAmount): WireAmount | null {
  const parsed = parseWireAmount(price);
  if (!parsed.ok) return null;
  const rate = lockTableRate(table, customerCurrency, price.currency);
  if (!rate) return null;
  return moneyToWire({ currency: customerCurrency, minor: merchantToCustomer(parsed.money.minor, rate) });
}

/** Never converts with a table that is not current: an expired table gives nulls only. */
export function convertPrices(
  table: RateTable | undefined,
  status: RateStatus,
  customerCurrency: string,
  prices: readonly WireAmount[],
): (WireAmount | null)[] {
  if (!table || status !== 'current') return prices.map(() => null);
  return prices.map((price) => convertPrice(table, customerCurrency, price));
}

/** The table's rates against `customerCurrency`, "1 EUR = 11.3595 SEK" each, by currency code. */
export function describeTableRates(table: RateTable, customerCurrency: string): string[] {
  const { base, rates } = table.payload;
  return [...new Set([base, ...Object.keys(rates)])]
    .filter((currency) => currency !== customerCurrency)
    .sort()
    .flatMap((currency) => {
      const rate = lockTableRate(table, customerCurrency, currency);
      return rate ? [describeRate(rate)] : [];
    });
}
