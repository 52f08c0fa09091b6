// A tab's receipts exactly as its customer was answered: signed by the merchant key, with the
// access token each released.

import { useState } from 'preact/hooks';
import { segment } from '../api';
import { amount, useLoad, when } from '@opentab/console-ui';
import type { PageProps } from '../App';
import type { ReceiptRow } from '../types';

export function Receipts({ api, argument }: PageProps) {
  const [tabId, setTabId] = useState(argument);
  const receipts = useLoad(
    () => (argument === '' ? Promise.resolve([]) : api.get<ReceiptRow[]>(`/admin/tabs/${segment(argument)}/receipts`)),
    [api, argument],
  );
  return (
    <section>
      <h1>Receipts</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          window.location.hash = `#/receipts/${tabId.trim()}`;
        }}
      >
        <label>
          Tab
          <input value={tabId} placeholder="tab_…" onInput={(e) => setTabId(e.currentTarget.value)} />
        </label>
        <button type="submit">Show</button>
      </form>
      {receipts.error !== null && <p class="error">{receipts.error}</p>}
      {(receipts.data ?? []).map((row) => (
        <article key={row.seq} aria-label={`Receipt ${row.seq}`}>
          <h2>
            #{row.seq} {row.itemId} — {amount(row.price)}
          </h2>
          <p class="muted">{when(row.at)}</p>
          <pre class="receipt">{JSON.stringify(row.receipt, null, 2)}</pre>
        </article>
      ))}
      {argument !== '' && receipts.data !== null && receipts.data.length === 0 && <p class="muted">No receipts.</p>}
    </section>
  );
}
