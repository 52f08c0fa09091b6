// The operator's decision on a disputed tab, for the merchant: the same signed decision the
// customer's AM receives goes to the merchant agent, for an uphold as for an adjustment. It is
// written to the outbox in the transaction that decides (one message per tab, so deciding again
// or a crash never sends two), and wrapped and signed afresh at each delivery attempt.

import { callRoute, MERCHANT_AGENT_API, seal } from '@opentab/protocol';
import type { MerchantDisputeDecisionPayload, PayloadBody, SignedDisputeResolution } from '@opentab/protocol';
import type { OperatorContext } from '../operator-context';
import type { OutboxAccess } from '../store/operator-storage';

export type MerchantDisputeDecisionBody = PayloadBody<MerchantDisputeDecisionPayload>;

const MERCHANT_DECISION_TIMEOUT_MS = 10_000;

/** Queues the decision for the tab's merchant, through the outbox of the transaction that keeps the decision. */
export function enqueueMerchantDisputeDecision(
  context: OperatorContext,
  outbox: OutboxAccess,
  resolution: SignedDisputeResolution,
  now_ms: number,
): Promise<void> {
  const { merchantId, tabId } = resolution.payload;
  return outbox.enqueue(
    `merchant-dispute-decision:${tabId}`,
    { kind: 'merchant-dispute-decision', merchantId },
    {
      type: 'merchant-dispute-decision',
      operatorId: context.identity.operatorId,
      merchantId,
      resolution,
    } satisfies MerchantDisputeDecisionBody,
    now_ms,
  );
}

/** One delivery attempt to the merchant agent; throws (and the outbox retries) unless it answers. */
export async function deliverMerchantDisputeDecision(
  context: OperatorContext,
  merchantId: string,
  body: MerchantDisputeDecisionBody,
  now_ms: number,
): Promise<void> {
  const merchant = await context.storage.merchants.merchant(merchantId);
  if (merchant === null) throw new Error(`merchant ${merchantId} is no longer registered`);
  await callRoute(
    merchant.agentUrl,
    MERCHANT_AGENT_API.disputeDecision,
    seal(context.crypto, context.identity.signer, body, now_ms),
    { timeout_ms: MERCHANT_DECISION_TIMEOUT_MS, transport: context.transport },
  );
}
