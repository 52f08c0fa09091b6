// Integer division with an explicit rounding rule. Every money computation that divides goes
// through here, so "rounded once, and how" is visible at each call site.

function assertDivisible(numerator: bigint, denominator: bigint): void {
  if (numerator < 0n) throw new RangeError('rounding: numerator must be non-negative');
  if (denominator <= 0n) throw new RangeError('rounding: denominator must be positive');
}

export function divideFloor(numerator: bigint, denominator: bigint): bigint {
  assertDivisible(numerator, denominator);
  return numerator / denominator;
}

/** Banker's rounding: ties go to the even neighbour, so repeated conversions carry no upward bias. */
export function divideRoundHalfEven(numerator: bigint, denominator: bigint): bigint {
  assertDivisible(numerator, denominator);
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder < denominator) return quotient;
  return quotient % 2n === 0n ? quotient : quotient + 1n;
}

/** Euclid's greatest common divisor of two non-negative integers; gcd(0, b) = b. */
export function greatestCommonDivisor(a: bigint, b: bigint): bigint {
  if (a < 0n || b < 0n) throw new RangeError('greatestCommonDivisor: arguments must be non-negative');
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}
