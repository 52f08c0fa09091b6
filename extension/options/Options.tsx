// The options page: operator and enrolment, limits and preferences, merchant rules, history, backup.

import { useCallback, useEffect, useState } from 'preact/hooks';
import type { CallError } from '../messaging/result';
import type { OperatorView, SettingsView, WalletState } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { UnlockWallet } from '../popup/WalletGate';
import { ErrorNote } from '../ui/ErrorNote';
import { BackupSection } from './BackupSection';
import { FirstRunGuide, type FirstRunStep } from './FirstRunGuide';
import { HistorySection } from './HistorySection';
import { LimitsSection } from './LimitsSection';
import { MerchantRulesSection } from './MerchantRulesSection';
import { OperatorSection } from './OperatorSection';

/** null: the guide follows the wallet's state alone; 'finished': dismissed. */
type GuideState = FirstRunStep | 'finished' | null;

export function Options({ client }: { client: AgentClient }) {
  const [walletState, setWalletState] = useState<WalletState | null>(null);
  const [operator, setOperator] = useState<OperatorView | null>(null);
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [error, setError] = useState<CallError | null>(null);
  const [generation, setGeneration] = useState(0);
  const [guide, setGuide] = useState<GuideState>(null);

  /** `resetForms`: after the customer's own action; a change announced by the background leaves fields being edited alone. */
  const load = useCallback(
    async (resetForms = true) => {
      const overview = await client.call('getOverview', {});
      if (!overview.ok) return setError(overview.error);
      setWalletState(overview.value.walletState);
      setOperator(overview.value.operator);
      const answer = await client.call('getSettings', {});
      if (answer.ok) setSettings(answer.value);
      else setError(answer.error);
      if (resetForms) setGeneration((value) => value + 1);
    },
    [client],
  );

  useEffect(() => {
    void load();
    return client.subscribe(() => void load(false));
  }, [client, load]);

  // The guided first run: it follows the wallet's state, and the steps only this page knows of
  // (the backup right after creation, the success state after enrolment).
  const step: FirstRunStep | null =
    walletState === 'uninitialised'
      ? 'create'
      : guide === 'backup'
        ? 'backup'
        : walletState === 'unenrolled'
          ? 'enrol'
          : guide === 'done'
            ? 'done'
            : null;
  const stepDone = (done: FirstRunStep) => {
    const next: Record<FirstRunStep, GuideState> = {
      create: 'backup',
      backup: 'enrol',
      enrol: 'done',
      done: 'finished',
    };
    setGuide(next[done]);
    void load();
  };
  const header = (
    <header class="brand">
      <img src="../icons/icon-48.png" alt="" width={32} height={32} />
      <h1>Opentab</h1>
      <span class="muted">{step && step !== 'done' ? 'Getting started' : 'Options'}</span>
    </header>
  );
  if (step !== null && step !== 'done') {
    return (
      <main>
        {header}
        <ErrorNote error={error} />
        <FirstRunGuide client={client} step={step} operator={operator} onStepDone={stepDone} />
        {step !== 'backup' && (
          <BackupSection client={client} canExport={step === 'enrol'} onRestored={() => void load()} />
        )}
      </main>
    );
  }

  return (
    <main>
      {header}
      <ErrorNote error={error} />
      {step === 'done' && <FirstRunGuide client={client} step={step} operator={operator} onStepDone={stepDone} />}
      {walletState === 'locked' && (
        <section aria-label="Wallet">
          <h2>Wallet</h2>
          <UnlockWallet client={client} onDone={() => void load()} />
        </section>
      )}
      {(walletState === 'unenrolled' || walletState === 'ready') && (
        <OperatorSection client={client} operator={operator} onChange={() => void load()} />
      )}
      {/* Limits and merchant rules guard the wallet's money: offered once it is unlocked, like the operator section (the background refuses changes while it is locked). */}
      {settings && (walletState === 'unenrolled' || walletState === 'ready') && (
        <>
          <LimitsSection key={`limits-${generation}`} client={client} settings={settings} onSaved={setSettings} />
          {settings.limits && <MerchantRulesSection client={client} settings={settings} onSaved={setSettings} />}
          {/* History and statement come from the operator: an unenrolled or locked wallet has none to show. */}
          {walletState === 'ready' && <HistorySection key={`history-${generation}`} client={client} />}
        </>
      )}
      {walletState !== null && (
        <BackupSection client={client} canExport={walletState !== 'uninitialised'} onRestored={() => void load()} />
      )}
    </main>
  );
}
