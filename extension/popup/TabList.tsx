import { describeRateSource } from '@opentab/protocol';
import type { TabView } from '../messaging/views';
import { NBSP, showAmount, timeLeft } from '../ui/format';

export function TabList({
  tabs,
  now_ms,
  onClose,
}: {
  tabs: readonly TabView[];
  now_ms: number;
  onClose: (transactionId: string) => void;
}) {
  if (tabs.length === 0) return <p class="muted">No open tabs.</p>;
  // Four columns, the deposit and the time left under the merchant's name: in the popup's 480 px,
  // six columns squeezed a merchant's name onto three lines.
  return (
    <table class="tabs">
      <thead>
        <tr>
          <th>Merchant</th>
          <th class="amount">Spent</th>
          <th class="amount">Left</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {tabs.map((tab) => (
          <tr key={tab.transactionId || tab.merchant.merchantId} data-testid="tab-row">
            <td>
              {tab.merchantDisplayName}
              <br />
              <span class="muted small" data-testid="tab-terms">
                deposit {showAmount(tab.depositMerchant)} ·{' '}
                {tab.expiresAt ? `${timeLeft(tab.expiresAt, now_ms)} left` : 'opening…'}
                {/* The rate locked for the tab converts what is left: say whose, of which day. */}
                {tab.rateSource !== undefined && tab.remainingCustomer.currency !== tab.remaining.currency && (
                  <span data-testid="tab-rate-source"> · {describeRateSource(tab.rateSource)}</span>
                )}
              </span>
            </td>
            <td class="amount">{showAmount(tab.spent)}</td>
            <td class="amount">
              {showAmount(tab.remaining)}
              {/* In the account's currency too, as the shop's buttons show prices: a tooltip alone is lost on touch screens. */}
              {tab.remainingCustomer.currency !== tab.remaining.currency && (
                <span class="muted" data-testid="remaining-customer">
                  <br />≈{NBSP}
                  {showAmount(tab.remainingCustomer)}
                </span>
              )}
            </td>
            <td class="actions-cell">
              {tab.phase === 'open' && (
                <button
                  type="button"
                  onClick={() => onClose(tab.transactionId)}
                  aria-label={`Close tab at ${tab.merchantDisplayName}`}
                >
                  Close
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
