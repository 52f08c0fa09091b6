import { useState } from 'preact/hooks';
import type { CallError } from '../messaging/result';
import type { OperatorView } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { ErrorNote } from '../ui/ErrorNote';

export function OperatorSection({
  client,
  operator,
  onChange,
}: {
  client: AgentClient;
  operator: OperatorView | null;
  onChange: () => void;
}) {
  const [operatorUrl, setOperatorUrl] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<CallError | null>(null);
  const [busy, setBusy] = useState(false);

  if (operator) {
    return (
      <section aria-label="Operator">
        <h2>Operator</h2>
        <p>
          Enrolled with <strong>{operator.operatorId}</strong> at {operator.baseUrl}; account {operator.accountId}.
          Amounts are shown and held in <strong>{operator.currency}</strong>, your account currency; merchant prices are
          converted with your operator's rates.
        </p>
      </section>
    );
  }

  async function enrol(event: Event) {
    event.preventDefault();
    setBusy(true);
    const answer = await client.call('enroll', { operatorUrl, code });
    setBusy(false);
    if (answer.ok) onChange();
    else setError(answer.error);
  }

  return (
    <section aria-label="Operator">
      <h2>Operator</h2>
      <form onSubmit={enrol}>
        <p>
          Enter your operator's address and the enrolment code it gave you. Opentab will trust only this operator's key.
        </p>
        <label>
          Operator address{' '}
          <input
            type="url"
            value={operatorUrl}
            onInput={(e) => setOperatorUrl(e.currentTarget.value)}
            placeholder="https://operator.example"
          />
        </label>
        <label>
          Enrolment code <input value={code} onInput={(e) => setCode(e.currentTarget.value)} />
        </label>
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Enrolling…' : 'Enrol'}
        </button>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}
