// Spending rules to and from what the options page shows and edits (decimal strings).

import { formatMoney, moneyToWire } from '@opentab/protocol';
import { readTypedAmount } from '../../messaging/customer-amount';
import type { LimitsInput } from '../../messaging/ui-calls';
import { formatTimestamp } from '@opentab/protocol';
import { merchantKey, type LimitsView, type MerchantRef, type MerchantView } from '../../messaging/views';
import { AgentError } from '../errors';
import { allowanceFor, isBlocked, type HoldsSoFar, type SpendingRules } from './spending-rules';

export function limitsView(rules: SpendingRules): LimitsView {
  const wire = (minor: bigint | null) => (minor === null ? null : moneyToWire({ currency: rules.currency, minor }));
  return {
    maxDepositPerTab: wire(rules.maxDepositPerTab_minor),
    dailyCap: wire(rules.dailyCap_minor),
    monthlyCap: wire(rules.monthlyCap_minor),
    defaultDeposit: moneyToWire({ currency: rules.currency, minor: rules.defaultDeposit_minor }),
  };
}

/** A tab as merchantViews needs it: who, under which name, when. */
export interface TabAtMerchant {
  readonly merchant: MerchantRef;
  readonly merchantDisplayName: string;
  readonly createdAt_ms: number;
}

/**
 * Every merchant the customer knows, once each: those with tabs in this wallet (named as on their
 * latest tab), then those only allowed or blocked. The latest tab first, then by name.
 */
export function merchantViews(rules: SpendingRules, tabs: readonly TabAtMerchant[]): MerchantView[] {
  const known = new Map<string, { ref: MerchantRef; displayName: string; lastTab_ms: number | null }>();
  for (const tab of tabs) {
    const latest = known.get(merchantKey(tab.merchant))?.lastTab_ms;
    if (latest !== undefined && latest !== null && latest >= tab.createdAt_ms) continue;
    known.set(merchantKey(tab.merchant), {
      ref: tab.merchant,
      displayName: tab.merchantDisplayName,
      lastTab_ms: tab.createdAt_ms,
    });
  }
  for (const entry of [...rules.allowances, ...rules.blocked]) {
    if (!known.has(merchantKey(entry)))
      known.set(merchantKey(entry), { ref: entry, displayName: entry.displayName, lastTab_ms: null });
  }
  return [...known.values()]
    .sort((a, b) => (b.lastTab_ms ?? -1) - (a.lastTab_ms ?? -1) || a.displayName.localeCompare(b.displayName))
    .map(({ ref, displayName, lastTab_ms }) => {
      const allowance = allowanceFor(rules, ref);
      return {
        merchantId: ref.merchantId,
        operatorId: ref.operatorId,
        displayName,
        allowance: allowance ? moneyToWire({ currency: rules.currency, minor: allowance.maxDeposit_minor }) : null,
        blocked: isBlocked(rules, ref),
        lastTabAt: lastTab_ms === null ? null : formatTimestamp(lastTab_ms),
      };
    });
}

export function holdsViews(rules: SpendingRules, holds: HoldsSoFar) {
  return {
    heldToday: moneyToWire({ currency: rules.currency, minor: holds.today_minor }),
    heldThisMonth: moneyToWire({ currency: rules.currency, minor: holds.thisMonth_minor }),
  };
}

/** Parses a decimal the customer typed, in the account currency; `label` names the field in the refusal. */
export function parseCustomerAmount(currency: string, value: string, label: string): bigint {
  const typed = readTypedAmount(currency, value, label);
  if (!typed.ok) throw new AgentError('invalid_request', typed.problem);
  return typed.money.minor;
}

export function rulesWithLimits(rules: SpendingRules, input: LimitsInput): SpendingRules {
  const optional = (value: string | null, label: string) =>
    value === null || value.trim() === '' ? null : parseCustomerAmount(rules.currency, value, label);
  const defaultDeposit = parseCustomerAmount(rules.currency, input.defaultDeposit, 'The deposit for a new tab');
  if (defaultDeposit < 1n) throw new AgentError('invalid_request', 'The deposit for a new tab must be more than zero.');
  const limits = {
    maxDepositPerTab_minor: optional(input.maxDepositPerTab, 'The maximum deposit per tab'),
    dailyCap_minor: optional(input.dailyCap, 'The daily cap'),
    monthlyCap_minor: optional(input.monthlyCap, 'The monthly cap'),
  };
  // Limits that contradict each other would be "saved" and then refuse every tab: refused here instead.
  const show = (minor: bigint) => formatMoney({ currency: rules.currency, minor });
  const above = (ceiling: bigint | null, what: string) => {
    if (ceiling !== null && defaultDeposit > ceiling)
      throw new AgentError(
        'invalid_request',
        `The deposit for a new tab (${show(defaultDeposit)}) is above ${what} (${show(ceiling)}): no tab could open.`,
      );
  };
  above(limits.maxDepositPerTab_minor, 'your maximum per tab');
  above(limits.dailyCap_minor, 'your daily cap');
  above(limits.monthlyCap_minor, 'your monthly cap');
  if (
    limits.dailyCap_minor !== null &&
    limits.monthlyCap_minor !== null &&
    limits.dailyCap_minor > limits.monthlyCap_minor
  )
    throw new AgentError(
      'invalid_request',
      `The daily cap (${show(limits.dailyCap_minor)}) is above the monthly cap (${show(limits.monthlyCap_minor)}).`,
    );
  return { ...rules, ...limits, defaultDeposit_minor: defaultDeposit };
}
