// This operator's own keys and rotations on the SQLite file: statements only. A rotation is taken
// once per retiring key (its row is insert-once), and only the process whose row went in moves
// the keys' states, so two processes rotating the same key at once rotate it once.

import type Database from 'better-sqlite3';

export interface RotationRow {
  readonly retiringKey: string;
  readonly successorKey: string;
  readonly retiresAt_ms: number;
  readonly rotatedAt_ms: number;
  readonly rotatedBy: string;
  /** The signed notice, as JSON. */
  readonly notice: string;
}

export interface CurrentKeyRow {
  readonly publicKey: string;
  /** The CA's certificate for it, as JSON. */
  readonly certificate: string;
}

export const INSERT_ROTATION_SQL = `INSERT INTO key_rotations (retiring_key, successor_key, retires_at, rotated_at, rotated_by, notice)
  VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (retiring_key) DO NOTHING`;

export function toRotationRow(row: Record<string, unknown>): RotationRow {
  return {
    retiringKey: row.retiring_key as string,
    successorKey: row.successor_key as string,
    retiresAt_ms: Number(row.retires_at),
    rotatedAt_ms: Number(row.rotated_at),
    rotatedBy: row.rotated_by as string,
    notice: row.notice as string,
  };
}

export class OwnKeyTable {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      insertPrepared: db.prepare(
        "INSERT INTO operator_keys (public_key, state, certificate, created_at) VALUES (?, 'prepared', NULL, ?)",
      ),
      prepared: db.prepare(
        "SELECT public_key FROM operator_keys WHERE state = 'prepared' ORDER BY created_at, public_key",
      ),
      current: db.prepare("SELECT public_key, certificate FROM operator_keys WHERE state = 'current'"),
      insertRotation: db.prepare(INSERT_ROTATION_SQL.replace(/\$\d/g, '?')),
      retireCurrent: db.prepare("UPDATE operator_keys SET state = 'retired' WHERE state = 'current'"),
      makeCurrent: db.prepare(
        "UPDATE operator_keys SET state = 'current', certificate = ? WHERE public_key = ? AND state = 'prepared'",
      ),
      rotations: db.prepare('SELECT * FROM key_rotations ORDER BY rotated_at DESC, retiring_key'),
    };
  }

  insertPreparedKey(publicKey: string, now_ms: number): void {
    this.s.insertPrepared.run(publicKey, now_ms);
  }

  /** Oldest first. */
  preparedKeys(): string[] {
    return (this.s.prepared.all() as Array<{ public_key: string }>).map((row) => row.public_key);
  }

  /** The key a rotation made current; null while the configured key is still the one in use. */
  currentKey(): CurrentKeyRow | null {
    const row = this.s.current.get() as { public_key: string; certificate: string } | undefined;
    return row === undefined ? null : { publicKey: row.public_key, certificate: row.certificate };
  }

  /**
   * Keeps the rotation and makes its successor (a prepared key) current under `certificate`,
   * retiring the current one; false, changing nothing, when the retiring key was rotated already.
   */
  recordRotation(rotation: RotationRow, certificate: string): boolean {
    return this.db.transaction(() => {
      const r = rotation;
      const taken = this.s.insertRotation.run(
        r.retiringKey,
        r.successorKey,
        r.retiresAt_ms,
        r.rotatedAt_ms,
        r.rotatedBy,
        r.notice,
      );
      if (taken.changes !== 1) return false;
      this.s.retireCurrent.run();
      this.s.makeCurrent.run(certificate, r.successorKey);
      return true;
    })();
  }

  /** Newest first. */
  rotations(): RotationRow[] {
    return (this.s.rotations.all() as Record<string, unknown>[]).map(toRotationRow);
  }
}
