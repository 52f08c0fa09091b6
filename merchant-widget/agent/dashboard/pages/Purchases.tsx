// Purchases, newest first, each with the refund that covers it; an owner refunds one from here.

import { amount, useLoad, when } from '@opentab/console-ui';
import { RefundForm } from '../RefundForm';
import type { PageProps } from '../App';
import type { PurchaseRow } from '../types';

export function Purchases({ api, me }: PageProps) {
  const purchases = useLoad(() => api.get<PurchaseRow[]>('/admin/purchases', { limit: '200' }), [api]);
  return (
    <section>
      <h1>Purchases</h1>
      {purchases.error !== null && <p class="error">{purchases.error}</p>}
      <PurchaseTable
        api={api}
        purchases={purchases.data ?? []}
        canRefund={me.role === 'owner'}
        onChange={purchases.reload}
      />
      {purchases.data !== null && purchases.data.length === 0 && <p class="muted">Nothing sold yet.</p>}
    </section>
  );
}

export function PurchaseTable({
  api,
  purchases,
  canRefund,
  onChange,
}: {
  api: PageProps['api'];
  purchases: readonly PurchaseRow[];
  canRefund: boolean;
  onChange: () => void;
}) {
  return (
    <table aria-label="Purchases">
      <thead>
        <tr>
          <th>When</th>
          <th>Item</th>
          <th class="amount">Price</th>
          <th>Tab</th>
          <th class="amount">#</th>
          <th>Refund</th>
        </tr>
      </thead>
      <tbody>
        {purchases.map((purchase) => (
          <tr key={purchase.purchaseId} data-purchase={`${purchase.tabId}:${purchase.seq}`}>
            <td>{when(purchase.at)}</td>
            <td>{purchase.title ?? purchase.itemId}</td>
            <td class="amount">{amount(purchase.price)}</td>
            <td class="id">{purchase.tabId}</td>
            <td class="amount">{purchase.seq}</td>
            <td>
              {purchase.refund !== null ? (
                <span class={`status-${purchase.refund.status}`}>{purchase.refund.status}</span>
              ) : canRefund ? (
                <RefundForm api={api} tabId={purchase.tabId} seqs={[purchase.seq]} label="Refund" onDone={onChange} />
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
