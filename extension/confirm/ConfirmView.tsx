// The customer's yes or no to a new tab: who (display name and the origin checked against the
// merchant certificate), for what (the item clicked, and the used-up tab it replaces), how much
// (deposit in both currencies, which the customer may change; the rate and whose rate of which
// day), for how long. Laid out
// for the window the background opens (440 px wide): the question, the terms in one table, the
// allowance as an option of Approve, and one row of actions. Escape declines, as closing the
// window does; nothing is focused at first, so a key pressed on the page behind cannot approve.

import { useEffect, useRef, useState } from 'preact/hooks';
import { describeRateSource } from '@opentab/protocol';
import { readTypedAmount } from '../messaging/customer-amount';
import type { CallError } from '../messaging/result';
import type { ConfirmDecision, ConfirmationView } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { ErrorNote } from '../ui/ErrorNote';
import { DepositField, type DepositState } from './DepositField';
import { PurchaseSummary } from './PurchaseSummary';

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
  const [allow, setAllow] = useState(false);
  const [allowUpTo, setAllowUpTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [deposit, setDeposit] = useState<DepositState>({ kind: 'offered' });

  useEffect(() => {
    void client.call('getConfirmation', { requestId }).then((answer) => {
      if (answer.ok) {
        setView(answer.value);
        setAllowUpTo(answer.value.suggestedAllowance.value);
      } else setError(answer.error);
    });
  }, [client, requestId]);

  async function decide(decision: ConfirmDecision) {
    setBusy(true);
    const answer = await client.call('confirmDecision', { requestId, decision });
    setBusy(false);
    if (answer.ok) done();
    else setError(answer.error);
  }

  /** Approve, or approve-and-allow when its option is ticked: an allowance that is no amount is refused here
   * rather than dropped. */
  function approve(question: ConfirmationView) {
    // A changed deposit goes with the answer; the background checks it again before holding it.
    const chosen = deposit.kind === 'quoted' ? { deposit: deposit.typed.trim() } : {};
    if (!allow) return void decide({ kind: 'approve', ...chosen });
    const upTo = allowUpTo.trim();
    const typed = readTypedAmount(question.depositCustomer.currency, upTo, 'The allowance');
    if (!typed.ok) return void setError({ code: 'invalid_request', message: typed.problem });
    void decide({ kind: 'approve-and-allow', upTo, ...chosen });
  }

  /** Blocks first: should that fail (a wallet locked meanwhile), the question stays open to be answered. */
  async function declineAndBlock(question: ConfirmationView) {
    setBusy(true);
    const blocked = await client.call('blockMerchant', {
      ...question.merchant,
      displayName: question.merchantDisplayName,
    });
    if (!blocked.ok) {
      setBusy(false);
      setError(blocked.error);
      return;
    }
    await decide({ kind: 'decline' });
  }

  // Listening from the start, through a ref to this render's state.
  const onEscape = useRef<() => void>(() => undefined);
  onEscape.current = () => {
    if (view && !busy) void decide({ kind: 'decline' });
  };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onEscape.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  if (!view) {
    return (
      <main>
        <h1>Opentab: confirm payment</h1>
        {error ? <ErrorNote error={error} /> : <p class="muted">Loading…</p>}
      </main>
    );
  }
  const currency = view.depositCustomer.currency;
  return (
    <main class="dialog">
      <h1>
        Open {view.replacing ? 'a new tab' : 'a tab'} at <span data-testid="merchant">{view.merchantDisplayName}</span>?
      </h1>
      <p class="muted small" data-testid="origin">
        <span class="origin">{view.verifiedOrigin}</span> <span class="ok">✓</span> listed in the merchant's certificate
      </p>
      <PurchaseSummary view={view} />
      <dl class="terms">
        <DepositField client={client} view={view} state={deposit} onChange={setDeposit} />
        <dt>Rate</dt>
        <dd class="amount">
          <span data-testid="rate">{view.rate}</span>
          <br />
          <span class="muted small" data-testid="rate-source">
            {describeRateSource(view.rateSource)}
          </span>
        </dd>
        <dt>Tab closes after</dt>
        <dd data-testid="timeout">{describeTimeout(view.timeout_s)}</dd>
      </dl>
      <p class="muted small">You pay only for what you buy; the rest of the deposit is released when the tab closes.</p>
      <div class="option">
        <label class="check">
          <input type="checkbox" checked={allow} onChange={(event) => setAllow(event.currentTarget.checked)} />
          Don't ask again at this merchant
        </label>
        <p class="muted small">
          for deposits up to{' '}
          <input
            aria-label="Allowance"
            class="amount-input"
            inputMode="decimal"
            size={7}
            value={allowUpTo}
            onInput={(event) => {
              setAllowUpTo(event.currentTarget.value);
              setAllow(true);
            }}
          />{' '}
          {currency}; your caps still apply.
        </p>
      </div>
      <ErrorNote error={error} />
      <footer class="actions">
        <button type="button" class="quiet danger" disabled={busy} onClick={() => void declineAndBlock(view)}>
          Decline and block
        </button>
        <span class="spacer" />
        <button type="button" disabled={busy} onClick={() => void decide({ kind: 'decline' })}>
          Decline
        </button>
        <button
          class="primary"
          type="button"
          disabled={busy || deposit.kind === 'checking' || deposit.kind === 'refused'}
          onClick={() => approve(view)}
        >
          Approve
        </button>
      </footer>
    </main>
  );
}
