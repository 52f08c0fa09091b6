// Idempotency on message ids: the first answer to a message id is stored, and a replay of the same
// signed message gets that answer again without a second effect. A different message under a used
// id is refused. Concurrent duplicates wait for the first one instead of racing it: in this process
// through the messages in flight; across processes sharing the store, the insert of the answer
// decides (it keeps only the first), and a duplicate that lost answers what the first stored.

import { OpentabError, isErrorCode, type ErrorBody } from '@opentab/protocol';
import type { StoredAnswer } from '../store/message-receipt-store';
import type { OperatorStoreTransaction, ReceiptAccess } from '../store/operator-storage';
import type { Logger } from './logger';

interface SignedMessage {
  readonly payload: { readonly id: string };
  readonly sig: string;
}

interface InFlight {
  readonly sig: string;
  readonly answer: Promise<unknown>;
}

/** What the receipts need of the store: its receipts, and transactions that include them. */
export interface ReceiptStorage<Tx extends { readonly receipts: ReceiptAccess }> {
  readonly receipts: ReceiptAccess;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

/** Thrown inside a transaction to roll its effects back: another run of the message committed its answer first. */
class AnsweredBefore extends Error {}

export class MessageReceipts<Tx extends { readonly receipts: ReceiptAccess } = OperatorStoreTransaction> {
  private readonly inFlight = new Map<string, InFlight>();

  constructor(
    private readonly storage: ReceiptStorage<Tx>,
    private readonly log: Pick<Logger, 'heldUntilSettled'>,
  ) {}

  /**
   * Forgets answers to messages issued so long ago that their iat is outside the clock-skew
   * window: a replay of one is refused as stale before it could have an effect, so keeping its
   * answer buys nothing and would grow the table without bound.
   */
  prune(olderThan_ms: number, limit = 1000): Promise<number> {
    return this.storage.receipts.pruneAnswers(olderThan_ms, limit);
  }

  /**
   * Runs `process` once per message id, for a `process` that awaits a peer or a merchant agent
   * between its own transactions: those commit as it goes, and its answer is stored after them.
   * A stop in between leaves the effects without a stored answer, so a replay runs `process`
   * again: such a handler must recognise its own earlier effects. A `process` that needs no one
   * but the store belongs in `onceInTransaction`.
   *
   * The signature serves as the body digest: Ed25519 is deterministic, so the same payload under
   * the same key always has the same signature. `authenticate` runs first and its refusals are
   * never stored: otherwise anyone who saw a message id could spoil it for its real sender with a
   * forgery under that id.
   */
  once<A, T>(
    route: string,
    message: SignedMessage,
    now_ms: number,
    authenticate: () => A | Promise<A>,
    process: (authenticated: A) => Promise<T>,
  ): Promise<T> {
    return this.exactlyOnce(message, authenticate, async (authenticated) => {
      let result: T;
      try {
        result = await process(authenticated);
      } catch (error) {
        return this.refused(route, message, error, now_ms);
      }
      if (await this.storage.receipts.insertAnswer(answerOf(route, message, 200, result, now_ms))) return result;
      return (await this.storedReplay(message)) as T;
    });
  }

