// Latency percentiles and rates. Percentiles use the nearest-rank method: the reported p99 is a
// latency some request really had, never an interpolation between two.

export function percentile_ms(samples_ms: readonly number[], fraction: number): number {
  if (samples_ms.length === 0) throw new RangeError('percentile of no samples');
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError('fraction must lie in (0, 1]');
  const sorted = [...samples_ms].sort((a, b) => a - b);
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[rank - 1]!;
}

export function perSecond(count: number, elapsed_ms: number): number {
  return elapsed_ms > 0 ? (count * 1000) / elapsed_ms : Number.POSITIVE_INFINITY;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
}

export function summarise(samples_ms: readonly number[]): LatencySummary {
  return {
    count: samples_ms.length,
    p50_ms: percentile_ms(samples_ms, 0.5),
    p95_ms: percentile_ms(samples_ms, 0.95),
    p99_ms: percentile_ms(samples_ms, 0.99),
  };
}
