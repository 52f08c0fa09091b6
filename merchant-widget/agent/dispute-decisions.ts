// The operator's decisions on this merchant's disputed tabs (uphold or adjustment, with the
// reason), as the MTA sends them. The wrapper is signed afresh at each delivery and must be fresh;
// the decision inside was signed once, when the operator decided, by the key it signed with then.
// Kept once per tab: the MTA sends until it hears an answer, so the same decision may come twice.
// An adjustment's money arrives apart from this, as the tab's revised clearing (tab-cleared).

import {
  type CryptoProvider,
  type MerchantDisputeDecision,
  moneyFromWire,
  OpentabError,
  parseTimestamp,
} from '@opentab/protocol';
import type { AgentSettings } from './config';
import { requireFresh } from './message-checks';
import { type OperatorKeys, requireOperatorSigned } from './operator-keys';
import type { AgentStore, StoredDisputeDecision } from './store';

export interface DisputeDecisionDependencies {
  readonly settings: Pick<AgentSettings, 'operatorId' | 'merchantId' | 'currency' | 'clock' | 'clockSkew_ms'>;
  readonly crypto: CryptoProvider;
  readonly store: AgentStore;
  readonly operatorKeys: OperatorKeys;
}

export class DisputeDecisions {
  constructor(private readonly deps: DisputeDecisionDependencies) {}

  async accept(message: MerchantDisputeDecision): Promise<{ received: true }> {
    const { crypto, settings, store, operatorKeys } = this.deps;
    const resolution = message.payload.resolution;
    await operatorKeys.learnAbout([message.kid, resolution.kid]);
    const now_ms = settings.clock.now_ms();
    operatorKeys.requireSigned(message, now_ms, `The decision is not sent by operator ${settings.operatorId}.`);
    requireFresh(message.payload.iat, now_ms, settings.clockSkew_ms);
    // The decision stands under the key that signed it when it was made, even if that key retired since.
    const decidedAt_ms = parseTimestamp(resolution.payload.iat);
    if (decidedAt_ms === null || decidedAt_ms > now_ms + settings.clockSkew_ms)
      throw new OpentabError('invalid_message', 'The decision is dated in the future.', ['resolution.payload.iat']);
    requireOperatorSigned(
      crypto,
      operatorKeys,
      resolution,
      decidedAt_ms,
      `The decision is not signed by operator ${settings.operatorId}.`,
    );
    const decision = resolution.payload;
    for (const operatorId of [message.payload.operatorId, decision.operatorId])
      if (operatorId !== settings.operatorId) throw new OpentabError('unknown_peer');
    for (const merchantId of [message.payload.merchantId, decision.merchantId])
      if (merchantId !== settings.merchantId) throw new OpentabError('unknown_merchant');
    const tab = await store.findTab(decision.tabId);
    if (tab === null) throw new OpentabError('unknown_tab');
    if (decision.clearedBefore.currency !== tab.currency || decision.clearedAfter.currency !== tab.currency)
      throw new OpentabError('currency_mismatch');
    const stored: StoredDisputeDecision = {
      tabId: decision.tabId,
      disputeId: decision.disputeId,
      decision: decision.decision,
      clearedBefore_minor: moneyFromWire(decision.clearedBefore).minor,
      clearedAfter_minor: moneyFromWire(decision.clearedAfter).minor,
      revision: decision.revision,
      reason: decision.reason,
      decidedAt_ms,
      resolutionJson: JSON.stringify(resolution),
    };
    // A second copy (the answer to the first was lost) changes nothing; the first decision stays.
    await store.insertDisputeDecision(stored, now_ms);
    return { received: true };
  }

  decisionOf(tabId: string): Promise<StoredDisputeDecision | null> {
    return this.deps.store.disputeDecisionOf(tabId);
  }
}
