// /metrics in Prometheus' text format (version 0.0.4): the figures the console charts, counted
// from the store at each scrape, and the requests this process answered since it started
// (counts per route and status, latency as a histogram). Pure but for the counters it keeps.

import type * as v from 'valibot';
import type { Figures } from '../http/admin-operations-api';

/** Upper bounds of the latency histogram, in seconds. */
const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface RouteLatency {
  readonly buckets: number[];
  count: number;
  sum_s: number;
}

/** Requests answered, by route template (never the raw path: ids would make a series each). */
export class RequestMetrics {
  private readonly counts = new Map<string, number>();
  private readonly latencies = new Map<string, RouteLatency>();

  observe(route: string, method: string, status: number, duration_ms: number): void {
    const key = labels({ route, method, status: String(status) });
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const latencyKey = labels({ route, method });
    const latency = this.latencies.get(latencyKey) ?? {
      buckets: LATENCY_BUCKETS_S.map(() => 0),
      count: 0,
      sum_s: 0,
    };
    const duration_s = duration_ms / 1000;
    LATENCY_BUCKETS_S.forEach((bound, i) => {
      if (duration_s <= bound) latency.buckets[i]!++;
    });
    latency.count++;
    latency.sum_s += duration_s;
    this.latencies.set(latencyKey, latency);
  }

  lines(): string[] {
    const out = [
      '# HELP opentab_http_requests_total Requests answered, by route, method and status.',
      '# TYPE opentab_http_requests_total counter',
      ...[...this.counts].map(([key, count]) => `opentab_http_requests_total{${key}} ${count}`),
      '# HELP opentab_http_request_duration_seconds Time from request to answer, by route and method.',
      '# TYPE opentab_http_request_duration_seconds histogram',
    ];
    for (const [key, latency] of this.latencies) {
      LATENCY_BUCKETS_S.forEach((bound, i) =>
        out.push(`opentab_http_request_duration_seconds_bucket{${key},le="${bound}"} ${latency.buckets[i]}`),
      );
      out.push(`opentab_http_request_duration_seconds_bucket{${key},le="+Inf"} ${latency.count}`);
      out.push(`opentab_http_request_duration_seconds_sum{${key}} ${latency.sum_s}`);
      out.push(`opentab_http_request_duration_seconds_count{${key}} ${latency.count}`);
    }
    return out;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}="${escapeLabel(value)}"`)
    .join(',');
}

function gauge(name: string, help: string, samples: ReadonlyArray<readonly [Record<string, string>, number | string]>) {
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
    ...samples.map(([sampleLabels, value]) => {
      const text = labels(sampleLabels);
      return `${name}${text === '' ? '' : `{${text}}`} ${value}`;
    }),
  ];
}

/** The whole exposition: store figures first, then the request counters. Ends with a newline. */
export function prometheusText(operatorId: string, figures: v.InferOutput<typeof Figures>, requests: RequestMetrics) {
  const op = { operator: operatorId };
  const byState = (counts: Record<string, number>) =>
    Object.entries(counts).map(([state, n]) => [{ ...op, state }, n] as const);
  return `${[
    ...gauge('opentab_tabs', "The MTA's tabs by state.", byState(figures.tabsByState)),
    ...gauge('opentab_transactions', "The AM's deposits by state.", byState(figures.transactionsByState)),
    ...gauge(
      'opentab_cleared_tabs',
      'Tabs cleared, by merchant currency.',
      figures.clearedByCurrency.map((line) => [{ ...op, currency: line.currency }, line.tabs] as const),
    ),
    ...gauge(
      'opentab_cleared_amount',
      'What cleared tabs cleared in total, in major units of their currency.',
      figures.clearedByCurrency.map((line) => [{ ...op, currency: line.currency }, line.total.value] as const),
    ),
    ...gauge(
      'opentab_holds_pending',
      'Holds not yet captured or released, by currency.',
      figures.holdsPending.map((line) => [{ ...op, currency: line.currency }, line.holds] as const),
    ),
    ...gauge(
      'opentab_holds_pending_amount',
      'What pending holds reserve, in major units of their currency.',
      figures.holdsPending.map((line) => [{ ...op, currency: line.currency }, line.total.value] as const),
    ),
    ...gauge('opentab_disputes', 'Disputes recorded.', [[op, figures.disputes.total]]),
    ...gauge('opentab_disputes_resolved', 'Disputed tabs the operator decided.', [[op, figures.disputes.resolved]]),
    ...gauge('opentab_outbox_pending', 'Outbox messages not delivered yet.', [[op, figures.outbox.pending]]),
    ...gauge('opentab_outbox_failing', 'Undelivered outbox messages whose delivery failed at least once.', [
      [op, figures.outbox.failing],
    ]),
    ...gauge('opentab_outbox_delivered', 'Outbox messages delivered.', [[op, figures.outbox.delivered]]),
    ...gauge(
      'opentab_http_recent_request_rate',
      'Requests per second over the last one to two minutes, by route group.',
      figures.traffic.map((line) => [{ ...op, group: line.group }, line.rate_per_s] as const),
    ),
    ...gauge(
      'opentab_http_recent_latency_seconds',
      'Latency percentiles over the last one to two minutes, by route group (each within 10 %).',
      figures.traffic.flatMap((line) =>
        (
          [
            ['0.5', line.p50_ms],
            ['0.95', line.p95_ms],
            ['0.99', line.p99_ms],
          ] as const
        )
          .filter(([, ms]) => ms !== null)
          .map(([quantile, ms]) => [{ ...op, group: line.group, quantile }, ms! / 1000] as const),
      ),
    ),
    ...requests.lines(),
  ].join('\n')}\n`;
}
