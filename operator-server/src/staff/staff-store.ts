// The operator's staff in its file: accounts (name and password hash), console sessions (only the
// SHA-256 of each session token is kept) and the log of what each person changed.

import type Database from 'better-sqlite3';

export interface StaffAccount {
  readonly name: string;
  readonly passwordHash: string;
  readonly createdAt: number;
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

export class StaffStore {
  constructor(private readonly db: Database.Database) {}

  createAccount(name: string, passwordHash: string, now_ms: number): boolean {
    return (
      this.db
        .prepare('INSERT INTO staff (name, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING')
        .run(name, passwordHash, now_ms).changes === 1
    );
  }

  account(name: string): StaffAccount | null {
    const row = this.db
      .prepare<[string], { name: string; password_hash: string; created_at: number }>(
        'SELECT name, password_hash, created_at FROM staff WHERE name = ? AND disabled_at IS NULL',
      )
      .get(name);
    return row === undefined ? null : { name: row.name, passwordHash: row.password_hash, createdAt: row.created_at };
  }

  accounts(): { name: string; createdAt: number }[] {
    return this.db
      .prepare<[], { name: string; created_at: number }>(
        'SELECT name, created_at FROM staff WHERE disabled_at IS NULL ORDER BY name',
      )
      .all()
      .map((row) => ({ name: row.name, createdAt: row.created_at }));
  }

  startSession(tokenHash: string, name: string, now_ms: number, expiresAt_ms: number): void {
    this.db
      .prepare('INSERT INTO staff_sessions (token_hash, name, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(tokenHash, name, now_ms, expiresAt_ms);
  }

  session(tokenHash: string): StaffSession | null {
    const row = this.db
      .prepare<[string], { name: string; created_at: number; expires_at: number; ended_at: number | null }>(
        'SELECT name, created_at, expires_at, ended_at FROM staff_sessions WHERE token_hash = ?',
      )
      .get(tokenHash);
    return row === undefined
      ? null
      : { name: row.name, createdAt: row.created_at, expiresAt: row.expires_at, endedAt: row.ended_at };
  }

  endSession(tokenHash: string, now_ms: number): void {
    this.db
      .prepare('UPDATE staff_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL')
      .run(now_ms, tokenHash);
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
      .prepare<string[], StaffAction>(
        `SELECT at, actor, action, subject, detail FROM staff_actions WHERE subject IN (${subjects.map(() => '?').join(', ')}) ORDER BY seq`,
      )
      .all(...subjects);
  }

  recentActions(limit: number): StaffAction[] {
    return this.db
      .prepare<[number], StaffAction>(
        'SELECT at, actor, action, subject, detail FROM staff_actions ORDER BY seq DESC LIMIT ?',
      )
      .all(limit);
  }
}
