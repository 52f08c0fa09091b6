// The merchants the customer knows (tabs in this wallet, an allowance, a block), each with what
// happens when it asks for a new tab, and the changes to that: revoke an allowance, block,
// unblock. A merchant is picked from this list, never typed: its ids come from its certificate.

import { useState } from 'preact/hooks';
import type { CallError } from '../messaging/result';
import type { UiCallResult } from '../messaging/ui-calls';
import { merchantKey, sameMerchant, type MerchantView, type SettingsView } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { ErrorNote } from '../ui/ErrorNote';
import { showAmount, showDateTime } from '../ui/format';

type SettingsAnswer = UiCallResult<'setAllowance'>;

function NewTabs({ merchant }: { merchant: MerchantView }) {
  if (merchant.blocked) return <strong class="error">Blocked</strong>;
  if (merchant.allowance) return <>Open without asking, up to {showAmount(merchant.allowance)}</>;
  return <span class="muted">Ask you first</span>;
}

/** A merchant's budget: the deposit up to which its new tabs open without asking, set or changed here. */
function AllowanceEditor({
  merchant,
  currency,
  onSet,
}: {
  merchant: MerchantView;
  currency: string;
  onSet: (maxDeposit: string) => Promise<void>;
}) {
  const [typed, setTyped] = useState(merchant.allowance?.value ?? '');
  const verb = merchant.allowance ? 'Change' : 'Set';
  return (
    <form
      class="allowance"
      onSubmit={(event) => {
        event.preventDefault();
        void onSet(typed.trim());
      }}
    >
      <input
        class="amount-input"
        inputMode="decimal"
        size={7}
        aria-label={`Allowance at ${merchant.displayName} (${currency})`}
        value={typed}
        onInput={(event) => setTyped(event.currentTarget.value)}
      />{' '}
      {currency}{' '}
      {/* The accessible name starts with the visible word, so speech input finds the button by what it shows. */}
      <button type="submit" aria-label={`${verb} the allowance at ${merchant.displayName}`}>
        {verb}
      </button>
    </form>
  );
}

export function MerchantRulesSection({
  client,
  settings,
  onSaved,
}: {
  client: AgentClient;
  settings: SettingsView;
  onSaved: (next: SettingsView) => void;
}) {
  const [error, setError] = useState<CallError | null>(null);
  // A merchant known only through its block leaves the background's list once unblocked; it stays
  // on this page (asked first again), so a wrong click can be taken back where it was made.
  const [departed, setDeparted] = useState<readonly MerchantView[]>([]);
  const shown = [
    ...settings.merchants,
    ...departed.filter((entry) => !settings.merchants.some((listed) => sameMerchant(listed, entry))),
  ];

  async function apply(task: Promise<SettingsAnswer>) {
    const answer = await task;
    if (answer.ok) {
      setError(null);
      const gone = shown.filter((entry) => !answer.value.merchants.some((listed) => sameMerchant(listed, entry)));
      setDeparted(gone.map((entry) => ({ ...entry, allowance: null, blocked: false })));
      onSaved(answer.value);
    } else setError(answer.error);
  }

  const merchant = ({ merchantId, operatorId }: MerchantView) => ({ merchantId, operatorId });
  return (
    <section aria-label="Merchants">
      <h2>Merchants</h2>
      <p class="muted">
        With an allowance, a merchant's new tabs open without asking, up to that deposit; your caps still apply. A
        blocked merchant can neither open a tab nor take a payment.
      </p>
      {shown.length === 0 ? (
        <p class="muted">None yet: a merchant is listed here once you have opened a tab there.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Merchant</th>
              <th>Last tab</th>
              <th>New tabs</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((entry) => (
              <tr key={merchantKey(entry)} data-testid="merchant-row">
                <td>
                  {entry.displayName}
                  <br />
                  <span class="muted small">
                    {entry.merchantId} at {entry.operatorId}
                  </span>
                </td>
                <td class="when">{entry.lastTabAt ? showDateTime(entry.lastTabAt) : <span class="muted">—</span>}</td>
                <td>
                  <span data-testid="new-tabs">
                    <NewTabs merchant={entry} />
                  </span>
                  {!entry.blocked && (
                    <AllowanceEditor
                      key={`${merchantKey(entry)}/${entry.allowance?.value ?? ''}`}
                      merchant={entry}
                      currency={settings.currency ?? ''}
                      onSet={(maxDeposit) =>
                        apply(
                          client.call('setAllowance', {
                            ...merchant(entry),
                            displayName: entry.displayName,
                            maxDeposit,
                          }),
                        )
                      }
                    />
                  )}
                </td>
                <td class="actions-cell">
                  {entry.allowance && !entry.blocked && (
                    <button
                      type="button"
                      aria-label={`Revoke allowance at ${entry.displayName}`}
                      onClick={() => void apply(client.call('revokeAllowance', merchant(entry)))}
                    >
                      Revoke
                    </button>
                  )}
                  {entry.blocked ? (
                    <button
                      type="button"
                      aria-label={`Unblock ${entry.displayName}`}
                      onClick={() => void apply(client.call('unblockMerchant', merchant(entry)))}
                    >
                      Unblock
                    </button>
                  ) : (
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Block ${entry.displayName}`}
                      onClick={() =>
                        void apply(client.call('blockMerchant', { ...merchant(entry), displayName: entry.displayName }))
                      }
                    >
                      Block
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNote error={error} />
    </section>
  );
}
