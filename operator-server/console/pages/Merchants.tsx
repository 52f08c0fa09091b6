// Merchants: every registration with status and balance; suspend or resume with a reason.

import { useState } from 'preact/hooks';
import { type ConsoleApi, segment } from '../api';
import { amount, errorText } from '../format';
import type { MerchantSummary } from '../types';
import { useLoad } from '../use-load';

export function Merchants({ api }: { api: ConsoleApi }) {
  const list = useLoad(() => api.get<MerchantSummary[]>('/v1/admin/merchants'), [api]);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const setStatus = (merchantId: string, status: 'active' | 'suspended') =>
    api.post(`/v1/admin/merchants/${segment(merchantId)}/status`, { status, reason }).then(
      () => {
        setNote(`${merchantId}: ${status}.`);
        list.reload();
      },
      (failure: unknown) => setNote(errorText(failure)),
    );
  return (
    <section>
      <h1>Merchants</h1>
      <label>
        Reason for a change
        <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      {note !== null && <p role="status">{note}</p>}
      {list.error !== null && <p class="error">{list.error}</p>}
      {list.data !== null && (
        <table>
          <thead>
            <tr>
              <th>Merchant</th>
              <th>Name</th>
              <th>Agent</th>
              <th>Status</th>
              <th class="amount">Balance</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((merchant) => (
              <tr key={merchant.merchantId}>
                <td class="id">{merchant.merchantId}</td>
                <td>{merchant.displayName}</td>
                <td class="id">{merchant.agentUrl}</td>
                <td>
                  {merchant.status}
                  {merchant.statusReason !== null ? ` (${merchant.statusReason})` : ''}
                </td>
                <td class="amount">{amount(merchant.balance)}</td>
                <td>
                  {merchant.status === 'active' ? (
                    <button type="button" onClick={() => setStatus(merchant.merchantId, 'suspended')}>
                      Suspend
                    </button>
                  ) : (
                    <button type="button" onClick={() => setStatus(merchant.merchantId, 'active')}>
                      Resume
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
