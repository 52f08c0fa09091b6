import type { ClosedTabView } from '../messaging/views';
import { disputedCharge, disputeExplained } from '../ui/clearing-text';
import { NBSP, showAmount, showDateTime, showShortDateTime } from '../ui/format';

/**
 * The latest tabs that closed and what each finally cost: what the operator charged, in the
 * customer's currency, and what the receipts add up to. One cleared for another amount than the
 * receipts in this wallet prove is marked disputed, with both amounts, and why: the operator's
 * decision and its reason, or its sentence on the disagreement.
 */
export function ClosedTabList({ tabs, now_ms }: { tabs: readonly ClosedTabView[]; now_ms: number }) {
  return (
    <ul class="purchases">
      {tabs.map((tab) => (
        <li key={tab.transactionId} data-testid="closed-tab">
          <span class="title">{tab.merchantDisplayName}</span>
          <span class="amount" data-testid="closed-tab-cost">
            {tab.charged ? `cost ${showAmount(tab.charged)}` : 'being cleared'}
          </span>
          <span class={tab.disputed ? 'merchant wraps' : 'merchant'} data-testid="closed-tab-receipts">
            {tab.disputed ? (
              <span class="disputed">{disputedCharge(tab)}</span>
            ) : tab.spent ? (
              <>
                receipts {showAmount(tab.spent)}
                {tab.spentCustomer && tab.spentCustomer.currency !== tab.spent.currency && (
                  <>
                    {' '}
                    ≈{NBSP}
                    {showAmount(tab.spentCustomer)}
                  </>
                )}
              </>
            ) : (
              'opened in another browser'
            )}
          </span>
          <span class="meta">
            {tab.clearedAt && (
              <time dateTime={tab.clearedAt} title={showDateTime(tab.clearedAt)}>
                {showShortDateTime(tab.clearedAt, now_ms)}
              </time>
            )}
          </span>
          <Explained tab={tab} />
        </li>
      ))}
    </ul>
  );
}

function Explained({ tab }: { tab: ClosedTabView }) {
  const explained = disputeExplained(tab);
  return explained === null ? null : (
    <span class="why" data-testid="closed-tab-why">
      {explained}
    </span>
  );
}
