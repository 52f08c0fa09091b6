import { useEffect, useState } from 'preact/hooks';
import type { CallError } from '../messaging/result';
import type { HistoryView } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { ErrorNote } from '../ui/ErrorNote';
import { ClosedTabsTable } from './ClosedTabsTable';
import { downloadText, NBSP, PENDING_EXPLAINED, purchaseTitle, showAmount, showDateTime } from '../ui/format';
import { correctionNoteOf } from './statement-note';

export function HistorySection({ client }: { client: AgentClient }) {
  const [history, setHistory] = useState<HistoryView | null>(null);
  const [error, setError] = useState<CallError | null>(null);

  useEffect(() => {
    const load = () =>
      void client.call('getHistory', {}).then((answer) => {
        // A later answer replaces an earlier failure: the page shows what is true now.
        setError(answer.ok ? null : answer.error);
        if (answer.ok) setHistory(answer.value);
      });
    load();
    // New purchases and charges show while the page is open.
    return client.subscribe(load);
  }, [client]);
  const purchases = history?.purchases ?? [];

  async function exportCsv() {
    const answer = await client.call('exportHistoryCsv', {});
    if (answer.ok) downloadText(answer.value.filename, answer.value.csv, 'text/csv');
    else setError(answer.error);
  }

  return (
    <section aria-label="History">
      <h2>Purchase history</h2>
      {history === null && error === null && <p class="muted">Loading…</p>}
      {history && purchases.length === 0 && <p class="muted">No purchases yet.</p>}
      {purchases.length > 0 && (
        <>
          <button type="button" onClick={() => void exportCsv()}>
            Export CSV
          </button>
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Merchant</th>
                <th>Item</th>
                <th class="amount">Price</th>
                <th class="amount">In your currency</th>
              </tr>
            </thead>
            <tbody>
              {purchases.map((purchase) => (
                <tr key={`${purchase.transactionId}/${purchase.at}/${purchase.itemId}`}>
                  <td class="when">{showDateTime(purchase.at)}</td>
                  <td>{purchase.merchantDisplayName}</td>
                  <td title={purchase.title === null ? undefined : purchase.itemId}>
                    {purchaseTitle(purchase)}
                    {purchase.status === 'pending' && (
                      <span class="pending" title={PENDING_EXPLAINED} data-testid="purchase-status">
                        {' '}
                        (pending)
                      </span>
                    )}
                  </td>
                  <td class="amount">{showAmount(purchase.price)}</td>
                  {/* At the rate locked for the purchase's tab; a tab this wallet does not hold has none. */}
                  <td class="amount" data-testid="purchase-price-customer">
                    {purchase.priceCustomer ? `≈${NBSP}${showAmount(purchase.priceCustomer)}` : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {/* What the operator says: shown once read, so no heading stands empty meanwhile. */}
      {history && (
        <>
          <h2>Closed tabs</h2>
          {!history.statementProblem && history.closedTabs.length === 0 && <p class="muted">No closed tabs yet.</p>}
          {history.closedTabs.length > 0 && <ClosedTabsTable tabs={history.closedTabs} />}
          <h2>Account statement</h2>
        </>
      )}
      {history?.statementProblem && <p class="warning">{history.statementProblem}</p>}
      {history?.statement && history.statement.length === 0 && <p class="muted">No charges yet.</p>}
      {history?.statement && history.statement.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>What</th>
              <th class="amount">Amount</th>
            </tr>
          </thead>
          <tbody>
            {history.statement.map((entry) => (
              <tr key={entry.entryId} data-testid="statement-row">
                <td class="when">{showDateTime(entry.at)}</td>
                <td>
                  {entry.merchantDisplayName ?? entry.memo}
                  {correctionNoteOf(entry.memo) !== null && (
                    <div class="muted" data-testid="statement-note">
                      {correctionNoteOf(entry.memo)}
                    </div>
                  )}
                </td>
                <td class="amount">{showAmount(entry.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNote error={error} />
    </section>
  );
}
