// Money is a bigint count of a currency's minor units; on the wire it is a decimal string plus
// an ISO 4217 code: {"currency":"EUR","value":"0.05"}.

import { currencyExponent, isCurrencyCode } from './iso4217';
import { formatExactDecimal, parseExactDecimal, pow10 } from './decimal';

export interface Money {
  readonly currency: string;
  readonly minor: bigint;
}

export interface WireAmount {
  readonly currency: string;
  readonly value: string;
}

/** Largest amount any ledger column can hold: SQLite INTEGER is a signed 64-bit value. */
export const MAX_MINOR_UNITS = 2n ** 63n - 1n;

export type AmountProblem = 'unknown_currency' | 'not_a_decimal' | 'too_many_decimals' | 'too_large';

export type AmountParse = { ok: true; money: Money } | { ok: false; problem: AmountProblem };

export function parseWireAmount(amount: WireAmount): AmountParse {
  if (!isCurrencyCode(amount.currency)) return { ok: false, problem: 'unknown_currency' };
  const decimal = parseExactDecimal(amount.value);
  if (decimal === null) return { ok: false, problem: 'not_a_decimal' };
  const exponent = currencyExponent(amount.currency);
  if (decimal.scale > exponent) return { ok: false, problem: 'too_many_decimals' };
  const minor = decimal.digits * pow10(exponent - decimal.scale);
  if (minor > MAX_MINOR_UNITS) return { ok: false, problem: 'too_large' };
  return { ok: true, money: { currency: amount.currency, minor } };
}

/** For values already validated by a message schema; throws on anything else. */
export function moneyFromWire(amount: WireAmount): Money {
  const parsed = parseWireAmount(amount);
  if (!parsed.ok) throw new RangeError(`invalid amount ${JSON.stringify(amount)}: ${parsed.problem}`);
  return parsed.money;
}

/**
 * An amount read once where it enters: its wire spelling, which is hashed and signed exactly as
 * sent, and its value, which every later step computes with. Passed on instead of the wire form so
 * that no later step parses the same string again.
 */
export interface ParsedAmount {
  readonly wire: WireAmount;
  readonly minor: bigint;
}

/** For amounts a message schema has already checked; throws on anything else. */
export function parsedAmount(wire: WireAmount): ParsedAmount {
  return { wire: { currency: wire.currency, value: wire.value }, minor: moneyFromWire(wire).minor };
}

/** Always writes the currency's full number of decimals ("1.50" EUR, "150" JPY), so one amount has one spelling. */
export function moneyToWire(money: Money): WireAmount {
  if (money.minor < 0n) throw new RangeError('moneyToWire: negative amounts are not sent on the wire');
  return { currency: money.currency, value: formatExactDecimal(money.minor, currencyExponent(money.currency)) };
}

export function money(currency: string, minor: bigint): Money {
  if (!isCurrencyCode(currency)) throw new RangeError(`unknown ISO 4217 currency: ${currency}`);
  if (minor < 0n || minor > MAX_MINOR_UNITS) throw new RangeError(`amount out of range: ${minor}`);
  return { currency, minor };
}

/** Parses a human or wire decimal string in the given currency, e.g. parseMoney('EUR', '0.05'). */
export function parseMoney(currency: string, value: string): Money {
  return moneyFromWire({ currency, value });
}

export function formatMoney(amount: Money): string {
  return `${moneyToWire(amount).value} ${amount.currency}`;
}

/** Reads a signed amount ("-12.30"); its magnitude must be a valid amount of its currency. */
export function signedMoneyFromWire(amount: WireAmount): Money {
  const negative = amount.value.startsWith('-');
  const magnitude = moneyFromWire({
    currency: amount.currency,
    value: negative ? amount.value.slice(1) : amount.value,
  });
  return negative ? { currency: magnitude.currency, minor: -magnitude.minor } : magnitude;
}

/** A signed amount ("-12.30") for balances and net positions; every other wire amount is non-negative. */
export function signedMoneyToWire(currency: string, minor: bigint): WireAmount {
  const magnitude = moneyToWire({ currency, minor: minor < 0n ? -minor : minor }).value;
  return { currency, value: minor < 0n ? `-${magnitude}` : magnitude };
}
