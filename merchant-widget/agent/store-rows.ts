// Rows of the agent's tables as records, for both stores: their integer columns arrive as bigint
// (SQLite with safe integers on, PostgreSQL BIGINT with the store's type parser).

import assert from 'node:assert/strict';
import { big, int, text } from './sqlite-columns';
import type { OutboxEntry, StoredDisputeDecision, StoredKeyRotation } from './store';
import type { ClearingOutcome, PurchaseRecord, StopReason, TabLifecycle, TabRecord } from './tab-record';

export type Row = Record<string, unknown>;

export function tabFromRow(row: Row): TabRecord {
  return {
    tabId: text(row.tab_id),
    informationId: text(row.information_id),
    pseudonym: text(row.pseudonym),
    tabPublicKey: text(row.tab_public_key),
    currency: text(row.currency),
    deposit_minor: big(row.deposit_minor),
    spent_minor: big(row.spent_minor),
    chainUnit_minor: big(row.chain_unit_minor),
    chainLength: int(row.chain_length),
    chainRoot: text(row.chain_root),
    lastChainIndex: int(row.last_chain_index),
    lastChainLink: text(row.last_chain_link),
    purchaseCount: int(row.purchase_count),
    listKey: row.list_key === null ? null : text(row.list_key),
    openedAt_ms: int(row.opened_at_ms),
    expiresAt_ms: int(row.expires_at_ms),
    lifecycle: lifecycleFromRow(row),
  };
}

function lifecycleFromRow(row: Row): TabLifecycle {
  const status = text(row.status);
  if (status === 'open') return { status };
  const reason = row.stop_reason === null ? null : (text(row.stop_reason) as StopReason);
  const stoppedAt_ms = row.stopped_at_ms === null ? null : int(row.stopped_at_ms);
  if (status === 'stopped') {
    assert(reason !== null && stoppedAt_ms !== null, 'a stopped tab has a reason and a time');
    return { status, reason, stoppedAt_ms };
  }
  assert(status === 'cleared', `unknown tab status ${status}`);
  return {
    status,
    reason,
    stoppedAt_ms,
    cleared_minor: big(row.cleared_minor),
    outcome: text(row.clearing_outcome) as ClearingOutcome,
    clearedAt_ms: int(row.cleared_at_ms),
    revision: int(row.clearing_revision),
  };
}

export function purchaseFromRow(row: Row): PurchaseRecord {
  return {
    purchaseId: text(row.purchase_id),
    tabId: text(row.tab_id),
    seq: int(row.seq),
    itemId: text(row.item_id),
    price_minor: big(row.price_minor),
    chainIndex: int(row.chain_index),
    chainLink: text(row.chain_link),
    createdAt_ms: int(row.created_at_ms),
  };
}

export function outboxEntryFromRow(row: Row): OutboxEntry {
  return {
    tabId: text(row.tab_id),
    recordId: text(row.record_id),
    envelopeJson: text(row.envelope_json),
    attempts: int(row.attempts),
    nextAttemptAt_ms: int(row.next_attempt_at_ms),
    lastError: row.last_error === null ? null : text(row.last_error),
    acknowledgedAt_ms: row.acknowledged_at_ms === null ? null : int(row.acknowledged_at_ms),
    refusedCode: row.refused_code === null ? null : text(row.refused_code),
  };
}

/** The columns a lifecycle sets, by name, for either store's UPDATE. */
export function lifecycleColumns(lifecycle: TabLifecycle) {
  const stopped = lifecycle.status === 'open' ? null : lifecycle;
  const cleared = lifecycle.status === 'cleared' ? lifecycle : null;
  return {
    status: lifecycle.status,
    reason: stopped?.reason ?? null,
    stoppedAt: stopped?.stoppedAt_ms ?? null,
    cleared: cleared?.cleared_minor ?? null,
    outcome: cleared?.outcome ?? null,
    clearedAt: cleared?.clearedAt_ms ?? null,
    revision: cleared?.revision ?? 0,
  };
}

export function keyRotationFromRow(row: Row): StoredKeyRotation {
  return {
    retiringKey: text(row.retiring_key),
    successorKey: text(row.successor_key),
    retiresAt_ms: int(row.retires_at_ms),
    noticeJson: text(row.notice_json),
  };
}

/** The same on both stores: of two notices about one key, the earlier retirement stays. */
export const KEEP_OPERATOR_KEY_ROTATION = `INSERT INTO operator_key_rotations
  (retiring_key, successor_key, retires_at_ms, notice_json, received_at_ms) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (retiring_key) DO UPDATE SET retires_at_ms = excluded.retires_at_ms, notice_json = excluded.notice_json
  WHERE excluded.retires_at_ms < operator_key_rotations.retires_at_ms`;

export function disputeDecisionFromRow(row: Row): StoredDisputeDecision {
  const decision = text(row.decision);
  assert(decision === 'uphold' || decision === 'adjust', `unknown dispute decision ${decision}`);
  return {
    tabId: text(row.tab_id),
    disputeId: text(row.dispute_id),
    decision,
    clearedBefore_minor: big(row.cleared_before_minor),
    clearedAfter_minor: big(row.cleared_after_minor),
    revision: int(row.revision),
    reason: text(row.reason),
    decidedAt_ms: int(row.decided_at_ms),
    resolutionJson: text(row.resolution_json),
  };
}

/** The decision's columns in the order INSERT_DISPUTE_DECISION names them. */
export function disputeDecisionColumns(decision: StoredDisputeDecision, now_ms: number): unknown[] {
  return [
    decision.tabId,
    decision.disputeId,
    decision.decision,
    decision.clearedBefore_minor,
    decision.clearedAfter_minor,
    decision.revision,
    decision.reason,
    decision.decidedAt_ms,
    decision.resolutionJson,
    now_ms,
  ];
}

export const INSERT_DISPUTE_DECISION = `INSERT INTO dispute_decisions (tab_id, dispute_id, decision,
  cleared_before_minor, cleared_after_minor, revision, reason, decided_at_ms, resolution_json, received_at_ms)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (tab_id) DO NOTHING`;
