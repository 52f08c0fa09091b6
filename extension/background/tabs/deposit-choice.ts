// A deposit the customer typed into the confirmation window, checked before anything is held: it
// must pay the item the tab opens for, stay within the customer's own limits, and fit one chain.

import { formatMoney, type LockedRate } from '@opentab/protocol';
import { chainPlanFor } from './initiation';

export interface DepositChoice {
  readonly deposit_minor: bigint;
  /** The least hold that pays the item (minimumHoldFor). */
  readonly minimum_minor: bigint;
  /** depositCeiling: the customer's per-tab maximum and what is left of the caps; null for none. */
  readonly ceiling_minor: bigint | null;
  readonly rate: LockedRate;
  readonly unit_minor: bigint;
}

export type CheckedDeposit =
  | {
      readonly ok: true;
      readonly hold_minor: bigint;
      readonly chain: { readonly length: number; readonly unit_minor: bigint; readonly depositMerchant_minor: bigint };
    }
  | { readonly ok: false; readonly problem: string };

export function choiceOfDeposit(choice: DepositChoice): CheckedDeposit {
  const show = (minor: bigint) => formatMoney({ currency: choice.rate.customer.currency, minor });
  if (choice.deposit_minor < choice.minimum_minor)
    return { ok: false, problem: `The deposit must be at least ${show(choice.minimum_minor)} to pay for this item.` };
  if (choice.ceiling_minor !== null && choice.deposit_minor > choice.ceiling_minor)
    return { ok: false, problem: `Your limits allow a deposit of at most ${show(choice.ceiling_minor)} here.` };
  const chain = chainPlanFor(choice.deposit_minor, choice.rate, choice.unit_minor);
  if (!chain.ok) return { ok: false, problem: `A tab cannot hold this deposit: ${chain.reason}.` };
  return {
    ok: true,
    hold_minor: choice.deposit_minor,
    chain: { length: chain.length, unit_minor: chain.unit_minor, depositMerchant_minor: chain.depositMerchant_minor },
  };
}
