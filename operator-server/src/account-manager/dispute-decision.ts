// The customer's AM keeps the merchant operator's decision on a disputed tab, so the customer can
// read in the account view what was decided and why. The decision is the MTA's signed one, passed
// on unchanged inside the MTA's peer message; it moves no money here: an adjustment reaches the AM
// as a clearing revision of its own.

import { seal, type PayloadBody } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import { verifyEnvelope } from '@opentab/protocol';
import type { DisputeDecision, DisputeDecisionAck, DisputeDecisionAckPayload } from '@opentab/protocol';
import type { OperatorContext } from '../operator-context';
import { assertFresh } from './customer-auth';

export async function keepDisputeDecision(
  context: OperatorContext,
  message: DisputeDecision,
  now_ms: number,
): Promise<DisputeDecisionAck> {
  const authenticate = async () => {
    const sender = await context.trust.verifyPeerEnvelope(message, now_ms);
    assertFresh(context, message.payload.iat, now_ms);
    // The decision inside must be the sender's own, under the same key as the message.
    const resolution = message.payload.resolution;
    if (
      resolution.payload.operatorId !== sender.operatorId ||
      !verifyEnvelope(context.crypto, resolution, context.trust.publicKeyOf(sender))
    )
      throw new OpentabError('bad_signature', 'The decision is not signed by the operator that sent it.');
    return sender;
  };
  return context.receipts.onceInTransaction(
    'peerDisputeDecision',
    message,
    now_ms,
    authenticate,
    async (tx, sender) => {
      const decision = message.payload.resolution.payload;
      const transaction = await tx.transactions.transaction(decision.transactionId);
      if (
        transaction === null ||
        transaction.merchantOperatorId !== sender.operatorId ||
        decision.customerOperatorId !== context.identity.operatorId ||
        (transaction.tabId !== null && transaction.tabId !== decision.tabId)
      )
        throw new OpentabError('unknown_tab');
      if (decision.clearedAfter.currency !== transaction.merchantCurrency) throw new OpentabError('currency_mismatch');
      // A dispute is decided once; the MTA's outbox may bring the same decision again.
      if (
        await tx.disputeDecisions.setTransactionDisputeDecision(transaction.transactionId, message.payload.resolution)
      )
        context.log.info('dispute.decision-kept', {
          tx: transaction.transactionId,
          tab: decision.tabId,
          decision: decision.decision,
        });
      return seal(
        context.crypto,
        context.identity.signer,
        {
          type: 'dispute-decision-ack',
          operatorCertificate: context.identity.certificate,
          decisionId: message.payload.id,
          transactionId: transaction.transactionId,
        } satisfies PayloadBody<DisputeDecisionAckPayload>,
        now_ms,
      );
    },
  );
}
