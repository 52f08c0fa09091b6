// An amount the customer typed (a deposit, a cap, an allowance), read the same way by the page that
// takes it and by the background that acts on it, with one sentence for one that is not an amount.

import { parseWireAmount, type Money } from '@opentab/protocol';

export type TypedAmount =
  | { readonly ok: true; readonly money: Money }
  | { readonly ok: false; readonly problem: string };

/** `value` as an amount in `currency`, surrounding spaces allowed; `label` names the field in the refusal. */
export function readTypedAmount(currency: string, value: string, label: string): TypedAmount {
  const parsed = parseWireAmount({ currency, value: value.trim() });
  return parsed.ok
    ? { ok: true, money: parsed.money }
    : { ok: false, problem: `${label} must be an amount in ${currency} such as 25 or 25.50.` };
}
