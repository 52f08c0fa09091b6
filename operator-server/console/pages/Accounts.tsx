// Customer accounts: search, open one, and for the one selected top it up, change its credit
// limit, suspend, resume or close it, and issue an enrolment code.

import { useState } from 'preact/hooks';
import { type ConsoleApi, segment } from '../api';
import { amount, errorText, useLoad, when } from '@opentab/console-ui';
import type { AccountView, CustomerSummary, EnrollmentCode } from '../types';

export function Accounts({ api }: { api: ConsoleApi }) {
  const [text, setText] = useState('');
  const [status, setStatus] = useState('');
  const [query, setQuery] = useState({ text: '', status: '' });
  const list = useLoad(() => api.get<CustomerSummary[]>('/v1/admin/customers', query), [api, query]);
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <section>
      <h1>Accounts</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery({ text, status });
        }}
      >
        <label>
          Id or name
          <input value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">any</option>
            <option value="active">active</option>
            <option value="suspended">suspended</option>
            <option value="closed">closed</option>
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <CreateAccount api={api} onCreated={list.reload} />
      {list.error !== null && <p class="error">{list.error}</p>}
      {list.data !== null && (
        <table>
          <thead>
            <tr>
              <th>Account</th>
              <th>Name</th>
              <th>Status</th>
              <th class="amount">Balance</th>
              <th class="amount">Credit limit</th>
              <th class="amount">Held</th>
              <th>Opened</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((customer) => (
              <tr key={customer.accountId} onClick={() => setSelected(customer.accountId)} class="clickable">
                <td class="id">{customer.accountId}</td>
                <td>{customer.displayName}</td>
                <td>{customer.status}</td>
                <td class="amount">{amount(customer.balance)}</td>
                <td class="amount">{amount(customer.creditLimit)}</td>
                <td class="amount">{amount(customer.held)}</td>
                <td>{when(customer.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected !== null && <AccountActions api={api} accountId={selected} onChanged={list.reload} />}
    </section>
  );
}

function CreateAccount({ api, onCreated }: { api: ConsoleApi; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [limit, setLimit] = useState('100.00');
  const [note, setNote] = useState<string | null>(null);
  return (
    <form
      class="inline"
      onSubmit={(event) => {
        event.preventDefault();
        api
          .get<{ currency: string }>('/')
          .then(({ currency }) =>
            api.post<{ accountId: string }>('/v1/admin/customers', {
              displayName: name,
              creditLimit: { currency, value: limit },
            }),
          )
          .then(
            ({ accountId }) => {
              setNote(`Opened ${accountId}.`);
              onCreated();
            },
            (failure: unknown) => setNote(errorText(failure)),
          );
      }}
    >
      <label>
        New account's name
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Credit limit
        <input inputMode="decimal" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />
      </label>
      <button type="submit">Open account</button>
      {note !== null && <p role="status">{note}</p>}
    </form>
  );
}

function AccountActions({ api, accountId, onChanged }: { api: ConsoleApi; accountId: string; onChanged: () => void }) {
  const view = useLoad(() => api.get<AccountView>(`/v1/admin/customers/${segment(accountId)}`), [api, accountId]);
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState<string | null>(null);
  if (view.data === null) return <p class={view.error !== null ? 'error' : 'muted'}>{view.error ?? 'Loading…'}</p>;
  const currency = view.data.currency;
  const act = (run: () => Promise<unknown>, done: string) =>
    run().then(
      () => {
        setNote(done);
        view.reload();
        onChanged();
      },
      (failure: unknown) => setNote(errorText(failure)),
    );
  const path = `/v1/admin/customers/${segment(accountId)}`;
  const setStatus = (status: string) => act(() => api.post(`${path}/status`, { status, reason }), `Status: ${status}.`);
  return (
    <article aria-label={`Account ${accountId}`}>
      <h2>{accountId}</h2>
      <p>
        Balance {amount(view.data.balance)}, credit limit {amount(view.data.creditLimit)}, held {amount(view.data.held)}
        , available {amount(view.data.available)}; {view.data.tabs.length} tab(s).
      </p>
      <label>
        Amount ({currency})
        <input inputMode="decimal" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      </label>
      <label>
        Reason or reference
        <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <div class="actions">
        <button
          type="button"
          onClick={() =>
            act(() => api.post(`${path}/credits`, { amount: { currency, value }, reference: reason }), 'Topped up.')
          }
        >
          Top up
        </button>
        <button
          type="button"
          onClick={() =>
            act(() => api.post(`${path}/credit-limit`, { creditLimit: { currency, value } }), 'Limit set.')
          }
        >
          Set credit limit
        </button>
        <button type="button" onClick={() => setStatus('suspended')}>
          Suspend
        </button>
        <button type="button" onClick={() => setStatus('active')}>
          Resume
        </button>
        <button type="button" onClick={() => setStatus('closed')}>
          Close
        </button>
        <button
          type="button"
          onClick={() =>
            api.post<EnrollmentCode>(`${path}/enrollment-codes`, {}).then(
              (code) => setNote(`Enrolment code ${code.code}, valid until ${when(code.expiresAt)}.`),
              (failure: unknown) => setNote(errorText(failure)),
            )
          }
        >
          Enrolment code
        </button>
      </div>
      {note !== null && <p role="status">{note}</p>}
    </article>
  );
}
