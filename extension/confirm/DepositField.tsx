import { useRef, useState } from 'preact/hooks';
import type { ConfirmationView, DepositQuote } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { showAmount } from '../ui/format';

/** The deposit as the window offers it, or as the customer changed it: typed text, and what the background made of it. */
export type DepositState =
  | { readonly kind: 'offered' }
  | { readonly kind: 'checking'; readonly typed: string }
  | { readonly kind: 'quoted'; readonly typed: string; readonly quote: DepositQuote }
  | { readonly kind: 'refused'; readonly typed: string; readonly problem: string };

/**
 * The deposit in both currencies, and a Change button that turns it into a field: each change is
 * quoted by the background (the same check that holds it), so the merchant's side and any refusal
 * show while typing.
 */
export function DepositField({
  client,
  view,
  state,
  onChange,
}: {
  client: AgentClient;
  view: ConfirmationView;
  state: DepositState;
  onChange: (state: DepositState) => void;
}) {
  const [editing, setEditing] = useState(false);
  // Answers can arrive out of order: only the latest typed text counts.
  const latest = useRef(0);
  const currency = view.depositCustomer.currency;
  const quote = state.kind === 'quoted' ? state.quote : state.kind === 'offered' ? view : null;

  async function typed(text: string) {
    const asked = ++latest.current;
    onChange({ kind: 'checking', typed: text });
    const answer = await client.call('quoteDeposit', { requestId: view.requestId, deposit: text });
    if (asked !== latest.current) return;
    onChange(
      answer.ok
        ? { kind: 'quoted', typed: text, quote: answer.value }
        : { kind: 'refused', typed: text, problem: answer.error.message },
    );
  }

  const limits = [
    `at least ${showAmount(view.minimumDeposit)} for this item`,
    ...(view.maximumDeposit ? [`at most ${showAmount(view.maximumDeposit)} under your limits`] : []),
  ].join(', ');
  return (
    <>
      <dt>
        {editing ? <label for="deposit">Deposit held on your account</label> : 'Deposit held on your account'}
        {editing && <span class="muted small"> ({limits})</span>}
      </dt>
      <dd class="amount strong">
        {editing ? (
          <>
            <input
              id="deposit"
              class="amount-input"
              inputMode="decimal"
              size={7}
              value={state.kind === 'offered' ? view.depositCustomer.value : state.typed}
              aria-invalid={state.kind === 'refused'}
              aria-describedby="deposit-problem"
              onInput={(event) => void typed(event.currentTarget.value)}
            />{' '}
            {currency}
          </>
        ) : (
          <>
            <span data-testid="deposit-customer">{showAmount(view.depositCustomer)}</span>{' '}
            <button type="button" class="quiet link" onClick={() => setEditing(true)}>
              Change
            </button>
          </>
        )}
        {state.kind === 'refused' && (
          <span id="deposit-problem" class="error small" role="alert">
            <br />
            {state.problem}
          </span>
        )}
      </dd>
      <dt>Which the merchant sees as</dt>
      <dd class="amount" data-testid="deposit-merchant">
        {quote ? showAmount(quote.depositMerchant) : '…'}
      </dd>
    </>
  );
}
