// Reading typed values out of the agent's SQLite rows (safe integers are on, so INTEGER columns
// arrive as bigint): a column of the wrong type is a defect, asserted rather than coerced.

import assert from 'node:assert/strict';

export function text(value: unknown): string {
  assert(typeof value === 'string', 'expected a TEXT column');
  return value;
}

export function big(value: unknown): bigint {
  assert(typeof value === 'bigint', 'expected an INTEGER column (safe integers are on)');
  return value;
}

export function int(value: unknown): number {
  const number = Number(big(value));
  assert(Number.isSafeInteger(number), 'INTEGER column beyond the safe range');
  return number;
}
