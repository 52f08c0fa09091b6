// Sales at a glance: the shop's figures, sales over time (uPlot) and per item, over a period.

import { useState } from 'preact/hooks';
import { amount, Chart, useLoad } from '@opentab/console-ui';
import type { PageProps } from '../App';
import type { SalesReport, Summary } from '../types';

const PERIODS = {
  '24h': { days: 1, bucket: 'hour' },
  '7d': { days: 7, bucket: 'hour' },
  '30d': { days: 30, bucket: 'day' },
} as const;
type Period = keyof typeof PERIODS;

export function Overview({ api }: PageProps) {
  const [period, setPeriod] = useState<Period>('30d');
  const summary = useLoad(() => api.get<Summary>('/admin/summary'), [api]);
  const sales = useLoad(() => {
    const { days, bucket } = PERIODS[period];
    return api.get<SalesReport>('/admin/sales', {
      from: new Date(Date.now() - days * 86_400_000).toISOString(),
      bucket,
    });
  }, [api, period]);
  const s = summary.data;
  const series = sales.data?.series ?? [];
  return (
    <section>
      <h1>Sales</h1>
      {summary.error !== null && <p class="error">{summary.error}</p>}
      {s !== null && (
        <div class="figures-row">
          <Figure label="Sold" value={amount(s.sold)} />
          <Figure label="Cleared to you" value={amount(s.cleared)} />
          <Figure label="Refunded" value={amount(s.refunded)} />
          <Figure label="Purchases" value={String(s.purchases)} />
          <Figure label="Open tabs" value={String(s.tabs.open)} />
          <Figure label="Disputed tabs" value={String(s.disputed)} />
          <Figure label="Refunds waiting" value={String(s.pendingRefunds)} />
          <Figure label="Records undelivered" value={String(s.undeliveredRecords)} />
        </div>
      )}
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Period
          <select value={period} onChange={(e) => setPeriod(e.currentTarget.value as Period)}>
            <option value="24h">Last 24 hours</option>
            <option value="7d">Last 7 days</option>
            <option value="30d">Last 30 days</option>
          </select>
        </label>
      </form>
      {sales.error !== null && <p class="error">{sales.error}</p>}
      <div class="charts">
        <Chart
          showPoints
          maxWidth_px={720}
          height_px={240}
          title={`Sales per ${sales.data?.bucket ?? 'day'}`}
          times={series.map((point) => Date.parse(point.at) / 1000)}
          {...(sales.data !== null
            ? { range: [Date.parse(sales.data.from) / 1000, Date.parse(sales.data.until) / 1000] as const }
            : {})}
          series={[
            { label: `Sold (${s?.sold.currency ?? ''})`, values: series.map((point) => Number(point.sold.value)) },
            { label: 'Purchases', values: series.map((point) => point.count) },
          ]}
        />
      </div>
      <h2>Per item</h2>
      <table aria-label="Sales per item">
        <thead>
          <tr>
            <th>Item</th>
            <th>Title</th>
            <th class="amount">Sold</th>
            <th class="amount">Purchases</th>
            <th class="amount">Refunded</th>
          </tr>
        </thead>
        <tbody>
          {(sales.data?.items ?? []).map((item) => (
            <tr key={item.itemId}>
              <td class="id">{item.itemId}</td>
              <td>{item.title ?? '—'}</td>
              <td class="amount">{amount(item.sold)}</td>
              <td class="amount">{item.count}</td>
              <td class="amount">{amount(item.refunded)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {sales.data !== null && sales.data.items.length === 0 && <p class="muted">Nothing sold in this period.</p>}
    </section>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div class="figure">
      <span class="muted">{label}</span>
      <strong>{value}</strong>
    </div>
  );
}
