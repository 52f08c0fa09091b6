// The revocations table on the SQLite file: statements only. A party is revoked once; the first
// revocation stands (insert-once), whoever else revokes it after.

import type Database from 'better-sqlite3';

export type RevocationSubject = 'merchant' | 'peer';

export interface Revocation {
  readonly kind: RevocationSubject;
  readonly subjectId: string;
  readonly revokedAt: number;
  readonly reason: string;
  readonly revokedBy: string;
}

export function toRevocation(row: Record<string, unknown>): Revocation {
  return {
    kind: row.subject_kind as RevocationSubject,
    subjectId: row.subject_id as string,
    revokedAt: Number(row.revoked_at),
    reason: row.reason as string,
    revokedBy: row.revoked_by as string,
  };
}

export class RevocationTable {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO revocations (subject_kind, subject_id, revoked_at, reason, revoked_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (subject_kind, subject_id) DO NOTHING`,
      ),
      one: db.prepare('SELECT * FROM revocations WHERE subject_kind = ? AND subject_id = ?'),
      all: db.prepare('SELECT * FROM revocations ORDER BY revoked_at DESC, subject_kind, subject_id'),
    };
  }

  /** Keeps the revocation unless the party is revoked already; whether it was kept. */
  insertRevocation(revocation: Revocation): boolean {
    const r = revocation;
    return this.s.insert.run(r.kind, r.subjectId, r.revokedAt, r.reason, r.revokedBy).changes === 1;
  }

  revocation(kind: RevocationSubject, subjectId: string): Revocation | null {
    const row = this.s.one.get(kind, subjectId) as Record<string, unknown> | undefined;
    return row === undefined ? null : toRevocation(row);
  }

  /** Newest first. */
  revocations(): Revocation[] {
    return (this.s.all.all() as Record<string, unknown>[]).map(toRevocation);
  }
}
