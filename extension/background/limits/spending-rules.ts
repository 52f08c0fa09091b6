// The customer's own spending control, checked before any initiation is signed: a maximum
// deposit per tab, daily and monthly caps on what is spent or still held (capUseOf), per-merchant allowances that
// skip the confirmation window, and a blocklist. Amounts are customer-currency minor units.

import { sameMerchant, type MerchantRef } from '../../messaging/views';
import { pow10 } from '@opentab/protocol';
import { currencyExponent } from '@opentab/protocol';

export interface Allowance extends MerchantRef {
  readonly displayName: string;
  /** Tabs with a deposit up to this open without asking. */
  readonly maxDeposit_minor: bigint;
  readonly grantedAt_ms: number;
}

export interface BlockedMerchant extends MerchantRef {
  readonly displayName: string;
  readonly blockedAt_ms: number;
}

export interface SpendingRules {
  readonly currency: string;
  readonly maxDepositPerTab_minor: bigint | null;
  readonly dailyCap_minor: bigint | null;
  readonly monthlyCap_minor: bigint | null;
  /** What a new tab holds unless one purchase needs more. */
  readonly defaultDeposit_minor: bigint;
  readonly allowances: readonly Allowance[];
  readonly blocked: readonly BlockedMerchant[];
}

/** Conservative starting rules, in whole units of the customer's currency. */
export function defaultRules(currency: string): SpendingRules {
  const major = pow10(currencyExponent(currency));
  return {
    currency,
    maxDepositPerTab_minor: 100n * major,
    dailyCap_minor: 200n * major,
    monthlyCap_minor: 1000n * major,
    defaultDeposit_minor: 20n * major,
    allowances: [],
    blocked: [],
  };
}

export function isBlocked(rules: SpendingRules, merchant: MerchantRef): boolean {
  return rules.blocked.some((entry) => sameMerchant(entry, merchant));
}

export function allowanceFor(rules: SpendingRules, merchant: MerchantRef): Allowance | undefined {
  return rules.allowances.find((entry) => sameMerchant(entry, merchant));
}

export interface HoldsSoFar {
  readonly today_minor: bigint;
  readonly thisMonth_minor: bigint;
}

export type DepositDecision =
  | { readonly kind: 'refuse'; readonly code: 'blocked_merchant' | 'limit_reached'; readonly reason: string }
  | { readonly kind: 'open-without-asking' }
  | { readonly kind: 'ask-customer' };

/** `format` renders minor units for the refusal sentences. */
export function decideDeposit(
  rules: SpendingRules,
  merchant: MerchantRef & { displayName: string },
  deposit_minor: bigint,
  holds: HoldsSoFar,
  format: (minor: bigint) => string,
): DepositDecision {
  if (isBlocked(rules, merchant)) {
    return {
      kind: 'refuse',
      code: 'blocked_merchant',
      reason: `You have blocked ${merchant.displayName}; unblock it in the Opentab options to pay here.`,
    };
  }
  if (rules.maxDepositPerTab_minor !== null && deposit_minor > rules.maxDepositPerTab_minor) {
    return {
      kind: 'refuse',
      code: 'limit_reached',
      reason: `This tab needs a deposit of ${format(deposit_minor)}, above your maximum of ${format(rules.maxDepositPerTab_minor)} per tab.`,
    };
  }
  if (rules.dailyCap_minor !== null && holds.today_minor + deposit_minor > rules.dailyCap_minor) {
    return {
      kind: 'refuse',
      code: 'limit_reached',
      reason: `A deposit of ${format(deposit_minor)} would take today's deposits past your daily cap of ${format(rules.dailyCap_minor)} (${format(holds.today_minor)} spent or held so far today).`,
    };
  }
  if (rules.monthlyCap_minor !== null && holds.thisMonth_minor + deposit_minor > rules.monthlyCap_minor) {
    return {
      kind: 'refuse',
      code: 'limit_reached',
      reason: `A deposit of ${format(deposit_minor)} would take this month's deposits past your monthly cap of ${format(rules.monthlyCap_minor)} (${format(holds.thisMonth_minor)} spent or held so far this month).`,
    };
  }
  const allowance = allowanceFor(rules, merchant);
  return allowance && deposit_minor <= allowance.maxDeposit_minor
    ? { kind: 'open-without-asking' }
    : { kind: 'ask-customer' };
}

export function withAllowance(rules: SpendingRules, allowance: Allowance): SpendingRules {
  return { ...rules, allowances: [...rules.allowances.filter((entry) => !sameMerchant(entry, allowance)), allowance] };
}

export function withoutAllowance(rules: SpendingRules, merchant: MerchantRef): SpendingRules {
  return { ...rules, allowances: rules.allowances.filter((entry) => !sameMerchant(entry, merchant)) };
}

/** Blocking a merchant also revokes its allowance: a block must win. */
export function withBlocked(rules: SpendingRules, blocked: BlockedMerchant): SpendingRules {
  return {
    ...withoutAllowance(rules, blocked),
    blocked: [...rules.blocked.filter((entry) => !sameMerchant(entry, blocked)), blocked],
  };
}

export function withoutBlocked(rules: SpendingRules, merchant: MerchantRef): SpendingRules {
  return { ...rules, blocked: rules.blocked.filter((entry) => !sameMerchant(entry, merchant)) };
}

/**
 * The largest deposit a new tab may hold under the per-tab maximum and what is left of the daily
 * and monthly caps; null when no limit applies. Never below zero.
 */
export function depositCeiling(rules: SpendingRules, holds: HoldsSoFar): bigint | null {
  const limits = [
    rules.maxDepositPerTab_minor,
    rules.dailyCap_minor === null ? null : rules.dailyCap_minor - holds.today_minor,
    rules.monthlyCap_minor === null ? null : rules.monthlyCap_minor - holds.thisMonth_minor,
  ].filter((limit): limit is bigint => limit !== null);
  if (limits.length === 0) return null;
  const lowest = limits.reduce((a, b) => (b < a ? b : a));
  return lowest < 0n ? 0n : lowest;
}
