// The operator decides a disputed tab. The MTA cleared only what a chain link proves; the
// operator's staff, having read both records, either uphold that or set what the tab clears,
// anywhere from nothing to the whole deposit, in favour of either party. The decision is sealed
// with the operator's key and kept with its reason, once per tab. An adjustment is one store
// transaction: the resolution row, the tab's new clearing revision, one ledger entry moving the
// difference between the merchant and the customer's operator (sum zero), and, through the
// outbox, the revised clearing for the customer's AM, the notice for the merchant agent and the
// deposit record for billing. An uphold moves no money. Either way the signed decision goes to
// the customer's AM, for the customer to read.

import { OpentabError } from '@opentab/protocol';
import { seal, type PayloadBody } from '@opentab/protocol';
import type { DisputeDecisionPayload, DisputeResolutionPayload, ResolutionDecision } from '@opentab/protocol';
import { moneyToWire, signedMoneyToWire } from '@opentab/protocol';
import { isLedgerError } from '../ledger';
import { ensureOwnAccount, ledgerAccount } from '../ledger-accounts';
import type { OperatorContext } from '../operator-context';
import type { OperatorStoreTransaction } from '../store/operator-storage';
import type { DisputeResolution, Tab } from '../store/records';
import { announceClearing } from './clearing';
import { enqueueMerchantDisputeDecision } from './merchant-dispute-decision';

// The decision's schemas are the protocol's: the customer's AM reads the same signed decision.
export { ResolutionDecision, DisputeResolutionPayload, SignedDisputeResolution } from '@opentab/protocol';

/** The peer message kept in the outbox; it is signed afresh at each delivery attempt. */
export type DisputeDecisionBody = Omit<PayloadBody<DisputeDecisionPayload>, 'operatorCertificate'>;

export interface ResolutionRequest {
  readonly disputeId: string;
  readonly decision: ResolutionDecision;
  /** For 'adjust': what the tab clears in total, in minor units of the merchant's currency. */
  readonly cleared_minor?: bigint;
  readonly reason: string;
}

/** Resolves the dispute's tab once; the same decision again answers what was decided, another is refused. */
export function resolveDispute(
  context: OperatorContext,
  request: ResolutionRequest,
  now_ms: number,
): Promise<DisputeResolution> {
  return context.storage.transaction((tx) => resolveDisputeIn(context, tx, request, now_ms));
}

/** `resolveDispute` inside the caller's transaction (the console's, which logs who decided in it). */
export async function resolveDisputeIn(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  request: ResolutionRequest,
  now_ms: number,
): Promise<DisputeResolution> {
  const dispute = await tx.tabs.dispute(request.disputeId);
  if (dispute === null) throw new OpentabError('unknown_dispute');
  // Locked: the adjustment is computed from the cleared amount this reads.
  const tab = (await tx.tabs.tabForUpdate(dispute.tabId))!;
  const before = tab.cleared_minor ?? 0n;
  const after = request.decision === 'uphold' ? before : request.cleared_minor;
  if (after === undefined)
    throw new OpentabError('invalid_message', 'An adjustment names what the tab clears: cleared.', [
      'cleared: missing',
    ]);
  const earlier = await tx.tabs.resolutionOfTab(tab.tabId);
  if (earlier !== null) {
    const same =
      earlier.decision === request.decision &&
      earlier.clearedAfter_minor === after &&
      earlier.reason === request.reason;
    if (same) return earlier;
    throw new OpentabError(
      'dispute_resolved',
      `Tab ${tab.tabId} was resolved already (${earlier.decision}, cleared ${describe(tab, earlier.clearedAfter_minor)}).`,
    );
  }
  if (after < 0n || after > tab.deposit_minor)
    throw new OpentabError(
      'adjustment_out_of_range',
      `Tab ${tab.tabId} can clear between 0 and its deposit of ${describe(tab, tab.deposit_minor)}.`,
    );
  const revision =
    after === before ? tab.clearingRevision : await reviseClearing(context, tx, tab, before, after, request, now_ms);
  const envelope = seal(
    context.crypto,
    context.identity.signer,
    {
      type: 'dispute-resolution',
      operatorId: context.identity.operatorId,
      disputeId: dispute.disputeId,
      tabId: tab.tabId,
      transactionId: tab.transactionId,
      customerOperatorId: tab.customerOperatorId,
      merchantId: tab.merchantId,
      decision: request.decision,
      clearedBefore: moneyToWire({ currency: tab.currency, minor: before }),
      clearedAfter: moneyToWire({ currency: tab.currency, minor: after }),
      revision,
      reason: request.reason,
    } satisfies PayloadBody<DisputeResolutionPayload>,
    now_ms,
  );
  const resolution: DisputeResolution = {
    tabId: tab.tabId,
    disputeId: dispute.disputeId,
    decision: request.decision,
    clearedBefore_minor: before,
    clearedAfter_minor: after,
    revision,
    reason: request.reason,
    envelope: JSON.stringify(envelope),
    decidedAt: now_ms,
  };
  await tx.tabs.insertResolution(resolution);
  // The customer reads the decision and its reason in the wallet, whatever it decided.
  await tx.outbox.enqueue(
    `dispute-decision:${tab.tabId}`,
    { kind: 'peer-dispute-decision', operatorId: tab.customerOperatorId },
    { type: 'dispute-decision', resolution: envelope } satisfies DisputeDecisionBody,
    now_ms,
  );
  // And the merchant reads it on its dashboard, with its reason, whatever it decided.
  await enqueueMerchantDisputeDecision(context, tx.outbox, envelope, now_ms);
  context.log.info('dispute.resolved', {
    tab: tab.tabId,
    dispute: dispute.disputeId,
    decision: request.decision,
    before: describe(tab, before),
    after: describe(tab, after),
  });
  return resolution;
}

/** Moves the difference and tells both sides and billing, as the tab's next revision; that revision. */
async function reviseClearing(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  tab: Tab,
  before: bigint,
  after: bigint,
  request: ResolutionRequest,
  now_ms: number,
): Promise<number> {
  const revision = await tx.tabs.resolveTabClearing(tab.tabId, after);
  if (revision === null) throw new OpentabError('tab_closed', `Tab ${tab.tabId} is not cleared; nothing to resolve.`);
  const added = after - before;
  const owedBy = ledgerAccount.settlement(tab.customerOperatorId, tab.currency);
  await ensureOwnAccount(tx.ledger, owedBy, tab.currency, 'settlement');
  try {
    await tx.ledger.postEntry({
      id: `resolution:${tab.tabId}`,
      memo: `tab ${tab.tabId} dispute resolved: ${signedMoneyToWire(tab.currency, added).value} ${tab.currency}`,
      ref: tab.tabId,
      postings: [
        { accountId: owedBy, amount: -added },
        { accountId: ledgerAccount.merchant(tab.merchantId), amount: added },
      ],
    });
  } catch (error) {
    if (isLedgerError(error, 'insufficient_funds'))
      throw new OpentabError(
        'insufficient_funds',
        `The merchant's balance does not cover the ${describe(tab, -added)} the decision takes back.`,
      );
    throw error;
  }
  await announceClearing(
    context,
    tx,
    tab,
    {
      revision,
      total_minor: after,
      added_minor: added,
      outcome: 'disputed',
      note: `Dispute resolved by operator ${context.identity.operatorId}: ${request.reason}`.slice(0, 500),
    },
    now_ms,
  );
  return revision;
}

function describe(tab: Tab, minor: bigint): string {
  return `${signedMoneyToWire(tab.currency, minor).value} ${tab.currency}`;
}
