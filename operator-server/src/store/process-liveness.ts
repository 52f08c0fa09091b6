// The processes serving this operator, each with the last time it said it was alive: on
// PostgreSQL several processes share one database, and one that starts asks whether another was
// up meanwhile (support/process-liveness.ts). Statements on the SQLite file; postgres-process-liveness.ts
// is the same on PostgreSQL.

import type Database from 'better-sqlite3';

export class ProcessLivenessTable {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      alive: db.prepare(
        `INSERT INTO operator_processes (process_id, started_at_ms, alive_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (process_id) DO UPDATE SET alive_at_ms = MAX(alive_at_ms, excluded.alive_at_ms)`,
      ),
      lastOfOthers: db.prepare('SELECT MAX(alive_at_ms) AS alive_at_ms FROM operator_processes WHERE process_id <> ?'),
      forget: db.prepare('DELETE FROM operator_processes WHERE process_id = ?'),
      forgetSilent: db.prepare('DELETE FROM operator_processes WHERE alive_at_ms < ?'),
    };
  }

  /** Records that `processId` is alive at `now_ms` (its first call is its start); never moves back in time. */
  markProcessAlive(processId: string, now_ms: number): void {
    this.s.alive.run(processId, now_ms, now_ms);
  }

  /** When any process other than `processId` was last alive; null when none ever said so (or all were forgotten). */
  lastAliveOfOthers(processId: string): number | null {
    const row = this.s.lastOfOthers.get(processId) as { alive_at_ms: number | bigint | null };
    return row.alive_at_ms === null ? null : Number(row.alive_at_ms);
  }

  /** A process that stops cleanly: it no longer counts as alive. */
  forgetProcess(processId: string): void {
    this.s.forget.run(processId);
  }

  /** Drops the rows of processes silent since before `before_ms`; how many. */
  forgetProcessesSilentSince(before_ms: number): number {
    return this.s.forgetSilent.run(before_ms).changes;
  }
}
