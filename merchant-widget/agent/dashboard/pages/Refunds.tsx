// Every refund and where it stands with the operator.

import { amount, useLoad, when } from '@opentab/console-ui';
import { describeRefund } from '../RefundForm';
import type { PageProps } from '../App';
import type { RefundView } from '../types';

export function Refunds({ api }: PageProps) {
  const refunds = useLoad(() => api.get<RefundView[]>('/admin/refunds', { limit: '200' }), [api]);
  return (
    <section>
      <h1>Refunds</h1>
      {refunds.error !== null && <p class="error">{refunds.error}</p>}
      <table aria-label="Refunds">
        <thead>
          <tr>
            <th>When</th>
            <th>Tab</th>
            <th>Purchases</th>
            <th class="amount">Amount</th>
            <th>Reason</th>
            <th>By</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {(refunds.data ?? []).map((refund) => (
            <tr key={refund.refundId}>
              <td>{when(refund.requestedAt)}</td>
              <td class="id">{refund.tabId}</td>
              <td>{refund.seqs.join(', ')}</td>
              <td class="amount">{amount(refund.amount)}</td>
              <td>{refund.reason}</td>
              <td>{refund.requestedBy}</td>
              <td class={`status-${refund.status}`} title={describeRefund(refund)}>
                {refund.status}
                {refund.timing !== null ? ` (${refund.timing})` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {refunds.data !== null && refunds.data.length === 0 && <p class="muted">No refunds.</p>}
    </section>
  );
}
