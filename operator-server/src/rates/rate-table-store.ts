// The rate tables this operator issued, on the SQLite file: statements only. A table is kept
// once under its id (insert-once); the desk reads one back by id, or the latest issued.

import type Database from 'better-sqlite3';

export interface StoredRateTable {
  readonly tableId: string;
  /** The signed table, as JSON. */
  readonly envelope: string;
  readonly issuedAt_ms: number;
  readonly validUntil_ms: number;
}

export function toStoredRateTable(row: Record<string, unknown>): StoredRateTable {
  return {
    tableId: row.table_id as string,
    envelope: row.envelope as string,
    issuedAt_ms: Number(row.issued_at),
    validUntil_ms: Number(row.valid_until),
  };
}

export class RateTableStore {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO rate_tables (table_id, envelope, issued_at, valid_until) VALUES (?, ?, ?, ?)
         ON CONFLICT (table_id) DO NOTHING`,
      ),
      one: db.prepare('SELECT * FROM rate_tables WHERE table_id = ?'),
      latest: db.prepare('SELECT * FROM rate_tables ORDER BY issued_at DESC, table_id DESC LIMIT 1'),
    };
  }

  /** Whether the table was kept; false when a table of that id was kept before. */
  insertRateTable(table: StoredRateTable): boolean {
    return this.s.insert.run(table.tableId, table.envelope, table.issuedAt_ms, table.validUntil_ms).changes === 1;
  }

  rateTable(tableId: string): StoredRateTable | null {
    const row = this.s.one.get(tableId) as Record<string, unknown> | undefined;
    return row === undefined ? null : toStoredRateTable(row);
  }

  /** The one issued last. */
  latestRateTable(): StoredRateTable | null {
    const row = this.s.latest.get() as Record<string, unknown> | undefined;
    return row === undefined ? null : toStoredRateTable(row);
  }
}
