import { describe, expect, it } from 'vitest';
import { retryDelay_ms } from './retry-delay';

describe('retryDelay_ms', () => {
  const policy = { base_ms: 1000, max_ms: 60_000 };

  it('doubles per failed attempt up to the cap', () => {
    const withoutJitter = () => 1;
    expect([1, 2, 3, 4, 7, 8, 50, 10_000].map((attempts) => retryDelay_ms(attempts, policy, withoutJitter))).toEqual([
      1000, 2000, 4000, 8000, 60_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('jitters within half to all of the delay', () => {
    expect(retryDelay_ms(3, policy, () => 0)).toBe(2000);
    expect(retryDelay_ms(3, policy, () => 0.5)).toBe(3000);
    expect(retryDelay_ms(20, policy, () => 0)).toBe(30_000);
    for (let i = 0; i < 100; i++) {
      const delay_ms = retryDelay_ms(2, policy);
      expect(delay_ms).toBeGreaterThanOrEqual(1000);
      expect(delay_ms).toBeLessThanOrEqual(2000);
    }
  });

  it('refuses nonsense', () => {
    expect(() => retryDelay_ms(0, policy)).toThrow();
    expect(() => retryDelay_ms(1, { base_ms: 10, max_ms: 5 })).toThrow();
  });
});
