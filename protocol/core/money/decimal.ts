// Non-negative decimal strings as exact (digits, scale) pairs: "11.4475" is 114475 / 10^4.
// The wire never carries floats; this is the only parser of decimal text.

export const DECIMAL_PATTERN = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
/** Longer strings are refused before any BigInt work, so a hostile body cannot make us crunch digits. */
export const DECIMAL_MAX_LENGTH = 40;

export interface ExactDecimal {
  readonly digits: bigint;
  readonly scale: number;
}

/** Returns null for anything that is not a plain non-negative decimal: signs, exponents, spaces, "5.", ".5", "NaN". */
export function parseExactDecimal(text: string): ExactDecimal | null {
  if (text.length === 0 || text.length > DECIMAL_MAX_LENGTH || !DECIMAL_PATTERN.test(text)) return null;
  const dot = text.indexOf('.');
  if (dot < 0) return { digits: BigInt(text), scale: 0 };
  const fraction = text.slice(dot + 1);
  return { digits: BigInt(text.slice(0, dot) + fraction), scale: fraction.length };
}

export function pow10(exponent: number): bigint {
  if (!Number.isInteger(exponent) || exponent < 0)
    throw new RangeError('pow10: exponent must be a non-negative integer');
  return 10n ** BigInt(exponent);
}

/** Formats digits/10^scale with exactly `scale` decimals. */
export function formatExactDecimal(digits: bigint, scale: number): string {
  if (digits < 0n) throw new RangeError('formatExactDecimal: negative');
  if (scale === 0) return digits.toString();
  const text = digits.toString().padStart(scale + 1, '0');
  return `${text.slice(0, -scale)}.${text.slice(-scale)}`;
}
