// Tabs the MTA cleared as disputed: what the merchant claimed, what it was paid, and the
// operator's decision (uphold or adjustment) with its reason once it decided.

import { amount, useLoad } from '@opentab/console-ui';
import type { PageProps } from '../App';
import type { DisputeRow } from '../types';

export function Disputes({ api }: PageProps) {
  const disputes = useLoad(() => api.get<DisputeRow[]>('/admin/disputes'), [api]);
  return (
    <section>
      <h1>Disputes</h1>
      <p class="muted">
        When the two records of a tab disagree, the operator clears what the customer's hash chain proves and may later
        decide otherwise. Its decision arrives signed, with its reason; an adjustment also arrives as a new revision of
        the tab's clearing.
      </p>
      {disputes.error !== null && <p class="error">{disputes.error}</p>}
      <table aria-label="Disputes">
        <thead>
          <tr>
            <th>Tab</th>
            <th class="amount">Claimed</th>
            <th class="amount">Refunded</th>
            <th class="amount">Cleared</th>
            <th class="amount">Not paid</th>
            <th>Outcome</th>
            <th>Operator's reason</th>
          </tr>
        </thead>
        <tbody>
          {(disputes.data ?? []).map((dispute) => (
            <tr key={dispute.tab.tabId}>
              <td class="id">{dispute.tab.tabId}</td>
              <td class="amount">{amount(dispute.claimed)}</td>
              <td class="amount">{amount(dispute.tab.refunded)}</td>
              <td class="amount">{amount(dispute.tab.cleared?.amount)}</td>
              <td class="amount">{amount(dispute.shortfall)}</td>
              <td>{outcomeOf(dispute)}</td>
              <td>{dispute.decision?.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {disputes.data !== null && disputes.data.length === 0 && <p class="muted">No disputes.</p>}
    </section>
  );
}

function outcomeOf(dispute: DisputeRow): string {
  const decision = dispute.decision;
  if (decision === null)
    return dispute.revision === 0 ? 'cleared on the chain’s proof' : `corrected (revision ${dispute.revision})`;
  if (decision.decision === 'uphold') return `upheld by the operator at ${amount(decision.clearedAfter)}`;
  return `adjusted by the operator from ${amount(decision.clearedBefore)} to ${amount(decision.clearedAfter)}`;
}
