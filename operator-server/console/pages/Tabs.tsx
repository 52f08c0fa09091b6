// Tabs (the MTA's) and transactions (the AM's): search, and a tab's whole story as sentences.

import { useState } from 'preact/hooks';
import { type ConsoleApi, segment } from '../api';
import { amount, useLoad, when } from '@opentab/console-ui';
import type { TabStory, TabSummary, TransactionSummary } from '../types';

export function Tabs({ api }: { api: ConsoleApi }) {
  const [form, setForm] = useState({ merchantId: '', accountId: '', state: '', from: '' });
  const [query, setQuery] = useState(form);
  const since = query.from === '' ? undefined : new Date(query.from).toISOString();
  const tabs = useLoad(
    () => api.get<TabSummary[]>('/v1/admin/tabs', { merchantId: query.merchantId, state: query.state, from: since }),
    [api, query],
  );
  const transactions = useLoad(
    () =>
      api.get<TransactionSummary[]>('/v1/admin/transactions', {
        accountId: query.accountId,
        merchantId: query.merchantId,
        state: query.state,
        from: since,
      }),
    [api, query],
  );
  const [story, setStory] = useState<string | null>(null);
  const field = (name: keyof typeof form) => ({
    value: form[name],
    onInput: (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [name]: e.currentTarget.value }),
  });
  return (
    <section>
      <h1>Tabs and transactions</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery(form);
        }}
      >
        <label>
          Merchant
          <input {...field('merchantId')} />
        </label>
        <label>
          Account
          <input {...field('accountId')} />
        </label>
        <label>
          State
          <input {...field('state')} placeholder="open, cleared…" />
        </label>
        <label>
          Opened since
          <input type="datetime-local" {...field('from')} />
        </label>
        <button type="submit">Search</button>
      </form>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          const tabId = new FormData(event.currentTarget).get('tabId');
          if (typeof tabId === 'string' && tabId.trim() !== '') setStory(tabId.trim());
        }}
      >
        <label>
          Tab id
          <input name="tabId" />
        </label>
        <button type="submit">Tell its story</button>
      </form>
      <h2>Tabs at this MTA</h2>
      {tabs.error !== null && <p class="error">{tabs.error}</p>}
      <table>
        <tbody>
          {(tabs.data ?? []).map((tab) => (
            <tr key={tab.tabId} class="clickable" onClick={() => setStory(tab.tabId)}>
              <td class="id">{tab.tabId}</td>
              <td>{tab.merchantId}</td>
              <td>{tab.state}</td>
              <td class="amount">{amount(tab.deposit)}</td>
              <td class="amount">{amount(tab.cleared)}</td>
              <td>{tab.outcome ?? ''}</td>
              <td>{when(tab.openedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Deposits at this AM</h2>
      {transactions.error !== null && <p class="error">{transactions.error}</p>}
      <table>
        <tbody>
          {(transactions.data ?? []).map((t) => (
            <tr key={t.transactionId}>
              <td class="id">{t.transactionId}</td>
              <td class="id">{t.accountId}</td>
              <td>{t.merchantId}</td>
              <td>{t.state}</td>
              <td class="amount">{amount(t.hold)}</td>
              <td class="amount">{amount(t.charged)}</td>
              <td>{when(t.openedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {story !== null && <Story api={api} tabId={story} />}
    </section>
  );
}

function Story({ api, tabId }: { api: ConsoleApi; tabId: string }) {
  const story = useLoad(() => api.get<TabStory>(`/v1/admin/tabs/${segment(tabId)}/story`), [api, tabId]);
  if (story.data === null) return <p class={story.error !== null ? 'error' : 'muted'}>{story.error ?? 'Loading…'}</p>;
  return (
    <article aria-label={`Story of ${tabId}`}>
      <h2>The story of {tabId}</h2>
      <ol class="story">
        {story.data.events.map((event, i) => (
          <li key={`${i}-${event.at}`}>
            <span class="muted">{when(event.at)}</span> <strong>{event.actor}</strong> {event.what}
          </li>
        ))}
      </ol>
      <Refunds refunds={story.data.refunds} />
    </article>
  );
}

/** The merchant's refunds of the tab: taken before the clearing (it subtracts them) or given back after as a revision. */
function Refunds({ refunds }: { refunds: TabStory['refunds'] }) {
  if (refunds.length === 0) return <p class="muted">The merchant refunded nothing of this tab.</p>;
  return (
    <table aria-label="Refunds">
      <caption>Refunds by the merchant</caption>
      <thead>
        <tr>
          <th scope="col">Refund</th>
          <th scope="col">Amount</th>
          <th scope="col">When</th>
          <th scope="col">Clearing</th>
          <th scope="col">Revision</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {refunds.map((refund) => (
          <tr key={refund.refundId}>
            <td class="id">{refund.refundId}</td>
            <td class="amount">{amount(refund.amount)}</td>
            <td>{when(refund.receivedAt)}</td>
            <td>{refund.timing === 'before-clearing' ? 'before' : 'after'}</td>
            <td>{refund.revision ?? '—'}</td>
            <td>{refund.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
