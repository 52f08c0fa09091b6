// An amount the customer typed (a deposit, a cap, an allowance), read the same way by the page that
// takes it and by the background that acts on it, with one sentence for one that is not an amount.
// It is read as people write it: "12.50", "12,50" (a decimal comma), "1 250,50" or "1,250.50"
// (spaces, no-break spaces, or the other mark, as group separators).

import { parseWireAmount, type Money } from '@opentab/protocol';

export type TypedAmount =
  | { readonly ok: true; readonly money: Money }
  | { readonly ok: false; readonly problem: string };

/** Spaces people and locales put between digit groups: space, no-break space, narrow no-break space, thin space. */
const GROUP_SPACES = /[ \u00a0\u202f\u2009]/;

/**
 * The typed text as a wire decimal ("1 250,50" → "1250.50"), or null when it is not one. With both
 * marks, the last one is the decimal mark and the other groups thousands; a lone comma is the
 * decimal mark (a Swede's "12,50"), as a lone point is.
 */
export function normalizeTypedDecimal(typed: string): string | null {
  const spaced = typed.trim().split(GROUP_SPACES);
  // Spaces only between groups of three digits, all before the decimal mark: "1 250,50", never "1 25,50".
  if (
    spaced.length > 1 &&
    !(/^\d+$/.test(spaced[0]!) && spaced.slice(1).every((group) => /^\d{3}(?:[.,]|$)/.test(group)))
  )
    return null;
  const compact = spaced.join('');
  if (!/^\d[\d.,]*$/.test(compact)) return null;
  const lastComma = compact.lastIndexOf(',');
  const lastPoint = compact.lastIndexOf('.');
  const decimalMark = lastComma > lastPoint ? ',' : '.';
  const groupMark = decimalMark === ',' ? '.' : ',';
  const [whole, fraction, ...rest] = compact.split(decimalMark);
  if (rest.length > 0) {
    // The same mark twice: only groups ("1.250.000"), never a decimal.
    return compact
      .split(decimalMark)
      .slice(1)
      .every((group) => group.length === 3) && !compact.includes(groupMark)
      ? compact.replaceAll(decimalMark, '')
      : null;
  }
  const groups = whole!.split(groupMark);
  if (groups.length > 1 && !groups.slice(1).every((group) => group.length === 3)) return null;
  const digits = groups.join('');
  return fraction === undefined ? digits : `${digits}.${fraction}`;
}

/** `value` as an amount in `currency`; `label` names the field in the refusal. */
export function readTypedAmount(currency: string, value: string, label: string): TypedAmount {
  const decimal = normalizeTypedDecimal(value);
  const parsed = decimal === null ? null : parseWireAmount({ currency, value: decimal });
  return parsed?.ok
    ? { ok: true, money: parsed.money }
    : { ok: false, problem: `${label} must be an amount in ${currency} such as 25, 25.50 or 25,50.` };
}
