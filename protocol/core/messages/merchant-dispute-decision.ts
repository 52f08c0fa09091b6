// MTA → merchant agent: the operator's signed decision on a disputed tab of the merchant, uphold
// or adjustment, so the merchant reads what was decided and why. The decision itself was signed
// once, when the operator decided; this wrapper is signed afresh at each delivery, so a decision
// delivered late (after an outage, or across a key rotation) is still fresh and under a key the
// agent believes.

import * as v from 'valibot';
import { SignedDisputeResolution } from './peer';
import { MerchantId, OperatorId, envelopeOf, payloadHeader } from './primitives';

export const MerchantDisputeDecisionPayload = v.strictObject({
  ...payloadHeader('merchant-dispute-decision'),
  operatorId: OperatorId,
  merchantId: MerchantId,
  resolution: SignedDisputeResolution,
});
export type MerchantDisputeDecisionPayload = v.InferOutput<typeof MerchantDisputeDecisionPayload>;
export const MerchantDisputeDecision = envelopeOf(MerchantDisputeDecisionPayload);
export type MerchantDisputeDecision = v.InferOutput<typeof MerchantDisputeDecision>;
