// Tabs, open ones first: what each holds and has spent; a tab's purchases, and refunding it whole.

import { useState } from 'preact/hooks';
import { segment } from '../api';
import { amount, useLoad, when } from '@opentab/console-ui';
import { RefundForm } from '../RefundForm';
import type { PageProps } from '../App';
import type { PurchaseRow, TabRow } from '../types';
import { PurchaseTable } from './Purchases';

export function Tabs({ api, me }: PageProps) {
  const [status, setStatus] = useState<'open' | 'stopped' | 'cleared' | ''>('open');
  const [chosen, setChosen] = useState<string | null>(null);
  const tabs = useLoad(() => api.get<TabRow[]>('/admin/tabs', { status }), [api, status]);
  return (
    <section>
      <h1>Tabs</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as typeof status)}>
            <option value="open">Open</option>
            <option value="stopped">Stopped</option>
            <option value="cleared">Cleared</option>
            <option value="">All</option>
          </select>
        </label>
      </form>
      {tabs.error !== null && <p class="error">{tabs.error}</p>}
      <table aria-label="Tabs">
        <thead>
          <tr>
            <th>Tab</th>
            <th>Status</th>
            <th class="amount">Deposit</th>
            <th class="amount">Spent</th>
            <th class="amount">Refunded</th>
            <th class="amount">Purchases</th>
            <th>Opened</th>
          </tr>
        </thead>
        <tbody>
          {(tabs.data ?? []).map((tab) => (
            <tr key={tab.tabId} class="clickable" onClick={() => setChosen(tab.tabId)}>
              <td class="id">{tab.tabId}</td>
              <td>{tab.status}</td>
              <td class="amount">{amount(tab.deposit)}</td>
              <td class="amount">{amount(tab.spent)}</td>
              <td class="amount">{amount(tab.refunded)}</td>
              <td class="amount">{tab.purchaseCount}</td>
              <td>{when(tab.openedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {tabs.data !== null && tabs.data.length === 0 && <p class="muted">No tabs.</p>}
      {chosen !== null && (
        <TabDetail key={chosen} api={api} tabId={chosen} canRefund={me.role === 'owner'} onChange={tabs.reload} />
      )}
    </section>
  );
}

function TabDetail({
  api,
  tabId,
  canRefund,
  onChange,
}: {
  api: PageProps['api'];
  tabId: string;
  canRefund: boolean;
  onChange: () => void;
}) {
  const tab = useLoad(() => api.get<TabRow>(`/admin/tabs/${segment(tabId)}`), [api, tabId]);
  const purchases = useLoad(() => api.get<PurchaseRow[]>('/admin/purchases', { tabId, limit: '1000' }), [api, tabId]);
  const reload = () => {
    tab.reload();
    purchases.reload();
    onChange();
  };
  const t = tab.data;
  return (
    <article aria-label={`Tab ${tabId}`}>
      <h2 class="id">{tabId}</h2>
      {tab.error !== null && <p class="error">{tab.error}</p>}
      {t !== null && (
        <dl>
          <dt>Customer</dt>
          <dd class="id">{t.pseudonym}</dd>
          <dt>Status</dt>
          <dd>
            {t.status}
            {t.stopReason !== null ? ` (${t.stopReason})` : ''}
          </dd>
          <dt>Spent</dt>
          <dd>
            {amount(t.spent)} of {amount(t.deposit)}
          </dd>
          <dt>Refunded</dt>
          <dd>{amount(t.refunded)}</dd>
          <dt>Cleared</dt>
          <dd>
            {t.cleared === null
              ? 'not yet'
              : `${amount(t.cleared.amount)} (${t.cleared.outcome}, revision ${t.cleared.revision})`}
          </dd>
          <dt>Expires</dt>
          <dd>{when(t.expiresAt)}</dd>
        </dl>
      )}
      <div class="actions">
        <a href={`#/receipts/${tabId}`}>Receipts</a>
        {canRefund && <RefundForm api={api} tabId={tabId} label="Refund the whole tab" onDone={reload} />}
      </div>
      <PurchaseTable api={api} purchases={purchases.data ?? []} canRefund={canRefund} onChange={reload} />
    </article>
  );
}
