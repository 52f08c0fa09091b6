// Sends the merchant's refunds to its MTA until the MTA answers: at least once, and counted once
// there by the refund id. Each attempt is signed afresh (a new message id and time), so a refund
// retried long after a crash is not refused as stale; the MTA answers a refund id it took with its
// first answer. A refusal no retry can change (more than the tab pays, another refund under the
// id) ends the refund as refused, and frees its purchases to be refunded again.

import { callRoute, OPERATOR_API, RemoteCallError, seal } from '@opentab/protocol';
import {
  moneyToWire,
  type CryptoProvider,
  type PayloadBody,
  type RefundAck,
  type RefundPayload,
} from '@opentab/protocol';
import type { Signer } from '@opentab/protocol';
import { retryDelay_ms } from '@opentab/server-kit';
import type { AgentSettings } from '../config';
import type { OperatorKeys } from '../operator-keys';
import type { AdminStore, RefundRow } from './admin-store';

type SenderSettings = Pick<
  AgentSettings,
  | 'merchantId'
  | 'currency'
  | 'operatorBaseUrl'
  | 'operatorTransport'
  | 'operatorId'
  | 'recordRetryBase_ms'
  | 'recordRetryMax_ms'
  | 'recordCallTimeout_ms'
  | 'clock'
  | 'logger'
>;

/** The MTA's final word on a refund: sending it again cannot change the answer. */
const FINAL_REFUSALS: ReadonlySet<string> = new Set([
  'refund_exceeds_paid',
  'refund_conflict',
  'unknown_tab',
  'tab_not_opened',
  'currency_mismatch',
  'amount_invalid',
  'insufficient_funds',
  'invalid_message',
]);

const REFUNDS_PER_PASS = 32;

export class RefundSender {
  private pass: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      readonly admin: AdminStore;
      readonly crypto: CryptoProvider;
      readonly merchantKey: Signer;
      readonly settings: SenderSettings;
      readonly operatorKeys: OperatorKeys;
    },
  ) {}

  /** Sends every refund that is due; one pass at a time. */
  sendDue(): Promise<void> {
    this.pass ??= (async () => {
      const { admin, settings } = this.deps;
      const due = await admin.inTransaction((tx) => tx.dueRefunds(settings.clock.now_ms(), REFUNDS_PER_PASS));
      for (const refund of due) await this.send(refund);
    })().finally(() => (this.pass = null));
    return this.pass;
  }

  /** One attempt at one refund; what it stands at afterwards is in the store. */
  async send(refund: RefundRow): Promise<void> {
    const { admin, crypto, merchantKey, settings } = this.deps;
    const now_ms = settings.clock.now_ms();
    const envelope = seal(
      crypto,
      merchantKey,
      {
        type: 'refund',
        merchantId: settings.merchantId,
        tabId: refund.tabId,
        refundId: refund.refundId,
        amount: moneyToWire({ currency: settings.currency, minor: refund.amount_minor }),
        reason: refund.reason,
      } satisfies PayloadBody<RefundPayload>,
      now_ms,
    );
    let ack: RefundAck;
    try {
      ack = await callRoute(settings.operatorBaseUrl, OPERATOR_API.merchantRefund, envelope, {
        timeout_ms: settings.recordCallTimeout_ms,
        transport: settings.operatorTransport,
      });
    } catch (error) {
      const failure = error instanceof RemoteCallError ? error.failure : null;
      if (failure?.kind === 'refused' && FINAL_REFUSALS.has(failure.code)) {
        await admin.inTransaction((tx) => tx.markRefused(refund.refundId, `${failure.code}: ${failure.message}`));
        return;
      }
      await this.retryLater(refund, failure === null ? String(error) : `${failure.kind}: ${failure.message}`);
      return;
    }
    await this.deps.operatorKeys.learnAbout([ack.kid]);
    const problem = this.ackProblem(refund, ack);
    if (problem !== null) return this.retryLater(refund, problem);
    await admin.inTransaction((tx) =>
      tx.markTaken(refund.refundId, {
        timing: ack.payload.timing,
        revision: ack.payload.revision ?? null,
        json: JSON.stringify(ack),
      }),
    );
  }

  private async retryLater(refund: RefundRow, error: string): Promise<void> {
    const { admin, settings } = this.deps;
    const delay_ms = retryDelay_ms(refund.attempts + 1, {
      base_ms: settings.recordRetryBase_ms,
      max_ms: settings.recordRetryMax_ms,
    });
    settings.logger.warn(`refund ${refund.refundId} did not reach the MTA; retrying`, error);
    await admin.inTransaction((tx) => tx.markAttemptFailed(refund.refundId, settings.clock.now_ms() + delay_ms, error));
  }

  private ackProblem(refund: RefundRow, ack: RefundAck): string | null {
    const { operatorKeys, settings } = this.deps;
    if (!operatorKeys.verifies(ack, settings.clock.now_ms())) return 'the refund ack is not signed by the operator key';
    const payload = ack.payload;
    if (payload.operatorId !== settings.operatorId) return `the refund ack names operator ${payload.operatorId}`;
    if (payload.refundId !== refund.refundId || payload.tabId !== refund.tabId)
      return 'the refund ack is for another refund';
    if (payload.amount.value !== moneyToWire({ currency: settings.currency, minor: refund.amount_minor }).value)
      return 'the refund ack names another amount';
    return null;
  }
}
