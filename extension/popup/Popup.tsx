// The toolbar popup: the wallet's state, the money, the open tabs and the rate table at a glance.

import { useCallback, useEffect, useState } from 'preact/hooks';
import { systemClock, type Clock } from '@opentab/protocol';
import type { CallError } from '../messaging/result';
import type { OverviewView } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { ErrorNote } from '../ui/ErrorNote';
import { showAmount } from '../ui/format';
import { PurchaseList } from './PurchaseList';
import { RateStatus } from './RateStatus';
import { TabList } from './TabList';
import { CreateWallet, UnlockWallet } from './WalletGate';

export interface PopupProps {
  readonly client: AgentClient;
  readonly openOptions: () => void;
  readonly clock?: Clock;
}

export function Popup({ client, openOptions, clock = systemClock }: PopupProps) {
  const [overview, setOverview] = useState<OverviewView | null>(null);
  const [error, setError] = useState<CallError | null>(null);
  const [refreshing, setRefreshing] = useState(false);

  const load = useCallback(async () => {
    const answer = await client.call('getOverview', {});
    if (answer.ok) setOverview(answer.value);
    else setError(answer.error);
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  async function act(task: () => Promise<{ ok: boolean; error?: CallError }>) {
    setError(null);
    const answer = await task();
    if (!answer.ok && answer.error) setError(answer.error);
    await load();
  }

  async function refreshRates() {
    setRefreshing(true);
    await act(() => client.call('refreshRates', {}));
    setRefreshing(false);
  }

  const header = (
    <header>
      <h1>Opentab</h1>
    </header>
  );
  if (!overview) {
    return (
      <main>
        {header}
        {error ? <ErrorNote error={error} /> : <p class="muted">Loading…</p>}
      </main>
    );
  }
  switch (overview.walletState) {
    case 'uninitialised':
      return (
        <main>
          {header}
          <CreateWallet client={client} onDone={() => void load()} />
        </main>
      );
    case 'locked':
      return (
        <main>
          {header}
          <UnlockWallet client={client} onDone={() => void load()} />
        </main>
      );
    case 'unenrolled':
      return (
        <main>
          {header}
          <p>Your wallet is ready but not enrolled with an operator yet.</p>
          <button class="primary" type="button" onClick={openOptions}>
            Enrol on the options page
          </button>
          <ErrorNote error={error} />
        </main>
      );
    case 'ready':
      break;
  }

  return (
    <main>
      {header}
      <section aria-label="Account">
        {overview.account ? (
          <p>
            Balance{' '}
            <strong class="amount" data-testid="balance">
              {showAmount(overview.account.balance)}
            </strong>{' '}
            · available credit{' '}
            <strong class="amount" data-testid="available">
              {showAmount(overview.account.available)}
            </strong>
          </p>
        ) : (
          <p class="warning">{overview.accountProblem ?? 'Account data is not available.'}</p>
        )}
        <RateStatus rates={overview.rates} onRefresh={() => void refreshRates()} refreshing={refreshing} />
        {overview.pendingRecords > 0 && (
          <p class="muted">
            {overview.pendingRecords} closed tab(s) waiting to reach your operator; Opentab keeps retrying.
          </p>
        )}
      </section>
      <section aria-label="Open tabs">
        <h2>Open tabs</h2>
        <TabList
          tabs={overview.tabs}
          now_ms={clock.now_ms()}
          onClose={(transactionId) => void act(() => client.call('closeTab', { transactionId }))}
        />
      </section>
      <section aria-label="Recent purchases">
        <h2>Recent purchases</h2>
        <PurchaseList purchases={overview.recentPurchases} now_ms={clock.now_ms()} />
      </section>
      <ErrorNote error={error} />
      <footer>
        <button type="button" onClick={() => void act(() => client.call('lock', {}))}>
          Lock
        </button>{' '}
        <button type="button" onClick={openOptions}>
          Options
        </button>
      </footer>
    </main>
  );
}
