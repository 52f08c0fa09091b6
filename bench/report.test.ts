import { describe, expect, it } from 'vitest';
import { atLeast, atMost, formatTable, formatValue, meetsTarget, metric, toReport, type CaseResult } from './report';
import { percentile_ms, summarise } from './support/stats';

const results: CaseResult[] = [
  {
    name: 'verify',
    metrics: [metric('verify.k_steps', 5), metric('verify.ratio_hash_vs_sig', 12.5, atLeast(50))],
    notes: ['one thread'],
  },
  { name: 'browser', metrics: [metric('browser.click_to_paid_p50_ms', null, atMost(10))], notes: [] },
];

describe('bench report', () => {
  it('has the same dotted metric names in the JSON and in the table', () => {
    const report = toReport(results);
    expect(report).toEqual({
      cases: {
        verify: { 'verify.k_steps': 5, 'verify.ratio_hash_vs_sig': 12.5 },
        browser: { 'browser.click_to_paid_p50_ms': null },
      },
    });
    const table = formatTable(results);
    for (const name of ['verify.k_steps', 'verify.ratio_hash_vs_sig', 'browser.click_to_paid_p50_ms'])
      expect(table).toContain(name);
    expect(table).toMatch(/verify\.ratio_hash_vs_sig\s+12\.5\s+≥ 50\s+MISS/);
    expect(table).toMatch(/browser\.click_to_paid_p50_ms\s+null\s+≤ 10\s+n\/a/);
    expect(table).toContain('verify: one thread');
  });

  it('judges targets in their direction and leaves missing figures undecided', () => {
    expect(meetsTarget(60, atLeast(50))).toBe(true);
    expect(meetsTarget(1.4, atMost(1.3))).toBe(false);
    expect(meetsTarget(null, atMost(10))).toBeNull();
  });

  it('prints figures for people: no exponents, three significant digits', () => {
    expect(formatValue(123456.7)).toBe('123,457');
    expect(formatValue(12.34)).toBe('12.3');
    expect(formatValue(0.00123456)).toBe('0.00123');
  });
});

describe('percentiles', () => {
  it('uses the nearest rank, so every percentile is a latency that happened', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile_ms(samples, 0.5)).toBe(50);
    expect(percentile_ms(samples, 0.99)).toBe(99);
    expect(summarise([3, 1, 2])).toEqual({ count: 3, p50_ms: 2, p95_ms: 3, p99_ms: 3 });
  });
});
