// Prices are shown exactly as the wire spells them. They are already exact decimal strings in
// the currency's own precision, and the widget never computes with money, so nothing is parsed.
// On screen a no-break space joins value and currency (and "≈" to the amount), so a narrow
// button never breaks an amount across lines; the wire and the events keep their own form.

import type { WireAmount } from '@opentab/protocol';
import { TEXT } from './texts';

export type Amount = WireAmount;

const NBSP = '\u00a0';

/** "0.05 EUR", with a no-break space */
export function amountText(amount: Amount): string {
  return amount.value + NBSP + amount.currency;
}

/** "≈ 0.57 SEK": the extension's conversion, marked as approximate because rates move. */
export function convertedAmountText(amount: Amount): string {
  return TEXT.approximately + NBSP + amountText(amount);
}
