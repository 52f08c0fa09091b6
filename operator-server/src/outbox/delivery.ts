// How each kind of outbox message leaves: billing records to their sink, clearing information
// to the customer's AM (signed afresh at each attempt, so its iat is always current), notices of a
// tab's clearing (or of the void of a cut-off registration) to the merchant agent, requests for
// the merchant's record, and an operator extension's messages through the extension.

import { callRoute, refusalCodeOf } from '@opentab/protocol';
import { MERCHANT_AGENT_API, OPERATOR_API, type KeyRotation } from '@opentab/protocol';
import { seal } from '@opentab/protocol';
import type { BillingRecord } from '../billing/billing-records';
import type { BillingSink } from '../billing/sinks';
import type { OutboxDeliverer } from './outbox';
import type { ClearingBody, TabClearedBody } from '../mta/clearing';
import type { DisputeDecisionBody } from '../mta/dispute-resolution';
import { deliverMerchantDisputeDecision, type MerchantDisputeDecisionBody } from '../mta/merchant-dispute-decision';
import { noteMerchantHasNoRecord, takeRequestedRecord, type RecordRequestBody } from '../mta/records';
import type { OperatorContext } from '../operator-context';
import type { ExtensionContext, OperatorExtension } from '../extension';

const MERCHANT_NOTICE_TIMEOUT_MS = 10_000;

export function createOutboxDeliverer(
  context: OperatorContext,
  sinks: readonly BillingSink[],
  extensions: readonly OperatorExtension[],
  /** Null on PostgreSQL, where no extension runs. */
  extensionContext: ExtensionContext | null,
): OutboxDeliverer {
  return async (destination, payload) => {
    const now_ms = context.clock.now_ms();
    switch (destination.kind) {
      case 'billing': {
        const sink = sinks[destination.sinkIndex];
        if (sink === undefined) throw new Error(`no billing sink ${destination.sinkIndex} is configured any more`);
        await sink.deliver(payload as BillingRecord);
        return;
      }
      case 'peer-clearing': {
        const body = payload as ClearingBody;
        const clearing = seal(
          context.crypto,
          context.identity.signer,
          { ...body, operatorCertificate: context.identity.certificate },
          now_ms,
        );
        const ack = await context.peers.call(destination.operatorId, 'peerClearing', clearing);
        await context.trust.verifyAnswerFrom(destination.operatorId, ack, now_ms);
        if (ack.payload.transactionId !== body.transactionId)
          throw new Error('the clearing acknowledgement is about another transaction');
        context.log.info('clearing.acknowledged', {
          tx: body.transactionId,
          tab: body.tabId,
          charge: `${ack.payload.charge.value} ${ack.payload.charge.currency}`,
        });
        return;
      }
      case 'peer-dispute-decision': {
        const body = payload as DisputeDecisionBody;
        const message = seal(
          context.crypto,
          context.identity.signer,
          { ...body, operatorCertificate: context.identity.certificate },
          now_ms,
        );
        const ack = await context.peers.call(destination.operatorId, 'peerDisputeDecision', message);
        await context.trust.verifyAnswerFrom(destination.operatorId, ack, now_ms);
        if (ack.payload.transactionId !== body.resolution.payload.transactionId)
          throw new Error('the dispute decision acknowledgement is about another transaction');
        return;
      }
      case 'merchant-dispute-decision':
        return deliverMerchantDisputeDecision(
          context,
          destination.merchantId,
          payload as MerchantDisputeDecisionBody,
          now_ms,
        );
      case 'peer-key-rotation': {
        const notice = payload as KeyRotation;
        await context.peers.callRoute(destination.operatorId, OPERATOR_API.peerKeyRotation, notice, () => {
          throw new Error('an operator does not send its own rotation to itself');
        });
        return;
      }
      case 'extension': {
        const extension = extensions.find((candidate) => candidate.name === destination.extension);
        if (extension?.deliver === undefined || extensionContext === null)
          throw new Error(`no extension ${destination.extension} delivers outbox messages here`);
        return extension.deliver(extensionContext, destination.target, payload);
      }
      case 'merchant-notice': {
        const merchant = await context.storage.merchants.merchant(destination.merchantId);
        if (merchant === null) throw new Error(`merchant ${destination.merchantId} is no longer registered`);
        const body = payload as TabClearedBody;
        const notice = seal(context.crypto, context.identity.signer, body, now_ms);
        try {
          await callRoute(merchant.agentUrl, MERCHANT_AGENT_API.tabCleared, notice, {
            timeout_ms: MERCHANT_NOTICE_TIMEOUT_MS,
            transport: context.transport,
          });
        } catch (error) {
          // A registration cut off before its information reached the agent left nothing there to close.
          const neverInformed =
            refusalCodeOf(error) === 'unknown_tab' && (await context.storage.tabs.tab(body.tabId))?.state === 'failed';
          if (!neverInformed) throw error;
        }
        return;
      }
      case 'merchant-record-request': {
        const body = payload as RecordRequestBody;
        const merchant = await context.storage.merchants.merchant(destination.merchantId);
        if (merchant === null) throw new Error(`merchant ${destination.merchantId} is no longer registered`);
        const tab = await context.storage.tabs.tab(body.tabId);
        // Asking is pointless once the record is in, or once a late one could no longer change anything.
        const lateWindowOver =
          tab?.clearedAt != null && now_ms - tab.clearedAt > context.config.tabs.lateRecordWindow_s * 1000;
        if (tab === null || tab.merchantRecord !== null || lateWindowOver) return;
        let record;
        try {
          record = await callRoute(
            merchant.agentUrl,
            MERCHANT_AGENT_API.recordRequest,
            seal(context.crypto, context.identity.signer, body, now_ms),
            {
              timeout_ms: MERCHANT_NOTICE_TIMEOUT_MS,
              transport: context.transport,
            },
          );
        } catch (error) {
          // A definite "no such tab": the agent lost it or never had it; waiting brings no record.
          if (refusalCodeOf(error) !== 'unknown_tab') throw error;
          await noteMerchantHasNoRecord(context, body.tabId, context.clock.now_ms());
          return;
        }
        await takeRequestedRecord(context, merchant, body.tabId, record, context.clock.now_ms());
        return;
      }
    }
  };
}
