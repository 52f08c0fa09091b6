import type { ConfirmationView, SignedProductSummary } from '../messaging/views';
import { NBSP, purchaseTitle, showAmount, showSize } from '../ui/format';

/** "0.15 EUR (≈ 1.70 SEK)", or the price alone when the merchant prices in the customer's currency. */
function bothCurrencies(merchant: ConfirmationView['item']['price'], customer: ConfirmationView['item']['price']) {
  return merchant.currency === customer.currency
    ? showAmount(merchant)
    : `${showAmount(merchant)} (≈${NBSP}${showAmount(customer)})`;
}

/**
 * What the click that asks for the tab buys, and, when a tab here cannot pay it, what is left on
 * that tab, what it cost, and that approving closes it.
 */
export function PurchaseSummary({ view }: { view: ConfirmationView }) {
  const { item } = view;
  return (
    <>
      <PurchaseLine view={view} />
      {item.delivered && <DeliveredProduct product={item.delivered} />}
    </>
  );
}

/** A product sold by secure delivery: what its merchant signed, read before anything is ordered. */
function DeliveredProduct({ product }: { product: SignedProductSummary }) {
  return (
    <p class="muted small" data-testid="signed-description">
      Signed by the shop: {product.summary || product.name} File: {product.fileName} ({product.mediaType},{' '}
      {showSize(product.size_bytes)}), checked before you pay.
    </p>
  );
}

function PurchaseLine({ view }: { view: ConfirmationView }) {
  const { item, replacing } = view;
  const title = <strong>{purchaseTitle(item)}</strong>;
  const price = bothCurrencies(item.price, item.priceCustomer);
  if (replacing === null) {
    return (
      <p class="purchase" data-testid="purchase">
        To buy {title}, {price}.
      </p>
    );
  }
  return (
    <p class="purchase" data-testid="purchase">
      Your tab here has {bothCurrencies(replacing.remaining, replacing.remainingCustomer)} left; {title} costs {price}.
      Approving closes it (you paid {bothCurrencies(replacing.spent, replacing.spentCustomer)} there) and opens a new
      one.
    </p>
  );
}
