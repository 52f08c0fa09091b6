// The stored spending rules, created with defaults in the account currency at enrolment.

import type { MerchantRef } from '../../messaging/views';
import { walletNotEnrolled } from '../errors';
import type { Clock } from '../ports';
import type { AgentDatabase } from '../storage/database';
import {
  defaultRules,
  withAllowance,
  withBlocked,
  withoutAllowance,
  withoutBlocked,
  type SpendingRules,
} from './spending-rules';

export class RulesService {
  constructor(
    private readonly db: AgentDatabase,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<SpendingRules> {
    const stored = await this.db.meta.get('rules');
    if (stored) return stored;
    const enrolment = await this.db.meta.get('enrolment');
    if (!enrolment) throw walletNotEnrolled();
    return defaultRules(enrolment.currency);
  }

  async save(rules: SpendingRules): Promise<SpendingRules> {
    await this.db.meta.put('rules', rules);
    return rules;
  }

  async allow(merchant: MerchantRef, displayName: string, maxDeposit_minor: bigint): Promise<SpendingRules> {
    const rules = await this.get();
    return this.save(
      withAllowance(rules, {
        ...merchantRef(merchant),
        displayName,
        maxDeposit_minor,
        grantedAt_ms: this.clock.now_ms(),
      }),
    );
  }

  async revokeAllowance(merchant: MerchantRef): Promise<SpendingRules> {
    return this.save(withoutAllowance(await this.get(), merchant));
  }

  async block(merchant: MerchantRef, displayName: string): Promise<SpendingRules> {
    return this.save(
      withBlocked(await this.get(), { ...merchantRef(merchant), displayName, blockedAt_ms: this.clock.now_ms() }),
    );
  }

  async unblock(merchant: MerchantRef): Promise<SpendingRules> {
    return this.save(withoutBlocked(await this.get(), merchant));
  }
}

/** Only the two identifying fields, whatever else the caller's object carries. */
function merchantRef(merchant: MerchantRef): MerchantRef {
  return { merchantId: merchant.merchantId, operatorId: merchant.operatorId };
}
