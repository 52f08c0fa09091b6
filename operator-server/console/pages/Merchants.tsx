// Merchants: every registration with status and balance; suspend or resume with a reason, revoke
// for good; register a merchant or update its registration.

import { useEffect, useState } from 'preact/hooks';
import { type ConsoleApi, segment } from '../api';
import { amount, errorText, useLoad, when } from '@opentab/console-ui';
import type { MerchantSummary } from '../types';

export function Merchants({ api }: { api: ConsoleApi }) {
  const list = useLoad(() => api.get<MerchantSummary[]>('/v1/admin/merchants'), [api]);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const [editing, setEditing] = useState<MerchantSummary | null>(null);
  const setStatus = (merchantId: string, status: 'active' | 'suspended') =>
    api.post(`/v1/admin/merchants/${segment(merchantId)}/status`, { status, reason }).then(
      () => {
        setNote(`${merchantId}: ${status}.`);
        list.reload();
      },
      (failure: unknown) => setNote(errorText(failure)),
    );
  const revoke = (merchantId: string) =>
    api.post(`/v1/admin/merchants/${segment(merchantId)}/revocation`, { reason }).then(
      () => {
        setNote(`${merchantId}: revoked.`);
        list.reload();
      },
      (failure: unknown) => setNote(errorText(failure)),
    );
  return (
    <section>
      <h1>Merchants</h1>
      <Registration api={api} onRegistered={list.reload} editing={editing} />
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
              <th>Certificate</th>
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
                  {merchant.revocation !== null
                    ? `revoked (${merchant.revocation.reason})`
                    : `${merchant.status}${merchant.statusReason !== null ? ` (${merchant.statusReason})` : ''}`}
                </td>
                <td>
                  <CertificateTerm certificate={merchant.certificate} issued={merchant.certificatesIssued} />
                </td>
                <td class="amount">{amount(merchant.balance)}</td>
                <td class="actions">
                  {merchant.revocation === null && (
                    <button type="button" onClick={() => setEditing(merchant)}>
                      Edit
                    </button>
                  )}
                  {merchant.revocation === null && (
                    <button type="button" onClick={() => revoke(merchant.merchantId)}>
                      Revoke
                    </button>
                  )}
                  {merchant.revocation !== null ? null : merchant.status === 'active' ? (
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

/** Registers a merchant, or updates one (its currency stays); the key is the merchant agent's public key. */
function Registration({
  api,
  onRegistered,
  editing,
}: {
  api: ConsoleApi;
  onRegistered: () => void;
  editing: MerchantSummary | null;
}) {
  const [form, setForm] = useState({
    merchantId: '',
    displayName: '',
    currency: '',
    origins: '',
    agentUrl: '',
    publicKey: '',
  });
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    if (editing === null) return;
    // What the list row knows is filled in at once; only the key is fetched. It fills an empty
    // key field only, so whatever the person typed meanwhile is never overwritten.
    setForm({
      merchantId: editing.merchantId,
      displayName: editing.displayName,
      currency: editing.currency,
      origins: editing.origins.join(' '),
      agentUrl: editing.agentUrl,
      publicKey: '',
    });
    void api
      .get<{ publicKey: string }>(`/v1/admin/merchants/${segment(editing.merchantId)}`)
      .then((merchant) => setForm((now) => (now.publicKey === '' ? { ...now, publicKey: merchant.publicKey } : now)));
  }, [editing]);
  const field = (name: keyof typeof form, label: string) => (
    <label>
      {label}
      <input
        value={form[name]}
        onInput={(e) => {
          const value = e.currentTarget.value;
          setForm((now) => ({ ...now, [name]: value }));
        }}
      />
    </label>
  );
  return (
    <form
      aria-label="Register a merchant"
      onSubmit={(event) => {
        event.preventDefault();
        api
          .post<{ merchantId: string }>('/v1/admin/merchants', {
            merchantId: form.merchantId.trim(),
            displayName: form.displayName.trim(),
            currency: form.currency.trim().toUpperCase(),
            origins: form.origins.split(/[\s,]+/).filter((origin) => origin !== ''),
            agentUrl: form.agentUrl.trim(),
            publicKey: form.publicKey.trim(),
          })
          .then(
            (merchant) => {
              setNote(`Registered ${merchant.merchantId}.`);
              onRegistered();
            },
            (failure: unknown) => setNote(errorText(failure)),
          );
      }}
    >
      <h2>{editing === null ? 'Register a merchant' : `Update ${editing.merchantId}`}</h2>
      {field('merchantId', 'Merchant id')}
      {field('displayName', 'Display name')}
      {field('currency', 'Currency')}
      {field('origins', 'Web origins (space-separated)')}
      {field('agentUrl', 'Agent URL')}
      {field('publicKey', 'Merchant public key')}
      <button type="submit" class="primary">
        {editing === null ? 'Register' : 'Save'}
      </button>
      {note !== null && <p role="status">{note}</p>}
    </form>
  );
}

/** A temporary certificate lasts about a day and is signed anew when a tab needs it; a few hours left is worth a look. */
const SOON_S = 6 * 3600;

function CertificateTerm({ certificate, issued }: { certificate: MerchantSummary['certificate']; issued: number }) {
  if (certificate === null) return <span class="muted">none issued</span>;
  // The operator's clock decides, not this browser's.
  const left_s = certificate.expiresIn_s;
  const state = left_s <= 0 ? 'expired' : left_s < SOON_S ? 'expires soon' : 'in force';
  return (
    <span class={state === 'in force' ? undefined : 'warning'} title={`signed by ${certificate.signedBy}`}>
      {state === 'expired' ? 'expired' : 'until'} {when(certificate.validUntil)}
      {state === 'expires soon' ? ' (expires soon)' : ''} · {issued} issued
    </span>
  );
}
