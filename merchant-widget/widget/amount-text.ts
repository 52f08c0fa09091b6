// Prices are shown exactly as the wire spells them. They are already exact decimal strings in
// the currency's own precision, and the widget never computes with money, so nothing is parsed.

import type { WireAmount } from '../../protocol/money/amount';
import { TEXT } from './texts';

export type Amount = WireAmount;

/** "0.05 EUR" */
export function amountText(amount: Amount): string {
  return `${amount.value} ${amount.currency}`;
}

/** "≈ 0.57 SEK": the extension's conversion, marked as approximate because rates move. */
export function convertedAmountText(amount: Amount): string {
  return `${TEXT.approximately} ${amountText(amount)}`;
}
