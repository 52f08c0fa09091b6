// The customer's yes or no to a new tab: who (display name and the origin checked against the
// merchant certificate), how much (deposit in both currencies, the rate), for how long.

import { useEffect, useState } from 'preact/hooks';
import type { CallError } from '../messaging/result';
import type { ConfirmDecision, ConfirmationView } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { ErrorNote } from '../ui/ErrorNote';
import { showAmount } from '../ui/format';

export interface ConfirmProps {
  readonly client: AgentClient;
  readonly requestId: string;
  /** Closes the window once the answer is recorded. */
  readonly done: () => void;
}

function describeTimeout(timeout_s: number): string {
  if (timeout_s % 3600 === 0) return `${timeout_s / 3600} h`;
  if (timeout_s % 60 === 0) return `${timeout_s / 60} min`;
  return `${timeout_s} s`;
}

export function ConfirmView({ client, requestId, done }: ConfirmProps) {
  const [view, setView] = useState<ConfirmationView | null>(null);
  const [error, setError] = useState<CallError | null>(null);
  const [allowUpTo, setAllowUpTo] = useState('');

  useEffect(() => {
    void client.call('getConfirmation', { requestId }).then((answer) => {
      if (answer.ok) {
        setView(answer.value);
        setAllowUpTo(answer.value.suggestedAllowance.value);
      } else setError(answer.error);
    });
  }, [client, requestId]);

  async function decide(decision: ConfirmDecision) {
    const answer = await client.call('confirmDecision', { requestId, decision });
    if (answer.ok) done();
    else setError(answer.error);
  }

  if (!view) {
    return (
      <main>
        <h1>Opentab: confirm payment</h1>
        {error ? <ErrorNote error={error} /> : <p class="muted">Loading…</p>}
      </main>
    );
  }
  return (
    <main>
      <h1>Open a tab at {view.merchantDisplayName}?</h1>
      <dl>
        <dt>Merchant</dt>
        <dd data-testid="merchant">{view.merchantDisplayName}</dd>
        <dt>Paying on</dt>
        <dd data-testid="origin">
          {view.verifiedOrigin} <span class="muted">(verified against the merchant's certificate)</span>
        </dd>
        <dt>Deposit held on your account</dt>
        <dd class="amount" data-testid="deposit-customer">
          {showAmount(view.depositCustomer)}
        </dd>
        <dt>Which the merchant sees as</dt>
        <dd class="amount" data-testid="deposit-merchant">
          {showAmount(view.depositMerchant)}
        </dd>
        <dt>Rate</dt>
        <dd data-testid="rate">{view.rate}</dd>
        <dt>Tab closes after</dt>
        <dd data-testid="timeout">{describeTimeout(view.timeout_s)}</dd>
      </dl>
      <p class="muted">You pay only for what you buy; the rest of the deposit is released when the tab closes.</p>
      <p>
        <button class="primary" type="button" onClick={() => void decide({ kind: 'approve' })}>
          Approve
        </button>
      </p>
      <p>
        <button type="button" onClick={() => void decide({ kind: 'approve-and-allow', upTo: allowUpTo })}>
          Approve and allow up to
        </button>{' '}
        <input
          aria-label="Allowance"
          size={8}
          value={allowUpTo}
          onInput={(event) => setAllowUpTo(event.currentTarget.value)}
        />{' '}
        {view.depositCustomer.currency} at this merchant without asking
      </p>
      <p>
        <button type="button" onClick={() => void decide({ kind: 'decline' })}>
          Decline
        </button>
      </p>
      <ErrorNote error={error} />
    </main>
  );
}
