// The transactions group of the operator's store interface on PostgreSQL: the AM's side of a
// tab. Every state change is one conditional UPDATE whose WHERE names the states the transition
// table lets the event leave from (transactionAccepts, as on SQLite): of two processes racing for
// one change, the second waits for the first's row lock, then re-checks the WHERE on the row the
// first committed and changes nothing, so exactly one is told `true`.

import type { TransactionAccess } from './operator-storage';
import { byOpening, insertTransactionValues, toTransaction, transactionAccepts } from './operator-store';
import type { StoreConnection } from './postgres-merchants';
import { searchSql } from './postgres-search';

export function postgresTransactionAccess(connection: StoreConnection): TransactionAccess {
  const one = async (text: string, values: unknown[]) => {
    const row = (await connection.query(text, values)).rows[0];
    return row === undefined ? null : toTransaction(row);
  };
  const all = async (text: string, values: unknown[]) => (await connection.query(text, values)).rows.map(toTransaction);
  const changed = async (text: string, values: unknown[]) => (await connection.query(text, values)).rowCount === 1;
  return {
    async insertTransaction(t) {
      await connection.query(
        `INSERT INTO transactions (transaction_id, session_id, account_id, merchant_id, merchant_operator_id, state, hold_minor,
           customer_currency, deposit_minor, merchant_currency, rate, tab_public_key, chain, pseudonym, opened_at, expires_at,
           initiation_id, chain_root, amended_initiation)
         VALUES ($1, $2, $3, $4, $5, 'opening', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
        insertTransactionValues(t),
      );
    },
    transaction: (transactionId) => one('SELECT * FROM transactions WHERE transaction_id = $1', [transactionId]),
    transactionByInitiation: (initiationId) =>
      one('SELECT * FROM transactions WHERE initiation_id = $1', [initiationId]),
    transactionByChainRoot: (chainRoot) => one('SELECT * FROM transactions WHERE chain_root = $1', [chainRoot]),
    // The candidates in a CTE, evaluated once: as a subquery of the UPDATE they may be scanned again
    // per row, and the LIMIT then no longer holds. SKIP LOCKED leaves a racer's candidates to it
    // rather than waiting; the outer WHERE checks the lease again on the row as it stands once locked.
    claimStalledOpenings: async (c) =>
      (
        await all(
          `WITH candidates AS MATERIALIZED (
             SELECT transaction_id FROM transactions
             WHERE state = 'opening' AND opened_at <= $3 AND (sweep_lease_until_ms IS NULL OR sweep_lease_until_ms <= $4)
             ORDER BY opened_at LIMIT $5
             FOR UPDATE SKIP LOCKED)
           UPDATE transactions SET sweep_holder = $1, sweep_lease_until_ms = $2
           FROM candidates
           WHERE transactions.transaction_id = candidates.transaction_id
             AND state = 'opening' AND (sweep_lease_until_ms IS NULL OR sweep_lease_until_ms <= $4)
           RETURNING transactions.*`,
          [c.holder, c.leaseUntil_ms, c.openedBefore_ms, c.now_ms, c.limit],
        )
      ).sort(byOpening),
    transactionsOfAccount: (accountId, limit) =>
      all('SELECT * FROM transactions WHERE account_id = $1 ORDER BY opened_at DESC LIMIT $2', [accountId, limit]),
    markTransactionOpen: (transactionId, ack, merchantDisplayName) =>
      changed(
        `UPDATE transactions SET state = 'open', tab_id = $1, merchant_display_name = $2, tab_ack = $3
         WHERE transaction_id = $4 AND ${transactionAccepts('tab-acknowledged')}`,
        [ack.payload.tabId, merchantDisplayName, JSON.stringify(ack), transactionId],
      ),
    markTransactionFailed: (transactionId, event, failure) =>
      changed(
        `UPDATE transactions SET state = 'failed', failure = $1 WHERE transaction_id = $2 AND ${transactionAccepts(event)}`,
        [JSON.stringify(failure), transactionId],
      ),
    async setTransactionCustomerRecord(transactionId, record) {
      await connection.query('UPDATE transactions SET customer_record = $1 WHERE transaction_id = $2', [
        JSON.stringify(record),
        transactionId,
      ]);
    },
    markTransactionCleared: (transactionId, charged_minor, outcome, now_ms, cleared_minor, revision, note) =>
      changed(
        `UPDATE transactions SET state = 'cleared', charged_minor = $1, cleared_at = $2, clearing_outcome = $3,
           cleared_minor = $4, clearing_revision = $5, clearing_note = $6
         WHERE transaction_id = $7 AND ${transactionAccepts('cleared')}`,
        [charged_minor, now_ms, outcome, cleared_minor, revision, note, transactionId],
      ),
    correctTransactionClearing: (transactionId, charged_minor, outcome, cleared_minor, revision, note) =>
      changed(
        `UPDATE transactions SET charged_minor = $1, clearing_outcome = $2, cleared_minor = $3, clearing_revision = $4,
           clearing_note = $5
         WHERE transaction_id = $6 AND ${transactionAccepts('clearing-corrected')} AND clearing_revision < $4`,
        [charged_minor, outcome, cleared_minor, revision, note, transactionId],
      ),
    overdueTransactions: (expiredBefore_ms, limit) =>
      all(
        "SELECT * FROM transactions WHERE state IN ('opening', 'open') AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
        [expiredBefore_ms, limit],
      ),
    markTransactionLapsed: (transactionId) =>
      changed(
        `UPDATE transactions SET state = 'lapsed' WHERE transaction_id = $1 AND ${transactionAccepts('hold-deadline-passed')}`,
        [transactionId],
      ),
    searchTransactions(filter) {
      const { text, values } = searchSql(
        'transactions',
        [
          ['account_id', '=', filter.accountId],
          ['merchant_id', '=', filter.merchantId],
          ['state', '=', filter.state],
          ['opened_at', '>=', filter.from_ms],
          ['opened_at', '<', filter.until_ms],
        ],
        filter.limit,
      );
      return all(text, values);
    },
  };
}
