// Seed FIG 3, steps 3–5 at the MTA: decide what the tab clears, credit the merchant, and leave
// the clearing information for the customer's AM, the deposit record for billing and a notice
// for the merchant agent in the outbox — all in one store transaction.
//
// Evidence that comes after the clearing is never thrown away: a record that proves more than
// was cleared raises the clearing to what all records together now prove, as a new revision
// that moves only the difference (records.ts decides when; `correctClearing` does it).

import { moneyFromWire, moneyToWire, signedMoneyToWire } from '@opentab/protocol';
import type { ClearingOutcome, ClearingPayload } from '@opentab/protocol';
import type { TabClearedPayload } from '@opentab/protocol';
import type { PayloadBody } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { enqueueBillingRecordIn } from '../billing/billing-outbox';
import type { DepositRecord } from '../billing/billing-records';
import { ensureOwnAccount, ledgerAccount } from '../ledger-accounts';
import type { OperatorContext } from '../operator-context';
import type { OperatorStoreTransaction } from '../store/operator-storage';
import type { Tab } from '../store/records';
import { concludeTab, type Conclusion } from './conclusion';

/** The clearing message body kept in the outbox; it is signed afresh at each delivery attempt. */
export type ClearingBody = Omit<PayloadBody<ClearingPayload>, 'operatorCertificate'>;
export type TabClearedBody = PayloadBody<TabClearedPayload>;

/** What the tab's records, as they are now, prove: pure. */
export function concludeOnRecords(context: OperatorContext, tab: Tab): Conclusion {
  return concludeTab(context.crypto, {
    deposit_minor: tab.deposit_minor,
    currency: tab.currency,
    unit_minor: moneyFromWire(tab.chain.unit).minor,
    chain: { root: tab.chain.root, length: tab.chain.length },
    customerRecord: tab.customerRecord?.payload ?? null,
    merchantRecord: tab.merchantRecord?.payload ?? null,
  });
}

/**
 * What the tab clears: what its records prove, less what the merchant refunded on it (never below
 * zero). A refund leaves the records as they are; it is the merchant's word that it keeps less.
 */
export async function concludeWithRefunds(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  tab: Tab,
): Promise<Conclusion & { refunded_minor: bigint }> {
  const conclusion = concludeOnRecords(context, tab);
  const refunded_minor = await tx.refunds.refundedOfTab(tab.tabId);
  const cleared_minor = conclusion.cleared_minor > refunded_minor ? conclusion.cleared_minor - refunded_minor : 0n;
  return { ...conclusion, cleared_minor, refunded_minor };
}

/** Clears a tab exactly once, in the caller's transaction; false when it was already cleared. */
export async function clearTab(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  tab: Tab,
  now_ms: number,
): Promise<boolean> {
  const conclusion = await concludeWithRefunds(context, tx, tab);
  if (!(await tx.tabs.markTabCleared(tab.tabId, conclusion.cleared_minor, conclusion.outcome, now_ms))) return false;
  await postClearing(
    context,
    tx,
    tab,
    {
      revision: 0,
      total_minor: conclusion.cleared_minor,
      added_minor: conclusion.cleared_minor,
      outcome: conclusion.outcome,
      disputeReason: conclusion.disputeReason,
      refunded_minor: conclusion.refunded_minor,
    },
    now_ms,
  );
  logCleared(context, tab, 0, conclusion.cleared_minor, conclusion.outcome, conclusion.disputeReason);
  return true;
}

/**
 * Raises a cleared tab to what its records now prove, as its next revision; the revision, or
 * null when they prove no more than was cleared. `tab` carries the records as they are now.
 * Runs inside the caller's transaction.
 */
export async function correctClearing(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  tab: Tab,
  now_ms: number,
): Promise<number | null> {
  const previous_minor = tab.cleared_minor ?? 0n;
  const conclusion = await concludeWithRefunds(context, tx, tab);
  if (conclusion.cleared_minor <= previous_minor) return null;
  const revision = await tx.tabs.correctTabClearing(tab.tabId, conclusion.cleared_minor, conclusion.outcome);
  if (revision === null) return null;
  await postClearing(
    context,
    tx,
    tab,
    {
      revision,
      total_minor: conclusion.cleared_minor,
      added_minor: conclusion.cleared_minor - previous_minor,
      outcome: conclusion.outcome,
      disputeReason: conclusion.disputeReason,
      refunded_minor: conclusion.refunded_minor,
    },
    now_ms,
  );
  logCleared(context, tab, revision, conclusion.cleared_minor, conclusion.outcome, conclusion.disputeReason);
  return revision;
}

interface ClearingStep {
  /** 0 for the first clearing; corrections count up. */
  readonly revision: number;
  /** Everything the tab has cleared, this revision included. */
  readonly total_minor: bigint;
  /** What this revision adds: the merchant's credit, and the deposit record's amount. */
  readonly added_minor: bigint;
  readonly outcome: ClearingOutcome;
  readonly disputeReason: string | null;
  /** What the merchant refunded on the tab, already subtracted from `total_minor`. */
  readonly refunded_minor: bigint;
}

/** Credit, dispute, clearing for the AM, notice for the agent, deposit record: the effects of one revision,
 * in the caller's transaction. */
