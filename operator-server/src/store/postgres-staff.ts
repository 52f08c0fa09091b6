// The staff group of the operator's store interface on PostgreSQL, on one connection (a
// transaction's client, or the pool for a statement of its own): logins, console sessions and the
// log of who changed what. A failed log-in is counted by one UPDATE, so processes failing at once
// count every failure, as on SQLite.

import { COUNT_FAILED_LOGIN_SQL, toStaffAccount, toStaffAction, toStaffSession } from '../staff/staff-store';
import type { StaffAccess } from './operator-storage';
import type { StoreConnection } from './postgres-merchants';

/** SQLite's `?` placeholders as PostgreSQL's `$1, $2…`, for a statement both stores share. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const ACTION_COLUMNS = 'at, actor, action, subject, detail';

export function postgresStaffAccess(connection: StoreConnection): StaffAccess {
  const rows = async (text: string, values: unknown[] = []) => (await connection.query(text, values)).rows;
  const changes = async (text: string, values: unknown[]) => (await connection.query(text, values)).rowCount ?? 0;
  const staff: StaffAccess = {
    createAccount: async (name, role, passwordHash, now_ms) =>
      (await changes(
        'INSERT INTO staff (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING',
        [name, role, passwordHash, now_ms],
      )) === 1,
    async account(name) {
      const [row] = await rows('SELECT * FROM staff WHERE name = $1', [name]);
      return row === undefined ? null : toStaffAccount(row);
    },
    accounts: async () => (await rows('SELECT * FROM staff ORDER BY name COLLATE "C"')).map(toStaffAccount),
    async setPasswordHash(name, passwordHash) {
      await connection.query('UPDATE staff SET password_hash = $1 WHERE name = $2', [passwordHash, name]);
    },
    setDisabled: async (name, disabledAt_ms) =>
      (await changes('UPDATE staff SET disabled_at = $1 WHERE name = $2', [disabledAt_ms, name])) === 1,
    async countFailedLogin(name, limit, lockedUntil_ms) {
      const [row] = await rows(`${numbered(COUNT_FAILED_LOGIN_SQL)} RETURNING failed_logins, locked_until`, [
        limit,
        limit,
        lockedUntil_ms,
        name,
      ]);
      return row === undefined
        ? null
        : {
            failedLogins: Number(row.failed_logins),
            lockedUntil: row.locked_until === null ? null : Number(row.locked_until),
          };
    },
    async clearFailedLogins(name) {
      await connection.query('UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE name = $1', [name]);
    },
    async startSession(tokenHash, name, now_ms, expiresAt_ms) {
      await connection.query(
        'INSERT INTO staff_sessions (token_hash, name, created_at, expires_at) VALUES ($1, $2, $3, $4)',
        [tokenHash, name, now_ms, expiresAt_ms],
      );
    },
    async session(tokenHash) {
      const [row] = await rows('SELECT * FROM staff_sessions WHERE token_hash = $1', [tokenHash]);
      return row === undefined ? null : toStaffSession(row);
    },
    async endSession(tokenHash, now_ms) {
      await connection.query('UPDATE staff_sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL', [
        now_ms,
        tokenHash,
      ]);
    },
    endSessionsOf: (name, now_ms, keepTokenHash) =>
      changes(
        `UPDATE staff_sessions SET ended_at = $1
         WHERE name = $2 AND ended_at IS NULL AND token_hash IS DISTINCT FROM $3 AND expires_at > $1`,
        [now_ms, name, keepTokenHash],
      ),
    async recordAction(action) {
      await connection.query(`INSERT INTO staff_actions (${ACTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`, [
        action.at,
        action.actor,
        action.action,
        action.subject,
        action.detail,
      ]);
    },
    async actionsOn(subjects) {
      if (subjects.length === 0) return [];
      return (
        await rows(`SELECT ${ACTION_COLUMNS} FROM staff_actions WHERE subject = ANY($1) ORDER BY seq`, [[...subjects]])
      ).map(toStaffAction);
    },
    recentActions: async (limit) =>
      (await rows(`SELECT ${ACTION_COLUMNS} FROM staff_actions ORDER BY seq DESC LIMIT $1`, [limit])).map(
        toStaffAction,
      ),
  };
  return staff;
}
