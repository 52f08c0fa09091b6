// Exponential backoff with a cap and jitter, for every outbox that delivers at least once (the
// operator's billing records, clearings and notices; the merchant agent's records): doubling keeps
// the load on a struggling receiver low, the cap bounds how stale a message gets, and the jitter
// keeps many senders from retrying in lockstep after the receiver comes back.

export interface BackoffPolicy {
  readonly base_ms: number;
  readonly max_ms: number;
}

/**
 * Delay before attempt `failedAttempts + 1`: base × 2^(failedAttempts − 1), capped at max, then
 * scaled into [½, 1] of itself ("equal jitter") so it never collapses to zero.
 */
export function retryDelay_ms(
  failedAttempts: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  if (!Number.isSafeInteger(failedAttempts) || failedAttempts < 1)
    throw new RangeError('failedAttempts must be a positive integer');
  if (!(policy.base_ms > 0 && policy.base_ms <= policy.max_ms))
    throw new RangeError('backoff needs 0 < base_ms <= max_ms');
  // 2^31 already exceeds any sensible cap; limiting the exponent keeps the arithmetic finite.
  const exponential_ms = policy.base_ms * 2 ** Math.min(failedAttempts - 1, 31);
  const capped_ms = Math.min(exponential_ms, policy.max_ms);
  const jitter = Math.min(Math.max(random(), 0), 1);
  return Math.round(capped_ms / 2 + (capped_ms / 2) * jitter);
}
