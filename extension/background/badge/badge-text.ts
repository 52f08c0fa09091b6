// The action badge has room for about four characters: the remaining deposit in whole or
// shortened units ("3.45", "12.3", "123", "1.2k"), never a rounded-up promise.

import { pow10 } from '@opentab/protocol';
import { currencyExponent } from '@opentab/protocol';

const MAX_CHARS = 4;

export function badgeText(minor: bigint, currency: string): string {
  if (minor <= 0n) return '0';
  const exponent = currencyExponent(currency);
  const whole = minor / pow10(exponent);
  const wholeDigits = whole.toString();
  if (wholeDigits.length >= MAX_CHARS) return compactWhole(whole);
  const decimals = Math.min(exponent, MAX_CHARS - 1 - wholeDigits.length);
  if (decimals <= 0) return wholeDigits;
  // Truncate, never round: the badge must not show more money than there is.
  const fraction = (minor % pow10(exponent)) / pow10(exponent - decimals);
  return `${wholeDigits}.${fraction.toString().padStart(decimals, '0')}`;
}

function compactWhole(whole: bigint): string {
  const units: [bigint, string][] = [
    [10n ** 9n, 'G'],
    [10n ** 6n, 'M'],
    [10n ** 3n, 'k'],
  ];
  for (const [size, suffix] of units) {
    if (whole < size) continue;
    const leading = whole / size;
    if (leading < 10n) return `${leading}.${(whole % size) / (size / 10n)}${suffix}`;
    if (leading < 1000n) return `${leading}${suffix}`;
  }
  return whole.toString();
}
