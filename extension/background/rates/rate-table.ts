// Pure rules of the cached rate table: whose signature counts, when it is current, and how a
// merchant price becomes a customer price (with the operator's own conversion functions, so the
// price shown is the price charged).

import type { CryptoProvider } from '../../../protocol/crypto/provider';
import { verifyEnvelope } from '../../../protocol/envelope';
import type { RateStatus } from '../../../protocol/messages/bridge';
import type { LockedRate } from '../../../protocol/messages/primitives';
import type { RateTable } from '../../../protocol/messages/rate-table';
import { moneyToWire, parseWireAmount, type WireAmount } from '../../../protocol/money/amount';
import { lockRate, merchantToCustomer } from '../../../protocol/rates/conversion';
import { parseTimestamp } from '../../../protocol/time';

export type RateTableCheck = { ok: true } | { ok: false; problem: 'bad_signature' | 'wrong_operator' | 'unreadable_validity' };

/** Only the customer's own operator may set the rates it converts with. */
export function checkRateTable(crypto: CryptoProvider, table: RateTable, operatorKey: Uint8Array, operatorId: string): RateTableCheck {
  if (!verifyEnvelope(crypto, table, operatorKey)) return { ok: false, problem: 'bad_signature' };
  if (table.payload.operatorId !== operatorId) return { ok: false, problem: 'wrong_operator' };
  if (parseTimestamp(table.payload.validUntil) === null) return { ok: false, problem: 'unreadable_validity' };
  return { ok: true };
}

export function validUntilOf(table: RateTable): number {
  return parseTimestamp(table.payload.validUntil) ?? 0;
}

export function rateStatusOf(table: RateTable | undefined, now_ms: number): RateStatus {
  if (!table) return 'missing';
  return now_ms < validUntilOf(table) ? 'current' : 'expired';
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
