import { describe, expect, it } from 'vitest';
import { LatencyHistogram, routeGroupOf, Traffic } from './traffic';

describe('the latency histogram', () => {
  it('reads each percentile to within one bucket, 10 % of its value', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    for (const [q, exact] of [
      [0.5, 500],
      [0.95, 950],
      [0.99, 990],
    ] as const) {
      const read = histogram.quantile_ms(q)!;
      expect(read).toBeGreaterThanOrEqual(exact);
      expect(read).toBeLessThanOrEqual(exact * 1.1);
    }
    expect(new LatencyHistogram().quantile_ms(0.5)).toBeNull();
  });

  it('keeps the same memory however many requests it counts', () => {
    const histogram = new LatencyHistogram();
    const size = () => (histogram as unknown as { counts: Uint32Array }).counts.length;
    const before = size();
    for (let i = 0; i < 100_000; i++) histogram.record((i % 5000) / 7);
    expect(size()).toBe(before);
    expect(histogram.count).toBe(100_000);
  });
});

describe('recent traffic', () => {
  it('groups routes by who calls them, and forgets windows that are over', () => {
    expect(routeGroupOf('/v1/customer/tabs')).toBe('customer');
    expect(routeGroupOf('/v1/peer/clearing')).toBe('peer');
    expect(routeGroupOf('/v1/admin/tabs/{tabId}/story')).toBe('admin');
    expect(routeGroupOf('/v1/rates')).toBe('public');

    const traffic = new Traffic(60_000, 0);
    for (let i = 0; i < 99; i++) traffic.observe('/v1/customer/tabs', 10, 1000);
    traffic.observe('/v1/customer/tabs', 900, 1000);
    const [customer] = traffic.recent(30_000);
    expect(customer).toMatchObject({ group: 'customer', requests: 100 });
    expect(customer!.rate_per_s).toBeCloseTo(100 / 90, 5);
    expect(customer!.p50_ms).toBeLessThanOrEqual(11);
    expect(customer!.p99_ms).toBeLessThanOrEqual(11);
    expect(traffic.recent(30_000)[0]!.p95_ms).toBeGreaterThanOrEqual(10);

    // One window later the requests are in the previous window, still counted; two later, gone.
    expect(traffic.recent(61_000)[0]!.requests).toBe(100);
    expect(traffic.recent(125_000)[0]!.requests).toBe(0);
  });
});
