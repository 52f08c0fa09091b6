import { useState } from 'preact/hooks';
import type { CallError } from '../messaging/result';
import type { SettingsView } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { ErrorNote } from '../ui/ErrorNote';
import { showAmount } from '../ui/format';

export function LimitsSection({
  client,
  settings,
  onSaved,
}: {
  client: AgentClient;
  settings: SettingsView;
  onSaved: (next: SettingsView) => void;
}) {
  const limits = settings.limits;
  const [maxDeposit, setMaxDeposit] = useState(limits?.maxDepositPerTab?.value ?? '');
  const [dailyCap, setDailyCap] = useState(limits?.dailyCap?.value ?? '');
  const [monthlyCap, setMonthlyCap] = useState(limits?.monthlyCap?.value ?? '');
  const [defaultDeposit, setDefaultDeposit] = useState(limits?.defaultDeposit.value ?? '');
  const [timeoutMin, setTimeoutMin] = useState(String(Math.round(settings.tabTimeout_s / 60)));
  const [idleLockMin, setIdleLockMin] = useState(String(settings.idleLock_min));
  const [error, setError] = useState<CallError | null>(null);
  const [saved, setSaved] = useState(false);

  async function save(event: Event) {
    event.preventDefault();
    setSaved(false);
    const answer = await client.call('setLimits', {
      limits: {
        maxDepositPerTab: maxDeposit || null,
        dailyCap: dailyCap || null,
        monthlyCap: monthlyCap || null,
        defaultDeposit,
      },
      tabTimeout_s: Number(timeoutMin) * 60,
      idleLock_min: Number(idleLockMin),
    });
    if (answer.ok) {
      setError(null);
      setSaved(true);
      onSaved(answer.value);
    } else setError(answer.error);
  }

  const currency = settings.currency ?? '';
  return (
    <section aria-label="Limits">
      <h2>Spending limits</h2>
      {limits ? (
        <p class="muted">
          Spent or held today {showAmount(settings.heldToday)}, this month {showAmount(settings.heldThisMonth)}. Amounts
          may be written 25,50 or 25.50. Leave a cap empty for none.
        </p>
      ) : (
        <p class="muted">Money limits can be set once the wallet is enrolled.</p>
      )}
      <form onSubmit={save}>
        {limits && (
          <>
            <label>
              Deposit for a new tab ({currency}){' '}
              <input value={defaultDeposit} onInput={(e) => setDefaultDeposit(e.currentTarget.value)} />
            </label>
            <label>
              Maximum deposit per tab ({currency}){' '}
              <input value={maxDeposit} onInput={(e) => setMaxDeposit(e.currentTarget.value)} />
            </label>
            <label>
              Daily cap on spending ({currency}){' '}
              <input value={dailyCap} onInput={(e) => setDailyCap(e.currentTarget.value)} />
            </label>
            <label>
              Monthly cap on spending ({currency}){' '}
              <input value={monthlyCap} onInput={(e) => setMonthlyCap(e.currentTarget.value)} />
            </label>
          </>
        )}
        <label>
          Tab timeout (minutes){' '}
          <input type="number" min="1" value={timeoutMin} onInput={(e) => setTimeoutMin(e.currentTarget.value)} />
        </label>
        <label>
          Lock the wallet after (minutes idle){' '}
          <input type="number" min="1" value={idleLockMin} onInput={(e) => setIdleLockMin(e.currentTarget.value)} />
        </label>
        <button class="primary" type="submit">
          Save
        </button>
        {saved && <span class="muted"> Saved.</span>}
        <ErrorNote error={error} />
      </form>
    </section>
  );
}
