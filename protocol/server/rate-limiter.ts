// A token bucket per key (a client address): `burst_tokens` requests at once, then
// `refill_per_s` a second. Pure: no timers, no I/O, the clock is injected. Memory is bounded:
// buckets idle long enough to be full again are forgotten (a full bucket is the same as none, so
// that loses nothing), and at `maxKeys` the least recently seen key is forgotten to make room.
//
// Arithmetic is in whole millitokens and whole milliseconds, so refilling is exact: a rate of
// r tokens a second is r millitokens a millisecond. One request costs one token.

import type { Clock } from '@opentab/protocol';

const MILLITOKENS_PER_TOKEN = 1000;
const MONOTONIC_CLOCK: Clock = { now_ms: () => performance.now() };
/** Large enough for any sensible limit, small enough that no product below leaves the safe integers. */
export const RATE_LIMIT_MAX = 1_000_000;

export interface RateLimit {
  /** Sustained requests per second a key may make. */
  readonly refill_per_s: number;
  /** Requests a key may make at once (the bucket's capacity). */
  readonly burst_tokens: number;
}

export interface RateLimiterOptions extends RateLimit {
  /** Most keys tracked at once; bounds memory (a few hundred bytes a key). */
  readonly maxKeys: number;
  /** A monotonic clock: only the distance between readings counts. Default: performance.now(). */
  readonly clock?: Clock;
}

export type RateDecision =
  | { readonly allowed: true }
  /** `retryAfter_ms`: when the next request of this key would be allowed (at least 1). */
  | { readonly allowed: false; readonly retryAfter_ms: number };

interface Bucket {
  millitokens: number;
  /** The clock reading the millitokens are accurate at (whole milliseconds of refill applied). */
  updated_ms: number;
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RangeError(`rate limiter: ${message}`);
}

/** Why a limit is invalid, or null: shared by the configuration checks and the limiter's assertions. */
export function rateLimitProblem(limit: RateLimit): string | null {
  for (const [name, value] of [
    ['refill_per_s', limit.refill_per_s],
    ['burst_tokens', limit.burst_tokens],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1 || value > RATE_LIMIT_MAX)
      return `${name} must be a whole number from 1 to ${RATE_LIMIT_MAX}`;
  }
  return null;
}

export class RateLimiter {
  private readonly refill_millitokens_per_ms: number;
  private readonly capacity_millitokens: number;
  /** After this long untouched, any bucket is full again: it can be forgotten. */
  private readonly refillFull_ms: number;
  private readonly maxKeys: number;
  private readonly clock: Clock;
  /** Least recently touched first: a touch moves a key to the end. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions) {
    const problem = rateLimitProblem(options);
    assert(problem === null, problem ?? '');
    assert(Number.isSafeInteger(options.maxKeys) && options.maxKeys >= 1, 'maxKeys must be a positive whole number');
    this.refill_millitokens_per_ms = options.refill_per_s;
    this.capacity_millitokens = options.burst_tokens * MILLITOKENS_PER_TOKEN;
    this.refillFull_ms = Math.ceil(this.capacity_millitokens / this.refill_millitokens_per_ms);
    this.maxKeys = options.maxKeys;
    this.clock = options.clock ?? MONOTONIC_CLOCK;
  }

  /** Spends one token of `key`'s bucket if there is one. */
  take(key: string): RateDecision {
    const now_ms = Math.floor(this.clock.now_ms());
    this.forgetIdle(now_ms);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = { millitokens: this.capacity_millitokens, updated_ms: now_ms };
    } else {
      this.buckets.delete(key);
      this.refill(bucket, now_ms);
    }
    this.buckets.set(key, bucket);
    assert(this.buckets.size <= this.maxKeys, 'tracked more keys than maxKeys');
    assert(bucket.millitokens >= 0 && bucket.millitokens <= this.capacity_millitokens, 'bucket out of range');

    if (bucket.millitokens >= MILLITOKENS_PER_TOKEN) {
      bucket.millitokens -= MILLITOKENS_PER_TOKEN;
      return { allowed: true };
    }
    const missing_millitokens = MILLITOKENS_PER_TOKEN - bucket.millitokens;
    return {
      allowed: false,
      retryAfter_ms: Math.max(1, Math.ceil(missing_millitokens / this.refill_millitokens_per_ms)),
    };
  }

  /** How many keys are tracked now (for tests and metrics). */
  get trackedKeys(): number {
    return this.buckets.size;
  }

  private refill(bucket: Bucket, now_ms: number): void {
    // A clock that went backwards (it should not, it is monotonic) refills nothing.
    const elapsed_ms = Math.max(0, now_ms - bucket.updated_ms);
    if (elapsed_ms >= this.refillFull_ms) bucket.millitokens = this.capacity_millitokens;
    else
      bucket.millitokens = Math.min(
        this.capacity_millitokens,
        bucket.millitokens + elapsed_ms * this.refill_millitokens_per_ms,
      );
    bucket.updated_ms = Math.max(bucket.updated_ms, now_ms);
  }

  /** Forgets buckets untouched for long enough to be full; they are the oldest, so this stops at the first
   * that is not. */
  private forgetIdle(now_ms: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now_ms - bucket.updated_ms < this.refillFull_ms) return;
      this.buckets.delete(key);
    }
  }
}

/**
 * The key a client is limited under: its IPv4 address, or the /64 prefix of its IPv6 address
 * (one subscriber usually holds a whole /64, and could otherwise rotate through 2^64 keys).
 */
export function clientKeyOf(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1]!;
  if (!address.includes(':')) return address;
  const zoneless = address.split('%')[0]!.toLowerCase();
  const [head = '', tail = ''] = zoneless.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = zoneless.includes('::')
    ? [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