async function postClearing(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  tab: Tab,
  step: ClearingStep,
  now_ms: number,
): Promise<void> {
  const suffix = step.revision === 0 ? '' : `:r${step.revision}`;
  if (step.added_minor > 0n) {
    const owedBy = ledgerAccount.settlement(tab.customerOperatorId, tab.currency);
    await ensureOwnAccount(tx.ledger, owedBy, tab.currency, 'settlement');
    await tx.ledger.postEntry({
      id: `credit:${tab.tabId}${suffix}`,
      memo:
        step.revision === 0
          ? `tab ${tab.tabId} cleared (${step.outcome})`
          : `tab ${tab.tabId} clearing corrected by a late record (revision ${step.revision})`,
      ref: tab.tabId,
      postings: [
        { accountId: owedBy, amount: -step.added_minor },
        { accountId: ledgerAccount.merchant(tab.merchantId), amount: step.added_minor },
      ],
    });
  }
  if (step.disputeReason !== null) {
    await tx.tabs.insertDispute({
      disputeId: `dispute:${tab.tabId}${suffix}`,
      tabId: tab.tabId,
      createdAt: now_ms,
      cleared_minor: step.total_minor,
      reason: step.disputeReason,
      customerRecord: tab.customerRecord,
      merchantRecord: tab.merchantRecord,
    });
  }
  const total = moneyToWire({ currency: tab.currency, minor: step.total_minor });
  await announceClearing(
    context,
    tx,
    tab,
    {
      revision: step.revision,
      total_minor: step.total_minor,
      added_minor: step.added_minor,
      outcome: step.outcome,
      note:
        step.disputeReason ??
        `${step.outcome}: ${total.value} ${total.currency}${refundedNote(tab, step.refunded_minor)}`,
    },
    now_ms,
  );
}

export interface ClearingAnnouncement {
  readonly revision: number;
  readonly total_minor: bigint;
  /** What this revision moved: positive credited the merchant, negative took back from it. */
  readonly added_minor: bigint;
  readonly outcome: ClearingOutcome;
  /** The sentence the customer's AM is told. */
  readonly note: string;
}

/**
 * Tells everyone about one revision of a tab's clearing, in the caller's transaction: the clearing
 * for the customer's AM, the notice for the merchant agent, and the deposit record for billing.
 */
export async function announceClearing(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  tab: Tab,
  step: ClearingAnnouncement,
  now_ms: number,
): Promise<void> {
  const suffix = step.revision === 0 ? '' : `:r${step.revision}`;
  const total = moneyToWire({ currency: tab.currency, minor: step.total_minor });
  const revision = step.revision === 0 ? {} : { revision: step.revision };
  const clearing: ClearingBody = {
    type: 'clearing',
    transactionId: tab.transactionId,
    tabId: tab.tabId,
    cleared: total,
    outcome: step.outcome,
    note: step.note,
    ...revision,
  };
  await tx.outbox.enqueue(
    `clearing:${tab.tabId}${suffix}`,
    { kind: 'peer-clearing', operatorId: tab.customerOperatorId },
    clearing,
    now_ms,
  );
  const notice: TabClearedBody = {
    type: 'tab-cleared',
    operatorId: context.identity.operatorId,
    merchantId: tab.merchantId,
    tabId: tab.tabId,
    cleared: total,
    outcome: step.outcome,
    ...revision,
  };
  await tx.outbox.enqueue(
    `tab-cleared:${tab.tabId}${suffix}`,
    { kind: 'merchant-notice', merchantId: tab.merchantId },
    notice,
    now_ms,
  );
  const record: DepositRecord = {
    recordType: 'deposit',
    source: 'tab',
    recordId: `deposit:${context.identity.operatorId}:${tab.tabId}${suffix}`,
    operatorId: context.identity.operatorId,
    merchantId: tab.merchantId,
    tabId: tab.tabId,
    customerOperatorId: tab.customerOperatorId,
    amount: signedMoneyToWire(tab.currency, step.added_minor),
    outcome: step.outcome,
    clearedAt: formatTimestamp(now_ms),
    ...revision,
  };
  await enqueueBillingRecordIn(tx.outbox, context, record, now_ms);
}

function refundedNote(tab: Tab, refunded_minor: bigint): string {
  if (refunded_minor === 0n) return '';
  const refunded = moneyToWire({ currency: tab.currency, minor: refunded_minor });
  return ` after the merchant's refunds of ${refunded.value} ${refunded.currency}`;
}

function logCleared(
  context: OperatorContext,
  tab: Tab,
  revision: number,
  total_minor: bigint,
  outcome: ClearingOutcome,
  disputeReason: string | null,
): void {
  const cleared = moneyToWire({ currency: tab.currency, minor: total_minor });
  context.log.info(revision === 0 ? 'tab.cleared' : 'tab.clearing-corrected', {
    tx: tab.transactionId,
    tab: tab.tabId,
    merchant: tab.merchantId,
    cleared: `${cleared.value} ${cleared.currency}`,
    outcome,
    ...(revision !== 0 ? { revision } : {}),
    ...(disputeReason !== null ? { dispute: disputeReason } : {}),
  });
}
