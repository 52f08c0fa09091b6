// Idempotency on message ids: the first answer to a message id is stored, and a replay of the
// same signed message gets that answer again without a second effect. A different message under
// a used id is refused. Concurrent duplicates wait for the first one instead of racing it.

import type Database from 'better-sqlite3';
import { OpentabError, isErrorCode, type ErrorBody } from '../../../protocol/errors';

interface SignedMessage {
  readonly payload: { readonly id: string };
  readonly sig: string;
}

interface InFlight {
  readonly sig: string;
  readonly answer: Promise<unknown>;
}

export class MessageReceipts {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly select;
  private readonly insert;
  private readonly deleteOlder;

  constructor(db: Database.Database) {
    this.select = db.prepare<[string], { body_digest: string; status: number; response: string }>(
      'SELECT body_digest, status, response FROM message_receipts WHERE message_id = ?',
    );
    this.insert = db.prepare('INSERT OR IGNORE INTO message_receipts (message_id, route, body_digest, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.deleteOlder = db.prepare(
      'DELETE FROM message_receipts WHERE message_id IN (SELECT message_id FROM message_receipts WHERE created_at < ? ORDER BY created_at LIMIT ?)',
    );
  }

  /**
   * Forgets answers to messages issued so long ago that their iat is outside the clock-skew
   * window: a replay of one is refused as stale before it could have an effect, so keeping its
   * answer buys nothing and would grow the table without bound.
   */
  prune(olderThan_ms: number, limit = 1000): number {
    return this.deleteOlder.run(olderThan_ms, limit).changes;
  }

  /**
   * Runs `process` once per message id. The signature serves as the body digest: Ed25519 is
   * deterministic, so the same payload under the same key always has the same signature.
   * `authenticate` runs first and its refusals are never stored: otherwise anyone who saw a
   * message id could spoil it for its real sender with a forgery under that id.
   */
  async once<A, T>(route: string, message: SignedMessage, now_ms: number, authenticate: () => A, process: (authenticated: A) => Promise<T> | T): Promise<T> {
    const id = message.payload.id;
    const stored = this.select.get(id);
    if (stored !== undefined) return this.replay<T>(stored, message.sig);
    const running = this.inFlight.get(id);
    if (running !== undefined) {
      if (running.sig !== message.sig) throw new OpentabError('id_reused');
      return (await running.answer) as T;
    }
    const authenticated = authenticate();
    const answer = (async () => process(authenticated))();
    this.inFlight.set(id, { sig: message.sig, answer });
    try {
      const result = await answer;
      this.insert.run(id, route, message.sig, 200, JSON.stringify(result), now_ms);
      return result;
    } catch (error) {
      // Refusals are final answers too; failures of others (5xx) may be retried under the same id.
      if (error instanceof OpentabError && error.status < 500) {
        this.insert.run(id, route, message.sig, error.status, JSON.stringify(error.toBody()), now_ms);
      }
      throw error;
    } finally {
      this.inFlight.delete(id);
    }
  }

  private replay<T>(stored: { body_digest: string; status: number; response: string }, sig: string): T {
    if (stored.body_digest !== sig) throw new OpentabError('id_reused');
    if (stored.status === 200) return JSON.parse(stored.response) as T;
    const body = JSON.parse(stored.response) as ErrorBody;
    const code = isErrorCode(body.error.code) ? body.error.code : 'invalid_message';
    throw new OpentabError(code, body.error.message, body.error.details ?? []);
  }
}
