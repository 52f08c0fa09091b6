// Prepared statements over the operator's tables, each returning typed rows. No business rules
// here: the account manager and the MTA decide, this file only reads and writes.

import type Database from 'better-sqlite3';
import { makeSessionId } from '@opentab/protocol';
import type { ClearingOutcome } from '@opentab/protocol';
import type { CustomerRecord } from '@opentab/protocol';
import type { MerchantRecord } from '@opentab/protocol';
import type { SignedDisputeResolution, TabAck } from '@opentab/protocol';
import { transactionStatesAccepting, type TransactionEvent } from '../account-manager/transaction-states';
import { tabStatesAccepting, type TabEvent } from '../mta/tab-states';
import { migrateOperatorStore } from './schema';
import type {
  AmendedInitiationBody,
  Customer,
  CustomerStatus,
  Dispute,
  DisputeResolution,
  LateRecord,
  Merchant,
  MerchantStatus,
  Session,
  StoredRefund,
  Tab,
  TabLifecycle,
  Transaction,
  TransactionFailure,
  TransactionLifecycle,
} from './records';

type Row = Record<string, unknown>;

const json = <T>(text: unknown): T => JSON.parse(text as string) as T;
const jsonOrNull = <T>(text: unknown): T | null => (text === null ? null : json<T>(text));
const int = (value: unknown): number => Number(value);
const intOrNull = (value: unknown): number | null => (value === null ? null : Number(value));
const big = (value: unknown): bigint => BigInt(value as bigint | number);
const bigOrNull = (value: unknown): bigint | null => (value === null ? null : BigInt(value as bigint | number));

export function toCustomer(row: Row): Customer {
  return {
    accountId: row.account_id as string,
    currency: row.currency as string,
    displayName: row.display_name as string,
    publicKey: row.public_key as string | null,
    createdAt: int(row.created_at),
    status: (row.status as CustomerStatus | undefined) ?? 'active',
    statusReason: (row.status_reason as string | null | undefined) ?? null,
  };
}

function toRefund(row: Row): StoredRefund {
  return {
    refundId: String(row.refund_id),
    tabId: String(row.tab_id),
    amount_minor: BigInt(row.amount_minor as bigint),
    reason: String(row.reason),
    receivedAt: Number(row.received_at),
    revision: row.revision === null ? null : Number(row.revision),
  };
}

export function toMerchant(row: Row): Merchant {
  return {
    merchantId: row.merchant_id as string,
    displayName: row.display_name as string,
    currency: row.currency as string,
    origins: json<string[]>(row.origins),
    agentUrl: row.agent_url as string,
    publicKey: row.public_key as string,
    createdAt: int(row.created_at),
    status: (row.status as MerchantStatus | undefined) ?? 'active',
    statusReason: (row.status_reason as string | null | undefined) ?? null,
  };
}

export function toTransaction(row: Row): Transaction {
  return {
    transactionId: row.transaction_id as string,
    sessionId: row.session_id as string,
    accountId: row.account_id as string,
    merchantId: row.merchant_id as string,
    merchantOperatorId: row.merchant_operator_id as string,
    state: row.state as TransactionLifecycle,
    hold_minor: big(row.hold_minor),
    customerCurrency: row.customer_currency as string,
    deposit_minor: big(row.deposit_minor),
    merchantCurrency: row.merchant_currency as string,
    rate: json(row.rate),
    tabPublicKey: row.tab_public_key as string,
    chain: json(row.chain),
    pseudonym: row.pseudonym as string,
    tabId: row.tab_id as string | null,
    merchantDisplayName: row.merchant_display_name as string | null,
    openedAt: int(row.opened_at),
    expiresAt: int(row.expires_at),
    charged_minor: bigOrNull(row.charged_minor),
    clearedAt: intOrNull(row.cleared_at),
    clearingOutcome: row.clearing_outcome as ClearingOutcome | null,
    customerRecord: jsonOrNull(row.customer_record),
    initiationId: (row.initiation_id as string | null) ?? null,
    chainRoot: (row.chain_root as string | null) ?? null,
    amendedInitiation: jsonOrNull<AmendedInitiationBody>(row.amended_initiation ?? null),
    tabAck: jsonOrNull<TabAck>(row.tab_ack ?? null),
    failure: jsonOrNull<TransactionFailure>(row.failure ?? null),
    cleared_minor: bigOrNull(row.cleared_minor ?? null),
    clearingRevision: int(row.clearing_revision ?? 0),
    clearingNote: (row.clearing_note as string | null) ?? null,
    disputeDecision: jsonOrNull<SignedDisputeResolution>(row.dispute_decision ?? null),
  };
}

export function toTab(row: Row): Tab {
  return {
    tabId: row.tab_id as string,
    merchantId: row.merchant_id as string,
    customerOperatorId: row.customer_operator_id as string,
    transactionId: row.transaction_id as string,
    state: row.state as TabLifecycle,
    pseudonym: row.pseudonym as string,
    tabPublicKey: row.tab_public_key as string,
    deposit_minor: big(row.deposit_minor),
    currency: row.currency as string,
    chain: json(row.chain),
    openedAt: int(row.opened_at),
    expiresAt: int(row.expires_at),
    concludeAfter: int(row.conclude_after),
    customerRecord: jsonOrNull(row.customer_record),
    merchantRecord: jsonOrNull(row.merchant_record),
    cleared_minor: bigOrNull(row.cleared_minor),
    outcome: row.outcome as ClearingOutcome | null,
    clearedAt: intOrNull(row.cleared_at),
    chainRoot: (row.chain_root as string | null) ?? null,
    merchantAskedAt: intOrNull(row.merchant_asked_at ?? null),
    merchantHasNoRecord: int(row.merchant_has_no_record ?? 0) === 1,
    clearingRevision: int(row.clearing_revision ?? 0),
  };
}

