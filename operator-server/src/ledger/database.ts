import assert from 'node:assert/strict';
import Database from 'better-sqlite3';

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) a SQLite file tuned for the operator: WAL so readers never block
 * the writer, synchronous=NORMAL so a commit does not wait for the disk (in WAL mode that never
 * corrupts; the operator makes commits durable itself, with one shared fsync of the WAL before it
 * answers or sends anything: see protocol/server/wal-flusher.ts), and foreign keys on because
 * SQLite defaults them off.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  assert(Number.isSafeInteger(busyTimeoutMs) && busyTimeoutMs >= 0, 'busyTimeoutMs must be a non-negative integer');

  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    const journalMode = db.pragma('journal_mode = WAL', { simple: true });
    assert(journalMode === 'wal', `could not switch ${path} to WAL, journal_mode is ${String(journalMode)}`);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
