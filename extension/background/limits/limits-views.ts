// Spending rules to and from what the options page shows and edits (decimal strings).

import { moneyToWire, parseWireAmount } from '../../../protocol/money/amount';
import type { LimitsInput } from '../../messaging/ui-calls';
import type { AllowanceView, BlockedMerchantView, LimitsView } from '../../messaging/views';
import { AgentError } from '../errors';
import type { HoldsSoFar, SpendingRules } from './spending-rules';

export function limitsView(rules: SpendingRules): LimitsView {
  const wire = (minor: bigint | null) => (minor === null ? null : moneyToWire({ currency: rules.currency, minor }));
  return {
    maxDepositPerTab: wire(rules.maxDepositPerTab_minor),
    dailyCap: wire(rules.dailyCap_minor),
    monthlyCap: wire(rules.monthlyCap_minor),
    defaultDeposit: moneyToWire({ currency: rules.currency, minor: rules.defaultDeposit_minor }),
  };
}

export function allowanceViews(rules: SpendingRules): AllowanceView[] {
  return rules.allowances.map(({ merchantId, operatorId, displayName, maxDeposit_minor }) => ({
    merchantId,
    operatorId,
    displayName,
    maxDeposit: moneyToWire({ currency: rules.currency, minor: maxDeposit_minor }),
  }));
}

export function blockedViews(rules: SpendingRules): BlockedMerchantView[] {
  return rules.blocked.map(({ merchantId, operatorId, displayName }) => ({ merchantId, operatorId, displayName }));
}

export function holdsViews(rules: SpendingRules, holds: HoldsSoFar) {
  return {
    heldToday: moneyToWire({ currency: rules.currency, minor: holds.today_minor }),
    heldThisMonth: moneyToWire({ currency: rules.currency, minor: holds.thisMonth_minor }),
  };
}

/** Parses a decimal the customer typed, in the account currency; `label` names the field in the refusal. */
export function parseCustomerAmount(currency: string, value: string, label: string): bigint {
  const parsed = parseWireAmount({ currency, value: value.trim() });
  if (!parsed.ok) throw new AgentError('invalid_request', `${label} must be an amount in ${currency} such as 25 or 25.50.`);
  return parsed.money.minor;
}

export function rulesWithLimits(rules: SpendingRules, input: LimitsInput): SpendingRules {
  const optional = (value: string | null, label: string) =>
    value === null || value.trim() === '' ? null : parseCustomerAmount(rules.currency, value, label);
  const defaultDeposit = parseCustomerAmount(rules.currency, input.defaultDeposit, 'The deposit for a new tab');
  if (defaultDeposit < 1n) throw new AgentError('invalid_request', 'The deposit for a new tab must be more than zero.');
  return {
    ...rules,
    maxDepositPerTab_minor: optional(input.maxDepositPerTab, 'The maximum deposit per tab'),
    dailyCap_minor: optional(input.dailyCap, 'The daily cap'),
    monthlyCap_minor: optional(input.monthlyCap, 'The monthly cap'),
    defaultDeposit_minor: defaultDeposit,
  };
}