export function toLateRecord(row: Row): LateRecord {
  return {
    recordId: row.record_id as string,
    tabId: row.tab_id as string,
    party: row.party as LateRecord['party'],
    record: json(row.record),
    receivedAt: int(row.received_at),
    effect: row.effect as string,
  };
}

/** `state IN ('a', 'b')` for the states the table lets `event` leave from. */
const inStates = (states: readonly string[]): string => `state IN (${states.map((state) => `'${state}'`).join(', ')})`;
export const transactionAccepts = (event: TransactionEvent): string => inStates(transactionStatesAccepting(event));
export const tabAccepts = (event: TabEvent): string => inStates(tabStatesAccepting(event));

export function toResolution(row: Row): DisputeResolution {
  return {
    tabId: row.tab_id as string,
    disputeId: row.dispute_id as string,
    decision: row.decision as DisputeResolution['decision'],
    clearedBefore_minor: big(row.cleared_before_minor),
    clearedAfter_minor: big(row.cleared_after_minor),
    revision: int(row.revision),
    reason: row.reason as string,
    envelope: row.envelope as string,
    decidedAt: int(row.decided_at),
  };
}

/** Search filters of the admin lists; every one optional. Times are epoch ms, `until` exclusive. */
export interface CustomerFilter {
  readonly text?: string;
  readonly status?: CustomerStatus;
  readonly limit: number;
}
export interface TabFilter {
  readonly merchantId?: string;
  readonly state?: string;
  readonly from_ms?: number;
  readonly until_ms?: number;
  readonly limit: number;
}
export interface TransactionFilter {
  readonly accountId?: string;
  readonly merchantId?: string;
  readonly state?: string;
  readonly from_ms?: number;
  readonly until_ms?: number;
  readonly limit: number;
}

export function toDispute(row: Row): Dispute {
  return {
    disputeId: row.dispute_id as string,
    tabId: row.tab_id as string,
    createdAt: int(row.created_at),
    cleared_minor: big(row.cleared_minor),
    reason: row.reason as string,
    customerRecord: jsonOrNull(row.customer_record),
    merchantRecord: jsonOrNull(row.merchant_record),
  };
}

export interface NewTransaction
  extends Omit<
    Transaction,
    | 'state'
    | 'tabId'
    | 'merchantDisplayName'
    | 'charged_minor'
    | 'clearedAt'
    | 'clearingOutcome'
    | 'clearingNote'
    | 'disputeDecision'
    | 'customerRecord'
    | 'tabAck'
    | 'failure'
    | 'cleared_minor'
    | 'clearingRevision'
    | 'initiationId'
    | 'chainRoot'
    | 'amendedInitiation'
  > {
  readonly initiationId: string;
  readonly chainRoot: string;
  readonly amendedInitiation: AmendedInitiationBody;
}
export interface NewTab
  extends Omit<
    Tab,
    | 'state'
    | 'customerRecord'
    | 'merchantRecord'
    | 'cleared_minor'
    | 'outcome'
    | 'clearedAt'
    | 'chainRoot'
    | 'merchantAskedAt'
    | 'merchantHasNoRecord'
    | 'clearingRevision'
  > {}

/** A row FAIL_OPENING_TABS_SQL returns: the tab it failed. */
export function toFailedOpening(row: Row): Pick<Tab, 'tabId' | 'merchantId' | 'currency'> {
  return { tabId: row.tab_id as string, merchantId: row.merchant_id as string, currency: row.currency as string };
}

/**
 * The sweep of interrupted registrations: the tabs still opening that were opened before a time.
 * It reads only tabs left opening, through the partial index opening_tabs (the unary + keeps the
 * planner off the index on opened_at, which would walk every tab opened before the time).
 */
export const FAIL_OPENING_TABS_SQL =
  "UPDATE tabs SET state = 'failed' WHERE state = 'opening' AND +opened_at < ? RETURNING tab_id, merchant_id, currency";

/**
 * The opening sweep's claim on stalled openings (opened at or before `openedBefore_ms`), up to
 * `limit`: each is leased to `holder` until `leaseUntil_ms`, unless another's lease on it still
 * runs at `now_ms`. The claim keeps other processes from asking the MTA about the same opening
 * at the same time; a holder that stopped leaves its claims to others once they run out.
 */
export interface OpeningClaim {
  readonly holder: string;
  readonly openedBefore_ms: number;
  readonly now_ms: number;
  readonly leaseUntil_ms: number;
  readonly limit: number;
}

/** Oldest opening first, then by id: the order the sweep takes them in. */
export function byOpening(a: Transaction, b: Transaction): number {
  return (
    a.openedAt - b.openedAt || (a.transactionId < b.transactionId ? -1 : a.transactionId > b.transactionId ? 1 : 0)
  );
}

export class OperatorStore {
  private readonly s;

