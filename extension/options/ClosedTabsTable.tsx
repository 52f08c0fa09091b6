import type { ClearingOutcome } from '@opentab/protocol';
import type { ClosedTabView } from '../messaging/views';
import { disputeExplained } from '../ui/clearing-text';
import { showAmount, showDateTime } from '../ui/format';

/** The outcome in the customer's words. */
const OUTCOME_WORDS: Record<ClearingOutcome, string> = {
  agreed: 'Agreed',
  disputed: 'Disputed',
  'customer-record-missing': 'Cleared on the merchant’s record',
  'merchant-record-missing': 'Cleared on your record',
  'no-records': 'No records: nothing charged',
  voided: 'Never opened: nothing charged',
};

/** Every closed tab the operator lists: how it cleared, what it cost, and why when disputed. */
export function ClosedTabsTable({ tabs }: { tabs: readonly ClosedTabView[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Cleared</th>
          <th>Merchant</th>
          <th>Outcome</th>
          <th class="amount">Charged</th>
        </tr>
      </thead>
      <tbody>
        {tabs.map((tab) => {
          const explained = disputeExplained(tab);
          return (
            <tr key={tab.transactionId} data-testid="closed-tab-row">
              <td class="when">{tab.clearedAt ? showDateTime(tab.clearedAt) : 'being cleared'}</td>
              <td>{tab.merchantDisplayName}</td>
              <td>
                <span class={tab.disputed ? 'disputed' : undefined}>
                  {tab.outcome ? OUTCOME_WORDS[tab.outcome] : tab.disputed ? 'Disputed' : '—'}
                </span>
                {explained && (
                  <div class="small" data-testid="closed-tab-why">
                    {explained}
                  </div>
                )}
              </td>
              <td class="amount">{tab.charged ? showAmount(tab.charged) : '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