  /**
   * Runs `process` once per message id, in one store transaction with the storing of its answer:
   * the effects and the answer commit together or not at all, so a replay after any stop either
   * finds the answer or finds no effects, and never runs `process` on top of its own effects.
   * `process` reads and writes through `tx` and awaits nothing else (no peer, no merchant agent):
   * that is what `once` is for. Its log lines go out after the commit, and not at all if it rolls
   * back.
   *
   * A refusal (an OpentabError below 500) rolls back whatever `process` wrote before deciding to
   * refuse, and is then stored on its own: a refused message changed nothing, so a stop before
   * that store only means a replay decides again on the same rows. (A handler that must keep a
   * write and still refuse cannot use this method.) Other failures (5xx, store errors, the
   * answer's own insert failing) roll back everything and store nothing: the sender may retry
   * under the same id. Should another run of the message (another process) have committed its
   * answer first, this one's effects roll back and that answer is the answer.
   */
  onceInTransaction<A, T>(
    route: string,
    message: SignedMessage,
    now_ms: number,
    authenticate: () => A | Promise<A>,
    process: (tx: Tx, authenticated: A) => Promise<T>,
  ): Promise<T> {
    return this.exactlyOnce(message, authenticate, async (authenticated) => {
      try {
        return await this.log.heldUntilSettled(() =>
          this.storage.transaction(async (tx) => {
            const result = await process(tx, authenticated);
            if (!(await tx.receipts.insertAnswer(answerOf(route, message, 200, result, now_ms))))
              throw new AnsweredBefore();
            return result;
          }),
        );
      } catch (error) {
        if (error instanceof AnsweredBefore) return (await this.storedReplay(message)) as T;
        return this.refused(route, message, error, now_ms);
      }
    });
  }

  /**
   * The answer of the message: the one in flight or stored for its id, or else `run`'s, with the
   * message in flight meanwhile. Only an authenticated message is ever in flight, so a forgery
   * cannot make its real sender's message look like another one under a used id.
   */
  private async exactlyOnce<A, T>(
    message: SignedMessage,
    authenticate: () => A | Promise<A>,
    run: (authenticated: A) => Promise<T>,
  ): Promise<T> {
    const id = message.payload.id;
    const running = this.inFlight.get(id);
    if (running !== undefined) return this.join<T>(running, message.sig);
    const stored = await this.storage.receipts.storedAnswer(id);
    if (stored !== null) return (await this.replay(stored, message.sig)) as T;
    const authenticated = await authenticate();
    // A copy may have started while this one read and authenticated: the first to get here runs.
    const meanwhile = this.inFlight.get(id);
    if (meanwhile !== undefined) return this.join<T>(meanwhile, message.sig);
    const answer = run(authenticated);
    this.inFlight.set(id, { sig: message.sig, answer });
    try {
      return await answer;
    } finally {
      this.inFlight.delete(id);
    }
  }

  private join<T>(running: InFlight, sig: string): Promise<T> {
    return running.sig === sig ? (running.answer as Promise<T>) : Promise.reject(new OpentabError('id_reused'));
  }

  /** Refusals are final answers too; failures of others (5xx) may be retried under the same id. */
  private async refused(route: string, message: SignedMessage, error: unknown, now_ms: number): Promise<never> {
    if (!(error instanceof OpentabError) || error.status >= 500) throw error;
    if (await this.storage.receipts.insertAnswer(answerOf(route, message, error.status, error.toBody(), now_ms)))
      throw error;
    return (await this.storedReplay(message)) as never;
  }

  /** The answer another run of the message stored first. */
  private async storedReplay(message: SignedMessage): Promise<unknown> {
    const stored = await this.storage.receipts.storedAnswer(message.payload.id);
    if (stored === null) throw new Error(`the answer to message ${message.payload.id} vanished`);
    return this.replay(stored, message.sig);
  }

  private async replay(stored: StoredAnswer, sig: string): Promise<unknown> {
    if (stored.bodyDigest !== sig) throw new OpentabError('id_reused');
    if (stored.status === 200) return JSON.parse(stored.response);
    const body = JSON.parse(stored.response) as ErrorBody;
    const code = isErrorCode(body.error.code) ? body.error.code : 'invalid_message';
    throw new OpentabError(code, body.error.message, body.error.details ?? []);
  }
}

function answerOf(route: string, message: SignedMessage, status: number, body: unknown, now_ms: number): StoredAnswer {
  return {
    messageId: message.payload.id,
    route,
    bodyDigest: message.sig,
    status,
    response: JSON.stringify(body),
    createdAt_ms: now_ms,
  };
}
