// The business at a glance: the figures the operator counts (the same /metrics serves), charted
// with uPlot from the operator's history (a sample a minute over the last day) and then sampled
// every few seconds while the page is open, with the request rate and latency percentiles of each
// route group.

import { useEffect, useState } from 'preact/hooks';
import type { ConsoleApi } from '../api';
import { amount, Chart, errorText, when } from '@opentab/console-ui';
import type { Figures } from '../types';

const SAMPLE_EVERY_MS = 5_000;
/** The operator's day of minute samples, and an hour of the page's own. */
const SAMPLES_KEPT = 1_440 + 720;

const ms = (value: number | null): string =>
  value === null ? '—' : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

export function Overview({ api }: { api: ConsoleApi }) {
  const [samples, setSamples] = useState<Figures[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const sample = () =>
      api.get<Figures>('/v1/admin/figures').then(
        (figures) => {
          if (stopped) return;
          setError(null);
          setSamples((kept) => [...kept, figures].slice(-SAMPLES_KEPT));
        },
        (failure: unknown) => setError(errorText(failure)),
      );
    let timer: ReturnType<typeof setInterval> | undefined;
    // History first, so the charts draw the day at once and live samples follow it in time order.
    void api
      .get<Figures[]>('/v1/admin/figures/history')
      .then(
        (history) => {
          if (!stopped) setSamples((kept) => [...history, ...kept].slice(-SAMPLES_KEPT));
        },
        (failure: unknown) => setError(errorText(failure)),
      )
      .then(() => {
        if (stopped) return;
        void sample();
        timer = setInterval(sample, SAMPLE_EVERY_MS);
      });
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api]);
  const [published, setPublished] = useState<string | null>(null);
  const publish = () =>
    api.post<{ tableId: string; validUntil: string }>('/v1/admin/rates/publish', {}).then(
      (table) => setPublished(`Published rate table ${table.tableId}, valid until ${when(table.validUntil)}.`),
      (failure: unknown) => setPublished(errorText(failure)),
    );
  const latest = samples.at(-1);
  const times = samples.map((s) => Date.parse(s.at) / 1000);
  const currencies = [...new Set(samples.flatMap((s) => s.clearedByCurrency.map((line) => line.currency)))];
  const holdCurrencies = [...new Set(samples.flatMap((s) => s.holdsPending.map((line) => line.currency)))];
  const groups = [...new Set(samples.flatMap((s) => s.traffic.map((line) => line.group)))].sort();
  const trafficOf = (s: Figures, group: string) => s.traffic.find((line) => line.group === group);
  return (
    <section>
      <h1>Overview</h1>
      {error !== null && <p class="error">{error}</p>}
      <div class="actions">
        <button type="button" onClick={publish}>
          Publish a rate table now
        </button>
        {published !== null && <p role="status">{published}</p>}
      </div>
      {latest !== undefined && (
        <dl class="figures">
          <dt>Tabs at this MTA</dt>
          <dd>
            {sum(latest.tabsByState)} ({latest.tabsByState.open ?? 0} open, {latest.tabsByState.cleared ?? 0} cleared)
          </dd>
          <dt>Deposits at this AM</dt>
          <dd>{sum(latest.transactionsByState)}</dd>
          <dt>Cleared</dt>
          <dd>{latest.clearedByCurrency.map((line) => amount(line.total)).join(', ') || '—'}</dd>
          <dt>Holds outstanding</dt>
          <dd>{latest.holdsPending.map((line) => `${line.holds} (${amount(line.total)})`).join(', ') || 'none'}</dd>
          <dt>Disputes</dt>
          <dd>
            {latest.disputes.total} ({latest.disputes.resolved} decided)
          </dd>
          <dt>Requests (last minutes)</dt>
          <dd>
            {latest.traffic
              .map(
                (line) =>
                  `${line.group}: ${line.rate_per_s.toFixed(2)}/s, p50 ${ms(line.p50_ms)}, p95 ${ms(line.p95_ms)}, p99 ${ms(line.p99_ms)}`,
              )
              .join('; ') || 'none'}
          </dd>
          <dt>Outbox</dt>
          <dd>
            {latest.outbox.pending} waiting, {latest.outbox.failing} failing, {latest.outbox.delivered} delivered
          </dd>
        </dl>
      )}
      <div class="charts">
        <Chart
          title="Tabs"
          times={times}
          series={[
            { label: 'opened', values: samples.map((s) => sum(s.tabsByState)) },
            { label: 'cleared', values: samples.map((s) => s.tabsByState.cleared ?? 0) },
            { label: 'deposits (AM)', values: samples.map((s) => sum(s.transactionsByState)) },
          ]}
        />
        <Chart
          title="Cleared volume"
          times={times}
          series={currencies.map((currency) => ({
            label: currency,
            values: samples.map((s) => {
              const line = s.clearedByCurrency.find((l) => l.currency === currency);
              return line === undefined ? 0 : Number(line.total.value);
            }),
          }))}
        />
        <Chart
          title="Holds outstanding"
          times={times}
          series={holdCurrencies.map((currency) => ({
            label: currency,
            values: samples.map((s) => s.holdsPending.find((l) => l.currency === currency)?.holds ?? 0),
          }))}
        />
        <Chart
          title="Disputes and outbox"
          times={times}
          series={[
            {
              label: 'dispute rate (%)',
              values: samples.map((s) =>
                (s.tabsByState.cleared ?? 0) === 0 ? 0 : (100 * s.disputes.total) / (s.tabsByState.cleared ?? 1),
              ),
            },
            { label: 'outbox waiting', values: samples.map((s) => s.outbox.pending) },
            { label: 'outbox failing', values: samples.map((s) => s.outbox.failing) },
          ]}
        />
        <Chart
          title="Requests per second"
          times={times}
          series={groups.map((group) => ({
            label: group,
            values: samples.map((s) => trafficOf(s, group)?.rate_per_s ?? 0),
          }))}
        />
        {groups.map((group) => (
          <Chart
            key={group}
            title={`Latency of ${group} requests (ms)`}
            times={times}
            series={(['p50_ms', 'p95_ms', 'p99_ms'] as const).map((percentile) => ({
              label: percentile.replace('_ms', ''),
              values: samples.map((s) => trafficOf(s, group)?.[percentile] ?? null),
            }))}
          />
        ))}
      </div>
    </section>
  );
}
