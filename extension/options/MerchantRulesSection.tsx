import { useState } from 'preact/hooks';
import type { CallError } from '../messaging/result';
import type { UiCallResult } from '../messaging/ui-calls';
import type { SettingsView } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { ErrorNote } from '../ui/ErrorNote';
import { showAmount } from '../ui/format';

type SettingsAnswer = UiCallResult<'setAllowance'>;

export function MerchantRulesSection({ client, settings, onSaved }: { client: AgentClient; settings: SettingsView; onSaved: (next: SettingsView) => void }) {
  const [error, setError] = useState<CallError | null>(null);
  const [merchantId, setMerchantId] = useState('');
  const [operatorId, setOperatorId] = useState('');
  const [displayName, setDisplayName] = useState('');

  async function apply(task: Promise<SettingsAnswer>) {
    const answer = await task;
    if (answer.ok) {
      setError(null);
      onSaved(answer.value);
    } else setError(answer.error);
  }

  return (
    <section aria-label="Merchants">
      <h2>Allowances</h2>
      <p class="muted">Tabs at these merchants open without asking, up to the deposit shown. Your caps still apply.</p>
      {settings.allowances.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ul>
          {settings.allowances.map((allowance) => (
            <li key={`${allowance.operatorId}/${allowance.merchantId}`}>
              {allowance.displayName} ({allowance.merchantId} at {allowance.operatorId}): up to {showAmount(allowance.maxDeposit)}{' '}
              <button type="button" onClick={() => void apply(client.call('revokeAllowance', allowance))}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <h2>Blocked merchants</h2>
      {settings.blocked.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ul>
          {settings.blocked.map((blocked) => (
            <li key={`${blocked.operatorId}/${blocked.merchantId}`}>
              {blocked.displayName} ({blocked.merchantId} at {blocked.operatorId}){' '}
              <button type="button" onClick={() => void apply(client.call('unblockMerchant', blocked))}>
                Unblock
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void apply(client.call('blockMerchant', { merchantId, operatorId, displayName: displayName || merchantId }));
        }}
      >
        <label>
          Merchant id <input value={merchantId} onInput={(e) => setMerchantId(e.currentTarget.value)} />
        </label>
        <label>
          Its operator id <input value={operatorId} onInput={(e) => setOperatorId(e.currentTarget.value)} />
        </label>
        <label>
          Name to show <input value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </label>
        <button type="submit">Block this merchant</button>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}
