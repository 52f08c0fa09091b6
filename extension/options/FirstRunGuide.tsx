// The first run, as a short guided sequence on the page a first install opens: create the wallet,
// back it up, enrol with the operator, then try it at a shop. One step at a time, each with what
// it is for, and a clear state when it is done.

import { useState } from 'preact/hooks';
import type { OperatorView } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { CreateWallet } from '../popup/WalletGate';
import { BackupSection } from './BackupSection';
import { OperatorSection } from './OperatorSection';

export type FirstRunStep = 'create' | 'backup' | 'enrol' | 'done';

const STEPS: readonly { readonly step: FirstRunStep; readonly name: string }[] = [
  { step: 'create', name: 'Create your wallet' },
  { step: 'backup', name: 'Back it up' },
  { step: 'enrol', name: 'Enrol with your operator' },
  { step: 'done', name: 'Try it at a shop' },
];

export function FirstRunGuide({
  client,
  step,
  operator,
  onStepDone,
}: {
  client: AgentClient;
  step: FirstRunStep;
  operator: OperatorView | null;
  /** The step was done (or, for the backup, put off): the page reloads what it shows and moves on. */
  onStepDone: (step: FirstRunStep) => void;
}) {
  const current = STEPS.findIndex((entry) => entry.step === step);
  return (
    <section class="first-run" aria-label="Getting started">
      <h2>Getting started</h2>
      <ol class="steps">
        {STEPS.map((entry, index) => (
          <li
            key={entry.step}
            class={index < current ? 'done' : index === current ? 'current' : ''}
            aria-current={index === current ? 'step' : undefined}
          >
            {index < current && <span aria-hidden="true">✓ </span>}
            {entry.name}
          </li>
        ))}
      </ol>
      <StepBody client={client} step={step} operator={operator} onStepDone={onStepDone} />
    </section>
  );
}

function StepBody({
  client,
  step,
  operator,
  onStepDone,
}: {
  client: AgentClient;
  step: FirstRunStep;
  operator: OperatorView | null;
  onStepDone: (step: FirstRunStep) => void;
}) {
  const [backedUp, setBackedUp] = useState(false);
  switch (step) {
    case 'create':
      return (
        <section aria-label="Wallet">
          <CreateWallet client={client} onDone={() => onStepDone('create')} />
          <p class="muted">Or restore a backup at the foot of this page.</p>
        </section>
      );
    case 'backup':
      return (
        <>
          <p class="ok strong" role="status">
            ✓ Your wallet is created.
          </p>
          <p>
            Save a backup now: it holds your key, encrypted under your passphrase. Without it, a lost browser profile
            means a lost wallet.
          </p>
          <BackupSection
            client={client}
            canExport={true}
            canRestore={false}
            onRestored={() => undefined}
            onExported={() => setBackedUp(true)}
          />
          <button type="button" class={backedUp ? 'primary' : ''} onClick={() => onStepDone('backup')}>
            {backedUp ? 'Next: enrol' : 'Back up later'}
          </button>
        </>
      );
    case 'enrol':
      return <OperatorSection client={client} operator={null} onChange={() => onStepDone('enrol')} />;
    case 'done':
      return (
        <div class="success" role="status">
          <p class="ok strong">✓ Your wallet is ready to pay.</p>
          {operator && (
            <p>
              Your operator <strong>{operator.operatorId}</strong> holds your account in {operator.currency}.
            </p>
          )}
          <p>
            <strong>Next: visit a shop that takes Opentab</strong> and click a price button. The first time at a shop,
            Opentab asks you to approve a deposit; after that, each click pays at once.
          </p>
          <button type="button" class="primary" onClick={() => onStepDone('done')}>
            Done
          </button>
        </div>
      );
  }
}
