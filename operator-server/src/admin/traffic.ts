// The requests this process answered lately, per route group: how many per second, and the 50th,
// 95th and 99th percentile of their latency. Each group keeps two histograms of fixed buckets
// (the window now filling and the one before), so memory stays the same however many requests
// come, and a percentile is read to within one bucket (10 % of its value).

/** Bucket upper bounds in milliseconds: 0.05 ms to about 100 s, each 10 % above the one before. */
const BOUNDS_MS: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let bound = 0.05; bound < 100_000; bound *= 1.1) bounds.push(bound);
  return bounds;
})();

export class LatencyHistogram {
  /** One count per bound, and one past the last. */
  private readonly counts = new Uint32Array(BOUNDS_MS.length + 1);
  count = 0;

  record(duration_ms: number): void {
    this.counts[bucketOf(duration_ms)]!++;
    this.count++;
  }

  add(other: LatencyHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
  }

  /** The upper bound of the bucket holding the q-th quantile; null when empty. */
  quantile_ms(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return BOUNDS_MS[i] ?? Number.POSITIVE_INFINITY;
    }
    return Number.POSITIVE_INFINITY;
  }
}

function bucketOf(duration_ms: number): number {
  let low = 0;
  let high = BOUNDS_MS.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (duration_ms <= BOUNDS_MS[mid]!) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** Which group a route belongs to, by its path template: the parties that call it. */
export function routeGroupOf(routePath: string): string {
  if (routePath.startsWith('/v1/customer/')) return 'customer';
  if (routePath.startsWith('/v1/peer/')) return 'peer';
  if (routePath.startsWith('/v1/merchant/')) return 'merchant';
  if (routePath.startsWith('/v1/arbiter/')) return 'arbiter';
  if (routePath.startsWith('/v1/admin/') || routePath.startsWith('/v1/staff/') || routePath === '/metrics')
    return 'admin';
  if (routePath === '/v1/operator' || routePath === '/v1/rates') return 'public';
  return 'other';
}

export interface GroupTraffic {
  readonly group: string;
  /** Requests answered in the recent window. */
  readonly requests: number;
  readonly rate_per_s: number;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
}

interface GroupWindows {
  current: LatencyHistogram;
  previous: LatencyHistogram;
}

/**
 * Recent traffic per group over the last one to two windows. Windows turn on the operator's
 * clock, so tests drive them; durations are measured on the monotonic clock by the caller.
 */
export class Traffic {
  private readonly groups = new Map<string, GroupWindows>();
  private windowStart_ms: number;

  constructor(
    private readonly window_ms: number,
    now_ms: number,
  ) {
    this.windowStart_ms = now_ms;
  }

  observe(routePath: string, duration_ms: number, now_ms: number): void {
    this.turn(now_ms);
    const group = routeGroupOf(routePath);
    let windows = this.groups.get(group);
    if (windows === undefined) {
      windows = { current: new LatencyHistogram(), previous: new LatencyHistogram() };
      this.groups.set(group, windows);
    }
    windows.current.record(duration_ms);
  }

  /** Each group seen, in name order, over the window now filling and the one before it. */
  recent(now_ms: number): GroupTraffic[] {
    this.turn(now_ms);
    const span_s = (this.window_ms + Math.max(0, now_ms - this.windowStart_ms)) / 1000;
    return [...this.groups]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([group, windows]) => {
        const both = new LatencyHistogram();
        both.add(windows.previous);
        both.add(windows.current);
        return {
          group,
          requests: both.count,
          rate_per_s: both.count / span_s,
          p50_ms: both.quantile_ms(0.5),
          p95_ms: both.quantile_ms(0.95),
          p99_ms: both.quantile_ms(0.99),
        };
      });
  }

  private turn(now_ms: number): void {
    const elapsed = now_ms - this.windowStart_ms;
    if (elapsed < this.window_ms) return;
    // More than two windows without a turn: nothing of either is recent any more.
    const skipped = elapsed >= 2 * this.window_ms;
    for (const windows of this.groups.values()) {
      windows.previous = skipped ? new LatencyHistogram() : windows.current;
      windows.current = new LatencyHistogram();
    }
    this.windowStart_ms = now_ms - (elapsed % this.window_ms);
  }
}
