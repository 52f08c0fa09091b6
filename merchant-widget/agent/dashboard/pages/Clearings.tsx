// Stopped and cleared tabs: whether the MTA has the merchant's record, and what each tab cleared.

import { amount, useLoad, when } from '@opentab/console-ui';
import type { PageProps } from '../App';
import type { ClearingRow } from '../types';

export function Clearings({ api }: PageProps) {
  const clearings = useLoad(() => api.get<ClearingRow[]>('/admin/clearings', { limit: '200' }), [api]);
  return (
    <section>
      <h1>Clearings</h1>
      {clearings.error !== null && <p class="error">{clearings.error}</p>}
      <table aria-label="Clearings">
        <thead>
          <tr>
            <th>Tab</th>
            <th>Record</th>
            <th class="amount">Spent</th>
            <th class="amount">Refunded</th>
            <th class="amount">Cleared</th>
            <th>Outcome</th>
            <th>Cleared at</th>
          </tr>
        </thead>
        <tbody>
          {(clearings.data ?? []).map(({ tab, record }) => (
            <tr key={tab.tabId}>
              <td class="id">{tab.tabId}</td>
              <td>
                {record === null
                  ? 'none'
                  : record.refusedCode !== null
                    ? `refused (${record.refusedCode})`
                    : record.acknowledged
                      ? 'acknowledged'
                      : `sending (${record.attempts} attempts${record.lastError !== null ? `: ${record.lastError}` : ''})`}
              </td>
              <td class="amount">{amount(tab.spent)}</td>
              <td class="amount">{amount(tab.refunded)}</td>
              <td class="amount">{tab.cleared === null ? 'waiting' : amount(tab.cleared.amount)}</td>
              <td class={tab.cleared === null ? '' : `status-${tab.cleared.outcome}`}>
                {tab.cleared === null
                  ? '—'
                  : `${tab.cleared.outcome}${tab.cleared.revision > 0 ? `, revision ${tab.cleared.revision}` : ''}`}
              </td>
              <td>{when(tab.cleared?.clearedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {clearings.data !== null && clearings.data.length === 0 && <p class="muted">No tab has stopped yet.</p>}
    </section>
  );
}
