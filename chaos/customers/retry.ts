// How the customer agent (the extension) treats an answer: a message nobody answered (no
// connection, a connection dropped, an unreadable answer) may have arrived, so it is sent again
// unchanged — same id, same signature — until an answer comes; an answer, yes or no, is final.

import { RemoteCallError } from '@opentab/protocol';

export type Outcome<T> =
  | { readonly kind: 'answered'; readonly value: T }
  | { readonly kind: 'refused'; readonly status: number; readonly code: string; readonly message: string }
  /** No answer within the customer's patience; the message may or may not have taken effect. */
  | { readonly kind: 'unanswered'; readonly attempts: number; readonly lastError: string };

export interface Patience {
  readonly patience_ms: number;
  readonly pause_ms: number;
  /** Also send again after a refusal (the extension's record outbox retries until acknowledged). */
  readonly untilAnswered?: boolean;
  /** Refusals that decide nothing: sent again unchanged, as for no answer (the AM's undecided initiation). */
  readonly undecidedCodes?: ReadonlySet<string>;
}

export async function untilDefinite<T>(send: () => Promise<T>, patience: Patience): Promise<Outcome<T>> {
  const deadline = Date.now() + patience.patience_ms;
  let attempts = 0;
  let lastError = '';
  for (;;) {
    attempts++;
    try {
      return { kind: 'answered', value: await send() };
    } catch (error) {
      const failure = error instanceof RemoteCallError ? error.failure : null;
      const final =
        failure?.kind === 'refused' &&
        failure.code !== 'rate_limited' &&
        patience.untilAnswered !== true &&
        patience.undecidedCodes?.has(failure.code) !== true;
      if (final) return { kind: 'refused', status: failure.status, code: failure.code, message: failure.message };
      lastError = failure === null ? String(error) : `${failure.kind}: ${failure.message}`;
      if (!(error instanceof RemoteCallError)) throw error;
    }
    if (Date.now() + patience.pause_ms > deadline) return { kind: 'unanswered', attempts, lastError };
    await new Promise((resolve) => setTimeout(resolve, patience.pause_ms));
  }
}