  constructor(
    readonly db: Database.Database,
    private readonly operatorId: string,
  ) {
    migrateOperatorStore(db);
    const prepare = (sql: string) => db.prepare(sql).safeIntegers(true);
    this.s = {
      insertCustomer: prepare(
        'INSERT INTO customers (account_id, currency, display_name, public_key, created_at) VALUES (?, ?, ?, NULL, ?)',
      ),
      customer: prepare('SELECT * FROM customers WHERE account_id = ?'),
      customerByKey: prepare('SELECT * FROM customers WHERE public_key = ?'),
      setCustomerKey: prepare('UPDATE customers SET public_key = ? WHERE account_id = ? AND public_key IS NULL'),
      insertCode: prepare('INSERT INTO enrollment_codes (code, account_id, expires_at) VALUES (?, ?, ?)'),
      code: prepare('SELECT * FROM enrollment_codes WHERE code = ?'),
      useCode: prepare('UPDATE enrollment_codes SET used_at = ? WHERE code = ? AND used_at IS NULL'),
      insertSession: prepare('INSERT INTO sessions (account_id, created_at, expires_at) VALUES (?, ?, ?)'),
      session: prepare('SELECT * FROM sessions WHERE seq = ?'),
      nextTransactionSeq: prepare(
        'UPDATE sessions SET transactions = transactions + 1 WHERE seq = ? RETURNING transactions',
      ),
      insertMerchant: prepare(
        `INSERT INTO merchants (merchant_id, display_name, currency, origins, agent_url, public_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (merchant_id) DO UPDATE SET display_name = excluded.display_name, origins = excluded.origins,
           agent_url = excluded.agent_url, public_key = excluded.public_key`,
      ),
      merchant: prepare('SELECT * FROM merchants WHERE merchant_id = ?'),
      insertTransaction: prepare(
        `INSERT INTO transactions (transaction_id, session_id, account_id, merchant_id, merchant_operator_id, state, hold_minor,
           customer_currency, deposit_minor, merchant_currency, rate, tab_public_key, chain, pseudonym, opened_at, expires_at,
           initiation_id, chain_root, amended_initiation)
         VALUES (?, ?, ?, ?, ?, 'opening', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      transaction: prepare('SELECT * FROM transactions WHERE transaction_id = ?'),
      transactionByInitiation: prepare('SELECT * FROM transactions WHERE initiation_id = ?'),
      transactionByChainRoot: prepare('SELECT * FROM transactions WHERE chain_root = ?'),
      transactionsOfAccount: prepare('SELECT * FROM transactions WHERE account_id = ? ORDER BY opened_at DESC LIMIT ?'),
      markTransactionOpen: prepare(
        `UPDATE transactions SET state = 'open', tab_id = ?, merchant_display_name = ?, tab_ack = ? WHERE transaction_id = ? AND ${transactionAccepts('tab-acknowledged')}`,
      ),
      markTransactionRefused: prepare(
        `UPDATE transactions SET state = 'failed', failure = ? WHERE transaction_id = ? AND ${transactionAccepts('refused')}`,
      ),
      markTransactionOpeningLapsed: prepare(
        `UPDATE transactions SET state = 'failed', failure = ? WHERE transaction_id = ? AND ${transactionAccepts('opening-bound-passed')}`,
      ),
      claimStalledOpenings: prepare(
        `UPDATE transactions SET sweep_holder = ?, sweep_lease_until_ms = ?
         WHERE transaction_id IN (
           SELECT transaction_id FROM transactions
           WHERE state = 'opening' AND opened_at <= ? AND (sweep_lease_until_ms IS NULL OR sweep_lease_until_ms <= ?)
           ORDER BY opened_at LIMIT ?)
         RETURNING *`,
      ),
      setCustomerRecord: prepare('UPDATE transactions SET customer_record = ? WHERE transaction_id = ?'),
      markTransactionCleared: prepare(
        `UPDATE transactions SET state = 'cleared', charged_minor = ?, cleared_at = ?, clearing_outcome = ?, cleared_minor = ?, clearing_revision = ?,
           clearing_note = ?
         WHERE transaction_id = ? AND ${transactionAccepts('cleared')}`,
      ),
      correctTransactionClearing: prepare(
        `UPDATE transactions SET charged_minor = ?, clearing_outcome = ?, cleared_minor = ?, clearing_revision = ?, clearing_note = ?
         WHERE transaction_id = ? AND ${transactionAccepts('clearing-corrected')} AND clearing_revision < ?`,
      ),
      overdueTransactions: prepare(
        "SELECT * FROM transactions WHERE state IN ('opening', 'open') AND expires_at <= ? ORDER BY expires_at LIMIT ?",
      ),
      setTransactionDisputeDecision: prepare(
        'UPDATE transactions SET dispute_decision = ? WHERE transaction_id = ? AND dispute_decision IS NULL',
      ),
      markTransactionLapsed: prepare(
        `UPDATE transactions SET state = 'lapsed' WHERE transaction_id = ? AND ${transactionAccepts('hold-deadline-passed')}`,
      ),
      insertTab: prepare(
        `INSERT INTO tabs (tab_id, merchant_id, customer_operator_id, transaction_id, state, pseudonym, tab_public_key, deposit_minor,
           currency, chain, opened_at, expires_at, conclude_after, chain_root)
         VALUES (?, ?, ?, ?, 'opening', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      tab: prepare('SELECT * FROM tabs WHERE tab_id = ?'),
      tabByTransaction: prepare('SELECT * FROM tabs WHERE customer_operator_id = ? AND transaction_id = ?'),
      tabByChainRoot: prepare('SELECT * FROM tabs WHERE chain_root = ?'),
      markTabOpen: prepare(
        `UPDATE tabs SET state = 'open' WHERE tab_id = ? AND ${tabAccepts('merchant-acknowledged')}`,
      ),
      markTabFailed: prepare(
        `UPDATE tabs SET state = 'failed' WHERE tab_id = ? AND ${tabAccepts('registration-failed')}`,
      ),
      failOpeningTabs: prepare(FAIL_OPENING_TABS_SQL),
      // The customer's record never moves the conclusion earlier: the merchant keeps all its time.
      setTabCustomerRecord: prepare('UPDATE tabs SET customer_record = ? WHERE tab_id = ? AND customer_record IS NULL'),
      setTabMerchantRecord: prepare(
        'UPDATE tabs SET merchant_record = ?, conclude_after = MIN(conclude_after, ?) WHERE tab_id = ? AND merchant_record IS NULL',
      ),
      markMerchantAsked: prepare(
        "UPDATE tabs SET merchant_asked_at = ?, conclude_after = MAX(conclude_after, ?) WHERE tab_id = ? AND state = 'open' AND merchant_asked_at IS NULL",
      ),
      markMerchantHasNoRecord: prepare(
        "UPDATE tabs SET merchant_has_no_record = 1, conclude_after = MIN(conclude_after, ?) WHERE tab_id = ? AND state = 'open'",
      ),
      markTabCleared: prepare(
        `UPDATE tabs SET state = 'cleared', cleared_minor = ?, outcome = ?, cleared_at = ? WHERE tab_id = ? AND ${tabAccepts('cleared')}`,
      ),
      correctTabClearing: prepare(
        `UPDATE tabs SET cleared_minor = ?, outcome = ?, clearing_revision = clearing_revision + 1 WHERE tab_id = ? AND ${tabAccepts('clearing-corrected')} AND cleared_minor < ?
         RETURNING clearing_revision`,
      ),
      insertLateRecord: prepare(
        'INSERT OR IGNORE INTO late_records (record_id, tab_id, party, record, received_at, effect) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      lateRecordsOfTab: prepare('SELECT * FROM late_records WHERE tab_id = ? ORDER BY received_at'),
      postponeDueTabs: prepare("UPDATE tabs SET conclude_after = MAX(conclude_after, ?) WHERE state = 'open'"),
      dueTabs: prepare(
        "SELECT * FROM tabs WHERE state = 'open' AND conclude_after <= ? ORDER BY conclude_after LIMIT ?",
      ),
      tabsOfMerchant: prepare('SELECT * FROM tabs WHERE merchant_id = ? ORDER BY opened_at DESC LIMIT ?'),
      insertDispute: prepare(
        'INSERT INTO disputes (dispute_id, tab_id, created_at, cleared_minor, reason, customer_record, merchant_record) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      disputes: prepare('SELECT * FROM disputes ORDER BY created_at DESC LIMIT ?'),
      disputesOfTab: prepare('SELECT * FROM disputes WHERE tab_id = ?'),
      dispute: prepare('SELECT * FROM disputes WHERE dispute_id = ?'),
      setCustomerStatus: prepare('UPDATE customers SET status = ?, status_reason = ? WHERE account_id = ?'),
      setMerchantStatus: prepare('UPDATE merchants SET status = ?, status_reason = ? WHERE merchant_id = ?'),
      merchants: prepare('SELECT * FROM merchants ORDER BY merchant_id LIMIT ?'),
      unfinishedTransactionsOfAccount: prepare(
        "SELECT COUNT(*) AS n FROM transactions WHERE account_id = ? AND state IN ('opening', 'open')",
      ),
      insertResolution: prepare(
        `INSERT INTO dispute_resolutions (tab_id, dispute_id, decision, cleared_before_minor, cleared_after_minor, revision,
           reason, envelope, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      resolutionOfTab: prepare('SELECT * FROM dispute_resolutions WHERE tab_id = ?'),
      resolveTabClearing: prepare(
        `UPDATE tabs SET cleared_minor = ?, clearing_revision = clearing_revision + 1 WHERE tab_id = ? AND ${tabAccepts('dispute-resolved')}
         RETURNING clearing_revision`,
      ),
      insertRefund: prepare(
        `INSERT INTO refunds (refund_id, tab_id, amount_minor, reason, received_at, revision) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (refund_id) DO NOTHING`,
      ),
      refund: prepare('SELECT * FROM refunds WHERE refund_id = ?'),
      refundsOfTab: prepare('SELECT * FROM refunds WHERE tab_id = ? ORDER BY received_at, rowid'),
      refundedOfTab: prepare('SELECT COALESCE(SUM(amount_minor), 0) AS total FROM refunds WHERE tab_id = ?'),
      refundTabClearing: prepare(
        `UPDATE tabs SET cleared_minor = cleared_minor - ?, clearing_revision = clearing_revision + 1
         WHERE tab_id = ? AND ${tabAccepts('refunded')} AND cleared_minor >= ? RETURNING clearing_revision`,
      ),
      tabCountsByState: prepare('SELECT state, COUNT(*) AS n FROM tabs GROUP BY state'),
      transactionCountsByState: prepare('SELECT state, COUNT(*) AS n FROM transactions GROUP BY state'),
      clearedByCurrency: prepare(
        "SELECT currency, COUNT(*) AS n, COALESCE(SUM(cleared_minor), 0) AS total FROM tabs WHERE state = 'cleared' GROUP BY currency",
      ),
      outboxCounts: prepare(
        `SELECT COALESCE(SUM(delivered_at IS NULL), 0) AS pending, COALESCE(SUM(delivered_at IS NULL AND attempts > 0), 0) AS failing,
           COALESCE(SUM(delivered_at IS NOT NULL), 0) AS delivered FROM outbox`,
      ),
      outboxRowsMentioning: prepare(
        `SELECT record_id, destination, created_at, attempts, delivered_at, last_error FROM outbox
         WHERE instr(record_id, ?) > 0 ORDER BY seq LIMIT 200`,
      ),
      customerCounts: prepare('SELECT status AS state, COUNT(*) AS n FROM customers GROUP BY status'),
      merchantCounts: prepare('SELECT status AS state, COUNT(*) AS n FROM merchants GROUP BY status'),
      disputeCounts: prepare(
        'SELECT (SELECT COUNT(*) FROM disputes) AS disputes, (SELECT COUNT(*) FROM dispute_resolutions) AS resolved',
      ),
    };
  }

  // ---- customers ------------------------------------------------------------------------

  insertCustomer(accountId: string, currency: string, displayName: string, now_ms: number): void {
    this.s.insertCustomer.run(accountId, currency, displayName, now_ms);
  }

  customer(accountId: string): Customer | null {
    const row = this.s.customer.get(accountId) as Row | undefined;
    return row === undefined ? null : toCustomer(row);
  }

  customerByPublicKey(publicKey: string): Customer | null {
    const row = this.s.customerByKey.get(publicKey) as Row | undefined;
    return row === undefined ? null : toCustomer(row);
  }

  /** Binds a key to an account that has none yet; false when the account already has one. */
  bindCustomerKey(accountId: string, publicKey: string): boolean {
    return this.s.setCustomerKey.run(publicKey, accountId).changes === 1;
  }

  setCustomerStatus(accountId: string, status: CustomerStatus, reason: string | null): void {
    this.s.setCustomerStatus.run(status, reason, accountId);
  }

  /** Newest first; `text` matches the account id or the name, anywhere, ignoring case. */
  searchCustomers(filter: CustomerFilter): Customer[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.text !== undefined) {
      where.push('(instr(lower(account_id), lower(?)) > 0 OR instr(lower(display_name), lower(?)) > 0)');
      args.push(filter.text, filter.text);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      args.push(filter.status);
    }
    const sql = `SELECT * FROM customers ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, account_id LIMIT ?`;
    return (
      this.db
        .prepare(sql)
        .safeIntegers(true)
        .all(...args, filter.limit) as Row[]
    ).map(toCustomer);
  }

  /** Transactions of the account still opening or open: their holds are not ended yet. */
  unfinishedTransactionsOfAccount(accountId: string): number {
    return int((this.s.unfinishedTransactionsOfAccount.get(accountId) as Row).n);
  }

  insertEnrollmentCode(code: string, accountId: string, expiresAt_ms: number): void {
    this.s.insertCode.run(code, accountId, expiresAt_ms);
  }

  enrollmentCode(code: string): { accountId: string; expiresAt: number; usedAt: number | null } | null {
    const row = this.s.code.get(code) as Row | undefined;
    return row === undefined
      ? null
      : { accountId: row.account_id as string, expiresAt: int(row.expires_at), usedAt: intOrNull(row.used_at) };
  }

  /** Marks a code used; false if someone used it first. */
  useEnrollmentCode(code: string, now_ms: number): boolean {
    return this.s.useCode.run(now_ms, code).changes === 1;
  }

  // ---- sessions -------------------------------------------------------------------------

  insertSession(accountId: string, now_ms: number, expiresAt_ms: number): Session {
    const seq = Number(this.s.insertSession.run(accountId, now_ms, expiresAt_ms).lastInsertRowid);
    return { sessionId: makeSessionId(this.operatorId, seq), seq, accountId, expiresAt: expiresAt_ms };
  }

  session(seq: number): Session | null {
    const row = this.s.session.get(seq) as Row | undefined;
    if (row === undefined) return null;
    return {
      sessionId: makeSessionId(this.operatorId, seq),
      seq,
      accountId: row.account_id as string,
      expiresAt: int(row.expires_at),
    };
  }

  /** The next seq2 of a session: transaction ids are <sessionId>.<seq2>. */
  nextTransactionSeq(sessionSeq: number): number {
    const row = this.s.nextTransactionSeq.get(sessionSeq) as Row | undefined;
    if (row === undefined) throw new Error(`session ${sessionSeq} vanished`);
    return int(row.transactions);
  }

  // ---- merchants ------------------------------------------------------------------------

  upsertMerchant(merchant: Merchant): void {
    this.s.insertMerchant.run(
      merchant.merchantId,
      merchant.displayName,
      merchant.currency,
      JSON.stringify(merchant.origins),
      merchant.agentUrl,
      merchant.publicKey,
      merchant.createdAt,
    );
  }

  merchant(merchantId: string): Merchant | null {
    const row = this.s.merchant.get(merchantId) as Row | undefined;
    return row === undefined ? null : toMerchant(row);
  }

  merchants(limit: number): Merchant[] {
    return (this.s.merchants.all(limit) as Row[]).map(toMerchant);
  }

  setMerchantStatus(merchantId: string, status: MerchantStatus, reason: string | null): void {
    this.s.setMerchantStatus.run(status, reason, merchantId);
  }

  // ---- transactions (account manager) ---------------------------------------------------

  insertTransaction(t: NewTransaction): void {
    this.s.insertTransaction.run(...insertTransactionValues(t));
  }

  transaction(transactionId: string): Transaction | null {
    const row = this.s.transaction.get(transactionId) as Row | undefined;
    return row === undefined ? null : toTransaction(row);
  }

  transactionByInitiation(initiationId: string): Transaction | null {
    const row = this.s.transactionByInitiation.get(initiationId) as Row | undefined;
    return row === undefined ? null : toTransaction(row);
  }

  transactionByChainRoot(chainRoot: string): Transaction | null {
    const row = this.s.transactionByChainRoot.get(chainRoot) as Row | undefined;
    return row === undefined ? null : toTransaction(row);
  }

  /** Claims stalled openings no one holds a live claim on (see OpeningClaim); those claimed, oldest first. */
  claimStalledOpenings(claim: OpeningClaim): Transaction[] {
    const c = claim;
    const rows = this.s.claimStalledOpenings.all(
      c.holder,
      c.leaseUntil_ms,
      c.openedBefore_ms,
      c.now_ms,
      c.limit,
    ) as Row[];
    return rows.map(toTransaction).sort(byOpening);
  }

  transactionsOfAccount(accountId: string, limit: number): Transaction[] {
    return (this.s.transactionsOfAccount.all(accountId, limit) as Row[]).map(toTransaction);
  }

  /** False when the transaction had left 'opening' meanwhile. */
  markTransactionOpen(transactionId: string, ack: TabAck, merchantDisplayName: string): boolean {
    return (
      this.s.markTransactionOpen.run(ack.payload.tabId, merchantDisplayName, JSON.stringify(ack), transactionId)
        .changes === 1
    );
  }

  /** False when the transaction had left 'opening' meanwhile. */
  markTransactionFailed(
    transactionId: string,
    event: 'refused' | 'opening-bound-passed',
    failure: TransactionFailure,
  ): boolean {
    const statement = event === 'refused' ? this.s.markTransactionRefused : this.s.markTransactionOpeningLapsed;
    return statement.run(JSON.stringify(failure), transactionId).changes === 1;
  }

  setTransactionCustomerRecord(transactionId: string, record: CustomerRecord): void {
    this.s.setCustomerRecord.run(JSON.stringify(record), transactionId);
  }

  /** False when the transaction was not open (already cleared): the caller must not capture twice. */
  markTransactionCleared(
    transactionId: string,
    charged_minor: bigint,
    outcome: ClearingOutcome,
    now_ms: number,
    cleared_minor: bigint,
    revision: number,
    note: string | null,
  ): boolean {
    return (
      this.s.markTransactionCleared.run(charged_minor, now_ms, outcome, cleared_minor, revision, note, transactionId)
        .changes === 1
    );
  }

  /** False unless the transaction is cleared at a lower revision: a correction applies once, and never an older one. */
  correctTransactionClearing(
    transactionId: string,
    charged_minor: bigint,
    outcome: ClearingOutcome,
    cleared_minor: bigint,
    revision: number,
    note: string,
  ): boolean {
    return (
      this.s.correctTransactionClearing.run(
        charged_minor,
        outcome,
        cleared_minor,
        revision,
        note,
        transactionId,
        revision,
      ).changes === 1
    );
  }

  /** Keeps the MTA's signed decision on the transaction's dispute; false when one is kept already. */
  setTransactionDisputeDecision(transactionId: string, decision: SignedDisputeResolution): boolean {
    return this.s.setTransactionDisputeDecision.run(JSON.stringify(decision), transactionId).changes === 1;
  }

  /** Transactions whose tab expired before `expiredBefore_ms` and that were never cleared. */
  overdueTransactions(expiredBefore_ms: number, limit: number): Transaction[] {
    return (this.s.overdueTransactions.all(expiredBefore_ms, limit) as Row[]).map(toTransaction);
  }

  /** False when the transaction was cleared (or lapsed) in the meantime. */
  markTransactionLapsed(transactionId: string): boolean {
    return this.s.markTransactionLapsed.run(transactionId).changes === 1;
  }

  // ---- tabs (MTA) -----------------------------------------------------------------------

  insertTab(tab: NewTab): void {
    this.s.insertTab.run(...insertTabValues(tab));
  }

  tabByChainRoot(chainRoot: string): Tab | null {
    const row = this.s.tabByChainRoot.get(chainRoot) as Row | undefined;
    return row === undefined ? null : toTab(row);
  }

  tab(tabId: string): Tab | null {
    const row = this.s.tab.get(tabId) as Row | undefined;
    return row === undefined ? null : toTab(row);
  }

  /**
   * The tab, to be changed by the caller's transaction on what it reads. One connection runs one
   * transaction at a time, so nothing can change it in between: the same as `tab` here.
   */
  tabForUpdate(tabId: string): Tab | null {
    return this.tab(tabId);
  }

  tabByTransaction(customerOperatorId: string, transactionId: string): Tab | null {
    const row = this.s.tabByTransaction.get(customerOperatorId, transactionId) as Row | undefined;
    return row === undefined ? null : toTab(row);
  }

  tabsOfMerchant(merchantId: string, limit: number): Tab[] {
    return (this.s.tabsOfMerchant.all(merchantId, limit) as Row[]).map(toTab);
  }

  /** False when the tab had left 'opening' meanwhile. */
  markTabOpen(tabId: string): boolean {
    return this.s.markTabOpen.run(tabId).changes === 1;
  }

  /** False when the tab had left 'opening' meanwhile. */
  markTabFailed(tabId: string): boolean {
    return this.s.markTabFailed.run(tabId).changes === 1;
  }

  /** Keeps the first customer record only; the time left for the merchant's record is unchanged. */
  setTabCustomerRecord(tabId: string, record: CustomerRecord): boolean {
    return this.s.setTabCustomerRecord.run(JSON.stringify(record), tabId).changes === 1;
  }

  /** Keeps the first merchant record only, and concludes no later than `concludeBy_ms`. */
  setTabMerchantRecord(tabId: string, record: MerchantRecord, concludeBy_ms: number): boolean {
    return this.s.setTabMerchantRecord.run(JSON.stringify(record), concludeBy_ms, tabId).changes === 1;
  }

  /** Notes that the merchant agent was asked for its record; the tab waits for it until at least `waitUntil_ms`. False when already asked. */
  markMerchantAsked(tabId: string, now_ms: number, waitUntil_ms: number): boolean {
    return this.s.markMerchantAsked.run(now_ms, waitUntil_ms, tabId).changes === 1;
  }

  /** The merchant agent has no record of this open tab: it concludes no later than `concludeBy_ms`. */
  markMerchantHasNoRecord(tabId: string, concludeBy_ms: number): boolean {
    return this.s.markMerchantHasNoRecord.run(concludeBy_ms, tabId).changes === 1;
  }

  /** False when the tab was not open: clearing happens exactly once. */
  markTabCleared(tabId: string, cleared_minor: bigint, outcome: ClearingOutcome, now_ms: number): boolean {
    return this.s.markTabCleared.run(cleared_minor, outcome, now_ms, tabId).changes === 1;
  }

  /** Raises a cleared tab's amount to `cleared_minor` as its next revision; null when it is not cleared or already at that much. */
  correctTabClearing(tabId: string, cleared_minor: bigint, outcome: ClearingOutcome): number | null {
    const row = this.s.correctTabClearing.get(cleared_minor, outcome, tabId, cleared_minor) as
      | { clearing_revision: bigint }
      | undefined;
    return row === undefined ? null : Number(row.clearing_revision);
  }

  /** Keeps a record that came after the clearing, once per record id; false when it was kept before. */
  insertLateRecord(late: LateRecord): boolean {
    return (
      this.s.insertLateRecord.run(
        late.recordId,
        late.tabId,
        late.party,
        JSON.stringify(late.record),
        late.receivedAt,
        late.effect,
      ).changes === 1
    );
  }

  lateRecordsOfTab(tabId: string): LateRecord[] {
    return (this.s.lateRecordsOfTab.all(tabId) as Row[]).map(toLateRecord);
  }

  /** Marks every tab still 'opening' failed; those it marked. */
  /** Fails the tabs still opening that were opened before `openedBefore_ms`; those it failed. */
  failOpeningTabs(openedBefore_ms: number): Array<Pick<Tab, 'tabId' | 'merchantId' | 'currency'>> {
    return (this.s.failOpeningTabs.all(openedBefore_ms) as Row[]).map(toFailedOpening);
  }

  /** Gives every open tab until at least `notBefore_ms` before it may be concluded. */
  postponeDueTabs(notBefore_ms: number): number {
    return this.s.postponeDueTabs.run(notBefore_ms).changes;
  }

  dueTabs(now_ms: number, limit: number): Tab[] {
    return (this.s.dueTabs.all(now_ms, limit) as Row[]).map(toTab);
  }

  insertDispute(dispute: Dispute): void {
    this.s.insertDispute.run(
      dispute.disputeId,
      dispute.tabId,
      dispute.createdAt,
      dispute.cleared_minor,
      dispute.reason,
      dispute.customerRecord === null ? null : JSON.stringify(dispute.customerRecord),
      dispute.merchantRecord === null ? null : JSON.stringify(dispute.merchantRecord),
    );
  }

  disputes(limit: number): Dispute[] {
    return (this.s.disputes.all(limit) as Row[]).map(toDispute);
  }

  disputesOfTab(tabId: string): Dispute[] {
    return (this.s.disputesOfTab.all(tabId) as Row[]).map(toDispute);
  }

  dispute(disputeId: string): Dispute | null {
    const row = this.s.dispute.get(disputeId) as Row | undefined;
    return row === undefined ? null : toDispute(row);
  }

  insertResolution(resolution: DisputeResolution): void {
    const r = resolution;
    this.s.insertResolution.run(
      r.tabId,
      r.disputeId,
      r.decision,
      r.clearedBefore_minor,
      r.clearedAfter_minor,
      r.revision,
      r.reason,
      r.envelope,
      r.decidedAt,
    );
  }

  resolutionOfTab(tabId: string): DisputeResolution | null {
    const row = this.s.resolutionOfTab.get(tabId) as Row | undefined;
    return row === undefined ? null : toResolution(row);
  }

  /** Sets a cleared tab's amount, up or down, as its next revision; null when the tab is not cleared. */
  resolveTabClearing(tabId: string, cleared_minor: bigint): number | null {
    const row = this.s.resolveTabClearing.get(cleared_minor, tabId) as { clearing_revision: bigint } | undefined;
    return row === undefined ? null : Number(row.clearing_revision);
  }

  /** Keeps the refund once under its id; whether this call kept it. */
  insertRefund(refund: StoredRefund): boolean {
    const r = refund;
    return (
      this.s.insertRefund.run(r.refundId, r.tabId, r.amount_minor, r.reason, r.receivedAt, r.revision).changes === 1
    );
  }

  refund(refundId: string): StoredRefund | null {
    const row = this.s.refund.get(refundId) as Row | undefined;
    return row === undefined ? null : toRefund(row);
  }

  /** The merchant's refunds of the tab, in the order they were taken. */
  refundsOfTab(tabId: string): StoredRefund[] {
    return (this.s.refundsOfTab.all(tabId) as Row[]).map(toRefund);
  }

  /** Everything refunded on the tab so far, before and after its clearing. */
  refundedOfTab(tabId: string): bigint {
    return BigInt((this.s.refundedOfTab.get(tabId) as { total: bigint | number }).total);
  }

  /** Lowers a cleared tab's amount by `amount_minor` as its next revision; null when it is not cleared or clears less. */
  refundTabClearing(tabId: string, amount_minor: bigint): number | null {
    const row = this.s.refundTabClearing.get(amount_minor, tabId, amount_minor) as
      | { clearing_revision: bigint }
      | undefined;
    return row === undefined ? null : Number(row.clearing_revision);
  }

  /** Newest first. */
  searchTabs(filter: TabFilter): Tab[] {
    const { sql, args } = filtered('tabs', [
      ['merchant_id = ?', filter.merchantId],
      ['state = ?', filter.state],
      ['opened_at >= ?', filter.from_ms],
      ['opened_at < ?', filter.until_ms],
    ]);
    return (
      this.db
        .prepare(sql)
        .safeIntegers(true)
        .all(...args, filter.limit) as Row[]
    ).map(toTab);
  }

  /** Newest first. */
  searchTransactions(filter: TransactionFilter): Transaction[] {
    const { sql, args } = filtered('transactions', [
      ['account_id = ?', filter.accountId],
      ['merchant_id = ?', filter.merchantId],
      ['state = ?', filter.state],
      ['opened_at >= ?', filter.from_ms],
      ['opened_at < ?', filter.until_ms],
    ]);
    return (
      this.db
        .prepare(sql)
        .safeIntegers(true)
        .all(...args, filter.limit) as Row[]
    ).map(toTransaction);
  }

  /** The figures /metrics and the console's charts show, counted now. */
  figures(): StoreFigures {
    const counts = (rows: Row[]) => Object.fromEntries(rows.map((row) => [row.state as string, int(row.n)]));
    const disputes = this.s.disputeCounts.get() as Row;
    return {
      tabsByState: counts(this.s.tabCountsByState.all() as Row[]),
      transactionsByState: counts(this.s.transactionCountsByState.all() as Row[]),
      clearedByCurrency: (this.s.clearedByCurrency.all() as Row[]).map((row) => ({
        currency: row.currency as string,
        tabs: int(row.n),
        total_minor: big(row.total),
      })),
      disputes: int(disputes.disputes),
      disputesResolved: int(disputes.resolved),
      outbox: (({ pending, failing, delivered }) => ({
        pending: int(pending),
        failing: int(failing),
        delivered: int(delivered),
      }))(this.s.outboxCounts.get() as Row),
      customersByStatus: counts(this.s.customerCounts.all() as Row[]),
      merchantsByStatus: counts(this.s.merchantCounts.all() as Row[]),
    };
  }

  /** Outbox messages whose record id names `id` (a tab's clearing, notice, deposit record…), oldest first. */
  outboxRowsMentioning(id: string): OutboxMessageRow[] {
    return (this.s.outboxRowsMentioning.all(id) as Row[]).map((row) => ({
      recordId: row.record_id as string,
      destination: row.destination as string,
      createdAt: int(row.created_at),
      attempts: int(row.attempts),
      deliveredAt: intOrNull(row.delivered_at),
      lastError: (row.last_error as string | null) ?? null,
    }));
  }
}

/** A new transaction's values in the order of both stores' INSERT (SQLite's and PostgreSQL's). */
export function insertTransactionValues(t: NewTransaction): unknown[] {
  return [
    t.transactionId,
    t.sessionId,
    t.accountId,
    t.merchantId,
    t.merchantOperatorId,
    t.hold_minor,
    t.customerCurrency,
    t.deposit_minor,
    t.merchantCurrency,
    JSON.stringify(t.rate),
    t.tabPublicKey,
    JSON.stringify(t.chain),
    t.pseudonym,
    t.openedAt,
    t.expiresAt,
    t.initiationId,
    t.chainRoot,
    JSON.stringify(t.amendedInitiation),
  ];
}

/** A new tab's values in the order of both stores' INSERT (SQLite's and PostgreSQL's). */
export function insertTabValues(tab: NewTab): unknown[] {
  return [
    tab.tabId,
    tab.merchantId,
    tab.customerOperatorId,
    tab.transactionId,
    tab.pseudonym,
    tab.tabPublicKey,
    tab.deposit_minor,
    tab.currency,
    JSON.stringify(tab.chain),
    tab.openedAt,
    tab.expiresAt,
    tab.concludeAfter,
    tab.chain.root,
  ];
}

export interface StoreFigures {
  readonly tabsByState: Readonly<Record<string, number>>;
  readonly transactionsByState: Readonly<Record<string, number>>;
  readonly clearedByCurrency: ReadonlyArray<{ currency: string; tabs: number; total_minor: bigint }>;
  readonly disputes: number;
  readonly disputesResolved: number;
  readonly outbox: { readonly pending: number; readonly failing: number; readonly delivered: number };
  readonly customersByStatus: Readonly<Record<string, number>>;
  readonly merchantsByStatus: Readonly<Record<string, number>>;
}

export interface OutboxMessageRow {
  readonly recordId: string;
  readonly destination: string;
  readonly createdAt: number;
  readonly attempts: number;
  readonly deliveredAt: number | null;
  readonly lastError: string | null;
}

/** `SELECT * FROM <table>` with the conditions whose value is given, newest first, `LIMIT ?` last. */
function filtered(
  table: 'tabs' | 'transactions',
  conditions: ReadonlyArray<readonly [string, string | number | undefined]>,
): { sql: string; args: unknown[] } {
  const used = conditions.filter(([, value]) => value !== undefined);
  const where = used.length > 0 ? `WHERE ${used.map(([condition]) => condition).join(' AND ')}` : '';
  return {
    sql: `SELECT * FROM ${table} ${where} ORDER BY opened_at DESC LIMIT ?`,
    args: used.map(([, value]) => value),
  };
}
