import { describe, expect, it } from 'vitest';
import { RATE_LIMIT_MAX, RateLimiter, clientKeyOf, rateLimitProblem } from './rate-limiter';

function clock(start_ms = 1_000) {
  let current_ms = start_ms;
  return { now_ms: () => current_ms, advance: (by_ms: number) => void (current_ms += by_ms) };
}

const takeMany = (limiter: RateLimiter, key: string, n: number) =>
  Array.from({ length: n }, () => limiter.take(key).allowed);

describe('RateLimiter', () => {
  it('allows a burst of burst_tokens at once, then refuses with the wait until the next token', () => {
    const time = clock();
    const limiter = new RateLimiter({ refill_per_s: 4, burst_tokens: 3, maxKeys: 10, clock: time });
    expect(takeMany(limiter, 'a', 3)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfter_ms: 250 });
    time.advance(100);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfter_ms: 150 });
  });

  it('refills at refill_per_s, exactly, and never beyond the burst', () => {
    const time = clock();
    const limiter = new RateLimiter({ refill_per_s: 10, burst_tokens: 5, maxKeys: 10, clock: time });
    expect(takeMany(limiter, 'a', 6)).toEqual([true, true, true, true, true, false]);
    time.advance(99);
    expect(limiter.take('a').allowed).toBe(false);
    time.advance(1);
    expect(takeMany(limiter, 'a', 2)).toEqual([true, false]);
    time.advance(60_000);
    expect(takeMany(limiter, 'a', 6)).toEqual([true, true, true, true, true, false]);
  });

  it('refuses without spending: a flood of refused requests does not push the next token further away', () => {
    const time = clock();
    const limiter = new RateLimiter({ refill_per_s: 1, burst_tokens: 1, maxKeys: 10, clock: time });
    expect(limiter.take('a').allowed).toBe(true);
    for (let i = 0; i < 100; i++) limiter.take('a');
    time.advance(1000);
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('keeps keys apart', () => {
    const limiter = new RateLimiter({ refill_per_s: 1, burst_tokens: 2, maxKeys: 10, clock: clock() });
    expect(takeMany(limiter, 'a', 3)).toEqual([true, true, false]);
    expect(takeMany(limiter, 'b', 2)).toEqual([true, true]);
  });

  it('forgets buckets idle long enough to be full again, losing nothing', () => {
    const time = clock();
    const limiter = new RateLimiter({ refill_per_s: 2, burst_tokens: 4, maxKeys: 10, clock: time });
    takeMany(limiter, 'a', 4);
    time.advance(1000);
    takeMany(limiter, 'b', 4);
    expect(limiter.trackedKeys).toBe(2);
    time.advance(1000); // 'a' idle 2 s: full again (4 tokens at 2/s); 'b' idle 1 s: 2 tokens
    expect(limiter.take('c').allowed).toBe(true);
    expect(limiter.trackedKeys).toBe(2);
    // 'b' was not forgotten: it still has only the 2 tokens of its one idle second
    expect(takeMany(limiter, 'b', 3)).toEqual([true, true, false]);
  });

  it('never tracks more than maxKeys: the least recently seen key makes room', () => {
    const time = clock();
    const limiter = new RateLimiter({ refill_per_s: 1, burst_tokens: 1, maxKeys: 3, clock: time });
    for (const key of ['a', 'b', 'c']) expect(limiter.take(key).allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false); // 'a' is now the most recently seen
    for (let i = 0; i < 1000; i++) limiter.take(`flood-${i}`);
    expect(limiter.trackedKeys).toBe(3);
    // a forgotten key starts again with a full bucket: the cap trades strictness for bounded memory
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('tolerates a clock that steps back, refilling nothing', () => {
    const time = clock(10_000);
    const limiter = new RateLimiter({ refill_per_s: 1, burst_tokens: 1, maxKeys: 3, clock: time });
    expect(limiter.take('a').allowed).toBe(true);
    time.advance(-5_000);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('asserts on nonsense limits', () => {
    expect(() => new RateLimiter({ refill_per_s: 0, burst_tokens: 1, maxKeys: 1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ refill_per_s: 1, burst_tokens: 0.5, maxKeys: 1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ refill_per_s: 1, burst_tokens: RATE_LIMIT_MAX + 1, maxKeys: 1 })).toThrow(
      RangeError,
    );
    expect(() => new RateLimiter({ refill_per_s: 1, burst_tokens: 1, maxKeys: 0 })).toThrow(RangeError);
    expect(rateLimitProblem({ refill_per_s: Number.NaN, burst_tokens: 1 })).toMatch(/refill_per_s/);
    expect(rateLimitProblem({ refill_per_s: RATE_LIMIT_MAX, burst_tokens: RATE_LIMIT_MAX })).toBeNull();
  });
});

describe('clientKeyOf', () => {
  it('keys IPv4 by address and IPv6 by its /64', () => {
    expect(clientKeyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKeyOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKeyOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKeyOf('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(clientKeyOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKeyOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(clientKeyOf(undefined)).toBe('unknown');
  });
});
