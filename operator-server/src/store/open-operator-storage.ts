// Opens the store the configuration names, brought to the latest schema: the SQLite file
// `operator.sqlite` in the data directory (its classes migrate it as they open it), or a pool on
// the PostgreSQL database (the numbered migrations, run once however many processes start). With
// it come what differs between the two: when a commit is durable, how a background sweep takes
// its turn, and how the store closes.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Clock } from '@opentab/protocol';
import { type FileSync, sqliteWriteCount, sweepOnce, syncedFile, WalFlusher } from '@opentab/server-kit';
import type { OperatorStoreSettings } from '../config/config';
import { Ledger, openDatabase } from '../ledger';
import { Outbox } from '../outbox/outbox';
import type { Logger } from '../support/logger';
import type { OperatorStorage } from './operator-storage';
import { OperatorStore } from './operator-store';
import { PostgresOperatorStorage } from './postgres-operator-storage';
import { type SqliteOperatorParts, SqliteOperatorStorage } from './sqlite-operator-storage';

export interface OpenedOperatorStorage {
  readonly storage: OperatorStorage;
  /**
   * Resolves once everything committed so far is durable; nothing leaves the operator before it.
   * SQLite: one fsync of the WAL, shared by everyone waiting at that moment (group commit).
   * PostgreSQL: a COMMIT is durable when it returns, so at once.
   */
  readonly durable: () => Promise<void>;
  /** The SQLite file's connection and its synchronous classes; null on PostgreSQL. */
  readonly sqlite: SqliteOperatorParts | null;
  /**
   * Runs the background sweep `name` unless another process is running it now (PostgreSQL: a
   * transaction-scoped advisory lock, held on one pool connection while the sweep runs; the
   * sweep's own transactions use others). SQLite has one process: it always runs. Whether it ran.
   */
  sweep(name: string, work: () => Promise<unknown>): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenOperatorStorageOptions {
  readonly settings: OperatorStoreSettings;
  /** Where the SQLite file is kept. */
  readonly dataDir: string;
  readonly operatorId: string;
  /** The ledger's clock. */
  readonly clock: Clock;
  readonly log: Logger;
  /** Syncs the SQLite WAL file to disk; tests hold or fail it. */
  readonly syncWal?: FileSync;
}

export function openOperatorStorage(options: OpenOperatorStorageOptions): Promise<OpenedOperatorStorage> {
  const { settings } = options;
  return settings.kind === 'sqlite' ? Promise.resolve(openSqlite(options)) : openPostgres(options, settings);
}

function openSqlite(options: OpenOperatorStorageOptions): OpenedOperatorStorage {
  mkdirSync(options.dataDir, { recursive: true });
  const databasePath = join(options.dataDir, 'operator.sqlite');
  const db = openDatabase(databasePath);
  // Commits do not wait for the disk; one fsync of the WAL, shared by everyone waiting at that
  // moment, comes before any answer or outgoing message (group commit).
  const walFile = syncedFile(`${databasePath}-wal`);
  try {
    const flusher = new WalFlusher(options.syncWal ?? walFile.sync, sqliteWriteCount(db));
    const durable = () => flusher.flushed();
    const parts: SqliteOperatorParts = {
      db,
      ledger: new Ledger(db, { clock: options.clock }),
      store: new OperatorStore(db, options.operatorId),
      outbox: new Outbox(db),
      durable,
    };
    return {
      storage: new SqliteOperatorStorage(parts),
      durable,
      sqlite: parts,
      sweep: async (_name, work) => {
        await work();
        return true;
      },
      async close() {
        db.close();
        walFile.close();
      },
    };
  } catch (error) {
    db.close();
    walFile.close();
    throw error;
  }
}

async function openPostgres(
  options: OpenOperatorStorageOptions,
  settings: Extract<OperatorStoreSettings, { kind: 'postgres' }>,
): Promise<OpenedOperatorStorage> {
  const pool = new pg.Pool({ connectionString: settings.url, max: settings.poolSize });
  // An idle connection the server dropped: the pool opens another; without a listener it would end the process.
  pool.on('error', (error) => options.log.warn('store.connection_failed', { error: error.message }));
  const storage = new PostgresOperatorStorage({ pool, operatorId: options.operatorId, clock: options.clock });
  try {
    await storage.migrate();
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    storage,
    durable: () => Promise.resolve(),
    sqlite: null,
    sweep: async (name, work) => (await sweepOnce(pool, name, () => work())).ran,
    close: () => storage.close(),
  };
}
