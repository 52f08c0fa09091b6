import type { PurchaseView } from '../messaging/views';
import { NBSP, PENDING_EXPLAINED, purchaseTitle, showAmount, showDateTime, showShortDateTime } from '../ui/format';

/**
 * The latest purchases, newest first, one two-line row each: what was bought and its price, then
 * where and when (or "Pending" while the shop has not answered it). Rows, amounts and separators as in the
 * options page's history table; a long title
 * is cut to one line (the whole title shows on hover, and in the options page).
 */
export function PurchaseList({ purchases, now_ms }: { purchases: readonly PurchaseView[]; now_ms: number }) {
  if (purchases.length === 0) return <p class="muted">None yet.</p>;
  return (
    <ul class="purchases">
      {purchases.map((purchase) => (
        <li key={`${purchase.transactionId}/${purchase.at}/${purchase.itemId}`} data-testid="purchase">
          <span class="title" title={purchaseTitle(purchase)} data-testid="purchase-title">
            {purchaseTitle(purchase)}
          </span>
          <span class="amount" data-testid="purchase-price">
            {showAmount(purchase.price)}
          </span>
          <span class="merchant" data-testid="purchase-merchant">
            {purchase.merchantDisplayName}
          </span>
          <span class="meta">
            {/* The customer's own money: the price at the rate locked for its tab. */}
            {purchase.priceCustomer && purchase.priceCustomer.currency !== purchase.price.currency && (
              <span class="amount" data-testid="purchase-price-customer">
                ≈{NBSP}
                {showAmount(purchase.priceCustomer)} ·{' '}
              </span>
            )}
            {purchase.status === 'pending' ? (
              <span class="pending" title={PENDING_EXPLAINED} data-testid="purchase-status">
                Pending
              </span>
            ) : (
              <time dateTime={purchase.at} title={showDateTime(purchase.at)}>
                {showShortDateTime(purchase.at, now_ms)}
              </time>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}
