// Idempotency on message ids: the first answer to a message id is stored, and a replay of the
// same signed message gets that answer again without a second effect. A different message under
// a used id is refused. Concurrent duplicates wait for the first one instead of racing it.

import type Database from 'better-sqlite3';
import { OpentabError, isErrorCode, type ErrorBody } from '@opentab/protocol';
import type { Logger } from './logger';

interface SignedMessage {
  readonly payload: { readonly id: string };
  readonly sig: string;
}

interface InFlight {
  readonly sig: string;
  readonly answer: Promise<unknown>;
}

interface StoredAnswer {
  readonly body_digest: string;
  readonly status: number;
  readonly response: string;
}

/** The answer of a `process` that must finish before its transaction commits: a promise here is refused by the type. */
export type NotAPromise<T> = T extends PromiseLike<unknown> ? never : T;

export class MessageReceipts {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly select;
  private readonly insert;
  private readonly deleteOlder;
  private readonly inOneTransaction;

  constructor(
    db: Database.Database,
    private readonly log: Pick<Logger, 'heldUntilReturn'>,
  ) {
    this.select = db.prepare<[string], StoredAnswer>(
      'SELECT body_digest, status, response FROM message_receipts WHERE message_id = ?',
    );
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO message_receipts (message_id, route, body_digest, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.deleteOlder = db.prepare(
      'DELETE FROM message_receipts WHERE message_id IN (SELECT message_id FROM message_receipts WHERE created_at < ? ORDER BY created_at LIMIT ?)',
    );
    // Wrapped once, not per message. Immediate, as the ledger's own transactions, so that a
    // second connection cannot make it fail half-way with SQLITE_BUSY when it starts writing.
    const transaction = db.transaction((body: () => unknown) => body());
    this.inOneTransaction = <T>(body: () => T): T => transaction.immediate(body) as T;
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
   * Runs `process` once per message id, for a `process` that awaits a peer or a merchant agent
   * between its own transactions: those commit as it goes, and its answer is stored after them.
   * A stop in between leaves the effects without a stored answer, so a replay runs `process`
   * again: such a handler must recognise its own earlier effects. A `process` that does not
   * await belongs in `onceInTransaction`.
   *
   * The signature serves as the body digest: Ed25519 is deterministic, so the same payload under
   * the same key always has the same signature. `authenticate` runs first and its refusals are
   * never stored: otherwise anyone who saw a message id could spoil it for its real sender with a
   * forgery under that id.
   */
  async once<A, T>(
    route: string,
    message: SignedMessage,
    now_ms: number,
    authenticate: () => A,
    process: (authenticated: A) => Promise<T>,
  ): Promise<T> {
    const earlier = this.earlierAnswer(message);
    if (earlier !== null) return (await earlier) as T;
    const authenticated = authenticate();
    const answer = (async () => process(authenticated))();
    this.inFlight.set(message.payload.id, { sig: message.sig, answer });
    try {
      const result = await answer;
      this.storeAnswer(route, message, result, now_ms);
      return result;
    } catch (error) {
      this.storeRefusal(route, message, error, now_ms);
      throw error;
    } finally {
      this.inFlight.delete(message.payload.id);
    }
  }

  /**
   * Runs a synchronous `process` once per message id, in one transaction with the storing of its
   * answer: the effects and the answer commit together or not at all, so a replay after any stop
   * either finds the answer or finds no effects, and never runs `process` on top of its own
   * effects. The handlers' own `db.transaction` calls inside become savepoints.
   *
   * From the look-up to the commit nothing awaits, so no other request runs in between: a
   * duplicate finds the stored answer, and none of these is ever in flight. (A message under the
   * same id may still be in flight on `once`, which `earlierAnswer` waits for or refuses.)
   *
   * A refusal (an OpentabError below 500) rolls back whatever `process` wrote before deciding to
   * refuse, and is then stored on its own: a refused message changed nothing, so a stop before
   * that store only means a replay decides again on the same rows. (A handler that must keep a
   * write and still refuse cannot use this method.) Other failures (5xx, SQLite errors, the
   * answer's own insert failing) roll back everything and store nothing: the sender may retry
   * under the same id.
   *
   * The answer (a signed acknowledgement, for most) is built inside the transaction because it
   * says what the effects were; signing is CPU work with no I/O, and better-sqlite3 is
   * synchronous, so no other request of this process runs while the transaction is open anyway.
   */
  async onceInTransaction<A, T>(
    route: string,
    message: SignedMessage,
    now_ms: number,
    authenticate: () => A,
    process: (authenticated: A) => NotAPromise<T>,
  ): Promise<T> {
    const earlier = this.earlierAnswer(message);
    if (earlier !== null) return (await earlier) as T;
    const authenticated = authenticate();
    try {
      // The handler's log lines go out after the commit, and not at all if it rolls back.
      return this.log.heldUntilReturn(() =>
        this.inOneTransaction(() => {
          const result = process(authenticated);
          assertNotAPromise(result, route);
          this.storeAnswer(route, message, result, now_ms);
          return result;
        }),
      );
    } catch (error) {
      this.storeRefusal(route, message, error, now_ms);
      throw error;
    }
  }

  /** The stored answer replayed, the answer of the same message still running, or null for a message seen first. */
  private earlierAnswer(message: SignedMessage): Promise<unknown> | null {
    const stored = this.select.get(message.payload.id);
    if (stored !== undefined) return this.replay(stored, message.sig);
    const running = this.inFlight.get(message.payload.id);
    if (running === undefined) return null;
    return running.sig === message.sig ? running.answer : Promise.reject(new OpentabError('id_reused'));
  }

  private storeAnswer(route: string, message: SignedMessage, answer: unknown, now_ms: number): void {
    this.insert.run(message.payload.id, route, message.sig, 200, JSON.stringify(answer), now_ms);
  }

  /** Refusals are final answers too; failures of others (5xx) may be retried under the same id. */
  private storeRefusal(route: string, message: SignedMessage, error: unknown, now_ms: number): void {
    if (!(error instanceof OpentabError) || error.status >= 500) return;
    this.insert.run(message.payload.id, route, message.sig, error.status, JSON.stringify(error.toBody()), now_ms);
  }

  private async replay(stored: StoredAnswer, sig: string): Promise<unknown> {
    if (stored.body_digest !== sig) throw new OpentabError('id_reused');
    if (stored.status === 200) return JSON.parse(stored.response);
    const body = JSON.parse(stored.response) as ErrorBody;
    const code = isErrorCode(body.error.code) ? body.error.code : 'invalid_message';
    throw new OpentabError(code, body.error.message, body.error.details ?? []);
  }
}

/**
 * The type already refuses an async `process`; this catches one cast past it. Its synchronous
 * part has run inside the transaction, which this throw rolls back; the rest would run after the
 * commit, so it is refused rather than stored, and its own rejection is silenced.
 */
function assertNotAPromise(result: unknown, route: string): void {
  if (!isThenable(result)) return;
  result.then(undefined, () => undefined);
  throw new Error(`${route}: onceInTransaction needs a synchronous process; an async one belongs in once`);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
