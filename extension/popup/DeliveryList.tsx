// The popup's delivered products: what each is as the shop described and signed it, where it
// stands, and a link to its delivery page (download again within the access period, export the
// evidence for an arbiter). Shown only once something was ordered this way.

import { useEffect, useState } from 'preact/hooks';
import type { DeliveryStatus, DeliveryView } from '../messaging/delivery-calls';
import type { DeliveryClient } from '../ui/delivery-client';
import { showAmount } from '../ui/format';

const STATUS_TEXT: Record<DeliveryStatus, string> = {
  offered: 'Not ordered',
  ordered: 'Being delivered',
  accepted: 'Paid, being saved',
  delivered: 'Delivered',
  aborted: 'Not delivered, nothing charged',
  declined: 'Declined',
  failed: 'Paid, not decrypted',
};

export interface DeliveriesSource {
  readonly client: DeliveryClient;
  /** Opens the delivery page of one delivery. */
  readonly open: (localId: string) => void;
  /** Calls `onChange` whenever what the pages show may have changed; returns the unsubscribe. */
  readonly subscribe: (onChange: () => void) => () => void;
}

export function DeliveryList({ source }: { source: DeliveriesSource }) {
  const [deliveries, setDeliveries] = useState<readonly DeliveryView[]>([]);

  useEffect(() => {
    const load = () =>
      void source.client.call('listDeliveries', {}).then((result) => {
        if (result.ok) setDeliveries(result.value);
      });
    load();
    return source.subscribe(load);
  }, [source]);

  if (deliveries.length === 0) return null;
  return (
    <section aria-label="Delivered products">
      <h2>Delivered products</h2>
      <ul class="purchases">
        {deliveries.map((delivery) => (
          <li key={delivery.localId} data-testid="delivery">
            <span class="title" data-testid="delivery-name">
              {delivery.product.name}
            </span>
            <span class="amount">{showAmount(delivery.product.price)}</span>
            <span class="merchant">{delivery.merchantDisplayName}</span>
            <span class="meta">
              <span data-testid="delivery-state">{STATUS_TEXT[delivery.status]}</span> ·{' '}
              <button type="button" class="link" onClick={() => source.open(delivery.localId)}>
                {delivery.product.fileName}
              </button>
            </span>
            <span class="why" data-testid="delivery-summary">
              Signed by the shop: {delivery.product.summary}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
