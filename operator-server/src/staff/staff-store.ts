// The operator's staff in its file: accounts (name, role, password hash, whether an owner disabled
// the login, the failed log-ins counted towards a lock), console sessions (only the SHA-256 of
// each session token is kept) and the log of what each person changed. On PostgreSQL the same
// methods are postgres-staff.ts; handlers reach either through `storage.staff`.

import type Database from 'better-sqlite3';

/** An owner manages the other logins (creates, disables, unlocks them); staff work the business. */
export type StaffRole = 'owner' | 'staff';

export interface StaffAccount {
  readonly name: string;
  readonly role: StaffRole;
  readonly passwordHash: string;
  readonly createdAt: number;
  /** When an owner disabled the login; null while it may log in. */
  readonly disabledAt: number | null;
  /** Failed log-ins since the last success, unlock or lock. */
  readonly failedLogins: number;
  /** Until when log-ins are refused after too many failures; null (or past) when not locked. */
  readonly lockedUntil: number | null;
}

export interface StaffSession {
  readonly name: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly endedAt: number | null;
}

export interface StaffAction {
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly detail: string;
}

/** What a failed log-in left: the count so far, and the lock it started if it reached the limit. */
export interface FailedLogin {
  readonly failedLogins: number;
  readonly lockedUntil: number | null;
}

type Row = Record<string, unknown>;
const intOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export function toStaffAccount(row: Row): StaffAccount {
  return {
    name: row.name as string,
    role: row.role as StaffRole,
    passwordHash: row.password_hash as string,
    createdAt: Number(row.created_at),
    disabledAt: intOrNull(row.disabled_at),
    failedLogins: Number(row.failed_logins),
    lockedUntil: intOrNull(row.locked_until),
  };
}

export function toStaffSession(row: Row): StaffSession {
  return {
    name: row.name as string,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    endedAt: intOrNull(row.ended_at),
  };
}

export function toStaffAction(row: Row): StaffAction {
  return {
    at: Number(row.at),
    actor: row.actor as string,
    action: row.action as string,
    subject: row.subject as string,
    detail: row.detail as string,
  };
}

/**
 * The one statement that counts a failed log-in: the count and the lock change together, so two
 * processes failing at once count two, and the failure that reaches the limit starts the lock and
 * starts the count again. Parameters: limit, limit, lockedUntil, name.
 */
export const COUNT_FAILED_LOGIN_SQL = `UPDATE staff SET
    failed_logins = CASE WHEN failed_logins + 1 >= ? THEN 0 ELSE failed_logins + 1 END,
    locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END
  WHERE name = ?`;

export class StaffStore {
  constructor(private readonly db: Database.Database) {}

  createAccount(name: string, role: StaffRole, passwordHash: string, now_ms: number): boolean {
    return (
      this.db
        .prepare(
          'INSERT INTO staff (name, role, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
        )
        .run(name, role, passwordHash, now_ms).changes === 1
    );
  }

  /** The account of that name, disabled or not. */
  account(name: string): StaffAccount | null {
    const row = this.db.prepare<[string], Row>('SELECT * FROM staff WHERE name = ?').get(name);
    return row === undefined ? null : toStaffAccount(row);
  }

  /** Every account, disabled ones too, by name. */
  accounts(): StaffAccount[] {
    return this.db.prepare<[], Row>('SELECT * FROM staff ORDER BY name').all().map(toStaffAccount);
  }

  setPasswordHash(name: string, passwordHash: string): void {
    this.db.prepare('UPDATE staff SET password_hash = ? WHERE name = ?').run(passwordHash, name);
  }

  /** Disables the login (at `disabledAt_ms`) or enables it again (null); false for an unknown name. */
  setDisabled(name: string, disabledAt_ms: number | null): boolean {
    return this.db.prepare('UPDATE staff SET disabled_at = ? WHERE name = ?').run(disabledAt_ms, name).changes === 1;
  }

  countFailedLogin(name: string, limit: number, lockedUntil_ms: number): FailedLogin | null {
    this.db.prepare(COUNT_FAILED_LOGIN_SQL).run(limit, limit, lockedUntil_ms, name);
    const account = this.account(name);
    return account === null ? null : { failedLogins: account.failedLogins, lockedUntil: account.lockedUntil };
  }

  /** Forgets the failed log-ins and ends a lock: after a successful log-in, or an owner's unlock. */
  clearFailedLogins(name: string): void {
    this.db.prepare('UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE name = ?').run(name);
  }

  startSession(tokenHash: string, name: string, now_ms: number, expiresAt_ms: number): void {
    this.db
      .prepare('INSERT INTO staff_sessions (token_hash, name, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(tokenHash, name, now_ms, expiresAt_ms);
  }

  session(tokenHash: string): StaffSession | null {
    const row = this.db.prepare<[string], Row>('SELECT * FROM staff_sessions WHERE token_hash = ?').get(tokenHash);
    return row === undefined ? null : toStaffSession(row);
  }

  endSession(tokenHash: string, now_ms: number): void {
    this.db
      .prepare('UPDATE staff_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL')
      .run(now_ms, tokenHash);
  }

  /** Ends every session of `name` still going, but the one of `keepTokenHash`; answers how many ended. */
  endSessionsOf(name: string, now_ms: number, keepTokenHash: string | null): number {
    return this.db
      .prepare(
        'UPDATE staff_sessions SET ended_at = ? WHERE name = ? AND ended_at IS NULL AND token_hash IS NOT ? AND expires_at > ?',
      )
      .run(now_ms, name, keepTokenHash, now_ms).changes;
  }

  recordAction(action: StaffAction): void {
    this.db
      .prepare('INSERT INTO staff_actions (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)')
      .run(action.at, action.actor, action.action, action.subject, action.detail);
  }

  /** What was done to these subjects (ids of accounts, merchants, tabs, disputes…), oldest first. */
  actionsOn(subjects: readonly string[]): StaffAction[] {
    if (subjects.length === 0) return [];
    return this.db
      .prepare<string[], Row>(
        `SELECT at, actor, action, subject, detail FROM staff_actions WHERE subject IN (${subjects.map(() => '?').join(', ')}) ORDER BY seq`,
      )
      .all(...subjects)
      .map(toStaffAction);
  }

  recentActions(limit: number): StaffAction[] {
    return this.db
      .prepare<[number], Row>('SELECT at, actor, action, subject, detail FROM staff_actions ORDER BY seq DESC LIMIT ?')
      .all(limit)
      .map(toStaffAction);
  }
}
