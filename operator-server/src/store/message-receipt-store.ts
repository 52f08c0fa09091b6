// The first answer to each message id, on the operator's SQLite file: what a replay of the same
// message is answered with, and what refuses another message under a used id. Rows are only ever
// inserted once (the first answer stands) and pruned once no replay can be fresh any more.

import type Database from 'better-sqlite3';

/** A message's first answer: its status and body, and the digest of the message that got it. */
export interface StoredAnswer {
  readonly messageId: string;
  readonly route: string;
  /** The message's signature: the same payload under the same key always signs the same. */
  readonly bodyDigest: string;
  readonly status: number;
  /** The answer's JSON: the result for 200, the error body for a refusal. */
  readonly response: string;
  readonly createdAt_ms: number;
}

interface AnswerRow {
  readonly message_id: string;
  readonly route: string;
  readonly body_digest: string;
  readonly status: number;
  readonly response: string;
  readonly created_at: number;
}

export function toStoredAnswer(row: Record<string, unknown>): StoredAnswer {
  return {
    messageId: row.message_id as string,
    route: row.route as string,
    bodyDigest: row.body_digest as string,
    status: Number(row.status),
    response: row.response as string,
    createdAt_ms: Number(row.created_at),
  };
}

export class MessageReceiptStore {
  private readonly select;
  private readonly insert;
  private readonly deleteOlder;

  constructor(db: Database.Database) {
    this.select = db.prepare<[string], AnswerRow>('SELECT * FROM message_receipts WHERE message_id = ?');
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO message_receipts (message_id, route, body_digest, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.deleteOlder = db.prepare(
      'DELETE FROM message_receipts WHERE message_id IN (SELECT message_id FROM message_receipts WHERE created_at < ? ORDER BY created_at LIMIT ?)',
    );
  }

  storedAnswer(messageId: string): StoredAnswer | null {
    const row = this.select.get(messageId);
    return row === undefined ? null : toStoredAnswer({ ...row });
  }

  /** Keeps the answer unless one is kept for its message id already; false then, and the first stands. */
  insertAnswer(answer: StoredAnswer): boolean {
    return (
      this.insert.run(
        answer.messageId,
        answer.route,
        answer.bodyDigest,
        answer.status,
        answer.response,
        answer.createdAt_ms,
      ).changes === 1
    );
  }

  /** Forgets up to `limit` answers given before `olderThan_ms`, oldest first; how many. */
  pruneAnswers(olderThan_ms: number, limit: number): number {
    return this.deleteOlder.run(olderThan_ms, limit).changes;
  }
}
