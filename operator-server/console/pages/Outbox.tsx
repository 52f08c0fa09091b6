// The outbox: messages not delivered yet, why the last attempt failed, and a retry by hand once
// the receiver is back (otherwise each waits out its backoff).

import { useState } from 'preact/hooks';
import type { ConsoleApi } from '../api';
import { errorText, useLoad, when } from '@opentab/console-ui';
import type { UndeliveredMessage } from '../types';

export function Outbox({ api }: { api: ConsoleApi }) {
  const [state, setState] = useState<'failing' | 'pending'>('failing');
  const list = useLoad(() => api.get<UndeliveredMessage[]>('/v1/admin/outbox', { state }), [api, state]);
  const [note, setNote] = useState<string | null>(null);
  const retry = (recordIds?: string[]) =>
    api.post<{ scheduled: number }>('/v1/admin/outbox/retry', recordIds === undefined ? {} : { recordIds }).then(
      ({ scheduled }) => {
        setNote(`${scheduled} message(s) will be tried at the next pass.`);
        list.reload();
      },
      (failure: unknown) => setNote(errorText(failure)),
    );
  return (
    <section>
      <h1>Outbox</h1>
      <div class="actions">
        <label>
          Show
          <select value={state} onChange={(e) => setState(e.currentTarget.value as 'failing' | 'pending')}>
            <option value="failing">failed deliveries</option>
            <option value="pending">everything undelivered</option>
          </select>
        </label>
        <button type="button" onClick={() => retry()}>
          Retry every failed delivery now
        </button>
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </div>
      {note !== null && <p role="status">{note}</p>}
      {list.error !== null && <p class="error">{list.error}</p>}
      {list.data !== null && list.data.length === 0 && <p class="muted">Nothing waiting.</p>}
      {list.data !== null && list.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Message</th>
              <th>To</th>
              <th>Attempts</th>
              <th>Last error</th>
              <th>Next attempt</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((message) => (
              <tr key={`${message.recordId} ${message.destination}`}>
                <td class="id">{message.recordId}</td>
                <td class="id">{message.destination}</td>
                <td>{message.attempts}</td>
                <td>{message.lastError ?? '—'}</td>
                <td>{when(message.nextAttemptAt)}</td>
                <td>
                  <button type="button" onClick={() => retry([message.recordId])}>
                    Retry now
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
