// The customers group of the operator's store interface on PostgreSQL: customers, their
// enrolment codes and log-on sessions. Each conditional update (a code used once, a key bound
// once, the next transaction number of a session) is one statement, so of two processes racing
// for it exactly one wins, as on SQLite.

import { makeSessionId } from '@opentab/protocol';
import type { CustomerAccess } from './operator-storage';
import { toCustomer } from './operator-store';
import type { StoreConnection } from './postgres-merchants';

const int = (value: unknown): number => Number(value);

export function postgresCustomerAccess(connection: StoreConnection, operatorId: string): CustomerAccess {
  const one = async (text: string, values: unknown[]) => (await connection.query(text, values)).rows[0];
  const changed = async (text: string, values: unknown[]) => (await connection.query(text, values)).rowCount === 1;
  return {
    async insertCustomer(accountId, currency, displayName, now_ms) {
      await connection.query(
        'INSERT INTO customers (account_id, currency, display_name, public_key, created_at) VALUES ($1, $2, $3, NULL, $4)',
        [accountId, currency, displayName, now_ms],
      );
    },
    async customer(accountId) {
      const row = await one('SELECT * FROM customers WHERE account_id = $1', [accountId]);
      return row === undefined ? null : toCustomer(row);
    },
    async customerByPublicKey(publicKey) {
      const row = await one('SELECT * FROM customers WHERE public_key = $1', [publicKey]);
      return row === undefined ? null : toCustomer(row);
    },
    bindCustomerKey: (accountId, publicKey) =>
      changed('UPDATE customers SET public_key = $1 WHERE account_id = $2 AND public_key IS NULL', [
        publicKey,
        accountId,
      ]),
    async setCustomerStatus(accountId, status, reason) {
      await connection.query('UPDATE customers SET status = $1, status_reason = $2 WHERE account_id = $3', [
        status,
        reason,
        accountId,
      ]);
    },
    async searchCustomers(filter) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.text !== undefined) {
        values.push(filter.text);
        where.push(
          `(strpos(lower(account_id), lower($${values.length})) > 0 OR strpos(lower(display_name), lower($${values.length})) > 0)`,
        );
      }
      if (filter.status !== undefined) {
        values.push(filter.status);
        where.push(`status = $${values.length}`);
      }
      values.push(filter.limit);
      const { rows } = await connection.query(
        `SELECT * FROM customers ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, account_id COLLATE "C" LIMIT $${values.length}`,
        values,
      );
      return rows.map(toCustomer);
    },
    async unfinishedTransactionsOfAccount(accountId) {
      const row = await one(
        "SELECT COUNT(*) AS n FROM transactions WHERE account_id = $1 AND state IN ('opening', 'open')",
        [accountId],
      );
      return int(row!.n);
    },
    async insertEnrollmentCode(code, accountId, expiresAt_ms) {
      await connection.query('INSERT INTO enrollment_codes (code, account_id, expires_at) VALUES ($1, $2, $3)', [
        code,
        accountId,
        expiresAt_ms,
      ]);
    },
    async enrollmentCode(code) {
      const row = await one('SELECT * FROM enrollment_codes WHERE code = $1', [code]);
      if (row === undefined) return null;
      return {
        accountId: row.account_id as string,
        expiresAt: int(row.expires_at),
        usedAt: row.used_at === null ? null : int(row.used_at),
      };
    },
    useEnrollmentCode: (code, now_ms) =>
      changed('UPDATE enrollment_codes SET used_at = $1 WHERE code = $2 AND used_at IS NULL', [now_ms, code]),
    async insertSession(accountId, now_ms, expiresAt_ms) {
      const row = await one(
        'INSERT INTO sessions (account_id, created_at, expires_at) VALUES ($1, $2, $3) RETURNING seq',
        [accountId, now_ms, expiresAt_ms],
      );
      const seq = int(row!.seq);
      return { sessionId: makeSessionId(operatorId, seq), seq, accountId, expiresAt: expiresAt_ms };
    },
    async session(seq) {
      const row = await one('SELECT * FROM sessions WHERE seq = $1', [seq]);
      if (row === undefined) return null;
      return {
        sessionId: makeSessionId(operatorId, seq),
        seq,
        accountId: row.account_id as string,
        expiresAt: int(row.expires_at),
      };
    },
    async nextTransactionSeq(sessionSeq) {
      const row = await one(
        'UPDATE sessions SET transactions = transactions + 1 WHERE seq = $1 RETURNING transactions',
        [sessionSeq],
      );
      if (row === undefined) throw new Error(`session ${sessionSeq} vanished`);
      return int(row.transactions);
    },
  };
}
