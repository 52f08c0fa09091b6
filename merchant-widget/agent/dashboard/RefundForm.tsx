// Refunding one purchase or a whole tab: a reason, then one request. The refund id is made when
// the form opens, so sending it again (after an error, or a second click) refunds once.

import { useState } from 'preact/hooks';
import { newRefundId, type DashboardApi } from './api';
import { amount, errorText } from '@opentab/console-ui';
import type { RefundView } from './types';

export interface RefundFormProps {
  readonly api: DashboardApi;
  readonly tabId: string;
  /** The purchases to refund; absent: every purchase of the tab not refunded yet. */
  readonly seqs?: readonly number[];
  readonly label: string;
  readonly onDone: () => void;
}

export function RefundForm({ api, tabId, seqs, label, onDone }: RefundFormProps) {
  const [refundId, setRefundId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<string | null>(null);
  if (refundId === null)
    return (
      <button type="button" onClick={() => setRefundId(newRefundId())}>
        {label}
      </button>
    );
  const send = () =>
    api.post<RefundView>('/admin/refunds', { refundId, tabId, ...(seqs !== undefined ? { seqs } : {}), reason }).then(
      (refund) => {
        setOutcome(describeRefund(refund));
        onDone();
      },
      (failure: unknown) => setOutcome(errorText(failure)),
    );
  return (
    <form
      class="inline"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <label>
        Reason
        <input value={reason} required maxLength={300} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">
        Refund
      </button>
      <button type="button" onClick={() => setRefundId(null)}>
        Cancel
      </button>
      {outcome !== null && <span role="status">{outcome}</span>}
    </form>
  );
}

export function describeRefund(refund: RefundView): string {
  const what = `${amount(refund.amount)} refunded`;
  if (refund.status === 'pending') return `${what}: waiting for the operator (${refund.lastError ?? 'not sent yet'}).`;
  if (refund.status === 'refused') return `Refused by the operator: ${refund.lastError ?? ''}`;
  return refund.timing === 'before-clearing'
    ? `${what}: the tab clears that much less.`
    : `${what}: given back to the customer (clearing revision ${refund.revision}).`;
}
