// Currency conversion exactly as DESIGN.md fixes it. A rate is locked per transaction as the two
// per-base quotes of the issuing table; cross rates stay exact fractions and every amount is
// rounded exactly once:
//   deposit (merchant currency) = floor(hold × rate)
//   charge  (customer currency) = round-half-even(spent ÷ rate), capped at the hold
// where rate = merchant units per customer unit = merchant.perBase / customer.perBase.

import { currencyExponent } from '../money/iso4217';
import { formatExactDecimal, parseExactDecimal, pow10 } from '../money/decimal';
import { divideFloor, divideRoundHalfEven } from '../money/rounding';

import type { LockedRate } from '../messages/primitives';

/** Merchant minor units per customer minor unit, as an exact fraction. */
export interface MinorUnitRatio {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export interface RateSource {
  readonly id: string;
  readonly base: string;
  readonly rates: Readonly<Record<string, string>>;
}

/** Locks the rate between two currencies of a table; null when the table does not quote one of them. */
export function lockRate(table: RateSource, customerCurrency: string, merchantCurrency: string): LockedRate | null {
  const customerPerBase = quoteOf(table, customerCurrency);
  const merchantPerBase = quoteOf(table, merchantCurrency);
  if (customerPerBase === null || merchantPerBase === null) return null;
  return {
    tableId: table.id,
    base: table.base,
    customer: { currency: customerCurrency, perBase: customerPerBase },
    merchant: { currency: merchantCurrency, perBase: merchantPerBase },
  };
}

function quoteOf(table: RateSource, currency: string): string | null {
  if (currency === table.base) return '1';
  return Object.hasOwn(table.rates, currency) ? table.rates[currency]! : null;
}

export function minorUnitRatio(rate: LockedRate): MinorUnitRatio {
  const merchantQuote = parseExactDecimal(rate.merchant.perBase);
  const customerQuote = parseExactDecimal(rate.customer.perBase);
  if (merchantQuote === null || customerQuote === null || merchantQuote.digits === 0n || customerQuote.digits === 0n) {
    throw new RangeError('locked rate has a quote that is not a positive decimal');
  }
  // (m.digits / 10^m.scale) / (c.digits / 10^c.scale) × 10^(eM − eC); every power of ten is moved
  // to whichever side keeps its exponent non-negative, so the fraction stays in integers.
  const exponentShift =
    customerQuote.scale -
    merchantQuote.scale +
    currencyExponent(rate.merchant.currency) -
    currencyExponent(rate.customer.currency);
  const numerator = merchantQuote.digits * (exponentShift > 0 ? pow10(exponentShift) : 1n);
  const denominator = customerQuote.digits * (exponentShift < 0 ? pow10(-exponentShift) : 1n);
  return { numerator, denominator };
}

/** The deposit the merchant may spend against, in merchant minor units: floor(hold × rate). */
export function depositInMerchantCurrency(hold_minor: bigint, rate: LockedRate): bigint {
  const ratio = minorUnitRatio(rate);
  return divideFloor(hold_minor * ratio.numerator, ratio.denominator);
}

/** A merchant-currency amount in customer minor units: round-half-even(amount ÷ rate). Used for display and
 * charge alike. */
export function merchantToCustomer(merchant_minor: bigint, rate: LockedRate): bigint {
  const ratio = minorUnitRatio(rate);
  return divideRoundHalfEven(merchant_minor * ratio.denominator, ratio.numerator);
}

/** What the customer pays at clearing for `spent_minor` merchant units: converted once, never more than the hold. */
export function chargeInCustomerCurrency(spent_minor: bigint, rate: LockedRate, hold_minor: bigint): bigint {
  const charge = merchantToCustomer(spent_minor, rate);
  return charge < hold_minor ? charge : hold_minor;
}

/**
 * "1 EUR = 11.3595 SEK": what one unit of the merchant's currency costs in the customer's (the way
 * people quote a foreign currency), rounded half-even to `significantDigits` significant digits
 * (never fewer than the whole units), without trailing zeros. Exact decimal arithmetic; for people
 * only, never used in a computation.
 */
export function describeRate(rate: LockedRate, significantDigits = 6): string {
  const merchantQuote = parseExactDecimal(rate.merchant.perBase)!;
  const customerQuote = parseExactDecimal(rate.customer.perBase)!;
  // Customer units per merchant unit = customer.perBase / merchant.perBase, times 10^scale.
  const numeratorAt = (scale: number) => customerQuote.digits * pow10(merchantQuote.scale + scale);
  const denominator = merchantQuote.digits * pow10(customerQuote.scale);
  let scale = 0;
  while (scale < 40 && divideFloor(numeratorAt(scale), denominator).toString().length < significantDigits) scale++;
  const scaled = divideRoundHalfEven(numeratorAt(scale), denominator);
  return `1 ${rate.merchant.currency} = ${withoutTrailingZeros(formatExactDecimal(scaled, scale))} ${rate.customer.currency}`;
}

/** "0.088030" → "0.08803", "10.000" → "10"; whole numbers keep their zeros. */
function withoutTrailingZeros(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/\.?0+$/, '') : decimal;
}
