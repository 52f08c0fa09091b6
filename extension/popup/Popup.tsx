// The toolbar popup: the wallet's state, the money, the open tabs and the rate table at a glance.

import { useCallback, useEffect, useState } from 'preact/hooks';
import { systemClock, type Clock } from '@opentab/protocol';
import type { CallError } from '../messaging/result';
import type { OverviewView } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { ErrorNote } from '../ui/ErrorNote';
import { countOf, showAmount, showDateTime, showShortDateTime } from '../ui/format';
import { ClosedTabList } from './ClosedTabList';
import { DeliveryList, type DeliveriesSource } from './DeliveryList';
import { PurchaseList } from './PurchaseList';
import { RateStatus } from './RateStatus';
import { TabList } from './TabList';
import { CreateWallet, UnlockWallet } from './WalletGate';
import { nextDisplayChange } from './display-changes';
import { wakeAtWith, type WakeAt } from '../ui/wake-at';

export interface PopupProps {
  readonly client: AgentClient;
  readonly openOptions: () => void;
  readonly clock?: Clock;
  /** Wakes the popup when the clock alone changes what it shows; a timer unless a test drives it. */
  readonly wakeAt?: WakeAt;
  /** Products bought by secure delivery; not listed when absent. */
  readonly deliveries?: DeliveriesSource;
}

export function Popup({ client, openOptions, clock = systemClock, wakeAt, deliveries }: PopupProps) {
  const [overview, setOverview] = useState<OverviewView | null>(null);
  const [error, setError] = useState<CallError | null>(null);
  const [refreshing, setRefreshing] = useState(false);
  const [rateError, setRateError] = useState<CallError | null>(null);
  const [redraws, setRedraws] = useState(0);

  const load = useCallback(async () => {
    const answer = await client.call('getOverview', {});
    if (answer.ok) setOverview(answer.value);
    else setError(answer.error);
  }, [client]);

  // Live while open: the background says when something changed, and the clock is watched for the rest.
  useEffect(() => {
    void load();
    return client.subscribe(() => void load());
  }, [client, load]);

  useEffect(() => {
    if (!overview) return;
    const change = nextDisplayChange(overview, clock.now_ms());
    if (!change) return;
    return (wakeAt ?? wakeAtWith(() => clock.now_ms()))(change.at_ms, () =>
      change.kind === 'reload' ? void load() : setRedraws((count) => count + 1),
    );
  }, [overview, redraws, load, clock, wakeAt]);

  async function act(task: () => Promise<{ ok: boolean; error?: CallError }>) {
    setError(null);
    const answer = await task();
    if (!answer.ok && answer.error) setError(answer.error);
    await load();
  }

  /** Its failure shows beside its button, not at the foot of the popup. */
  async function refreshRates() {
    setRefreshing(true);
    setRateError(null);
    const answer = await client.call('refreshRates', {});
    if (!answer.ok) setRateError(answer.error);
    await load();
    setRefreshing(false);
  }

  const header = (
    <header class="brand">
      <img src="../icons/icon-32.png" alt="" width={24} height={24} />
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
          <>
            <p class="warning" role="status">
              {overview.accountProblem ?? 'Account data is not available.'}
            </p>
            {/* The last figures the operator gave, marked as such: better than no balance at all. */}
            {overview.lastKnownAccount && (
              <p data-testid="last-known-account">
                Balance{' '}
                <strong class="amount" data-testid="balance">
                  {showAmount(overview.lastKnownAccount.account.balance)}
                </strong>{' '}
                · available credit{' '}
                <strong class="amount" data-testid="available">
                  {showAmount(overview.lastKnownAccount.account.available)}
                </strong>{' '}
                <span class="muted small">
                  as of{' '}
                  <time dateTime={overview.lastKnownAccount.at} title={showDateTime(overview.lastKnownAccount.at)}>
                    {showShortDateTime(overview.lastKnownAccount.at, clock.now_ms())}
                  </time>
                </span>
              </p>
            )}
          </>
        )}
        <RateStatus
          rates={overview.rates}
          onRefresh={() => void refreshRates()}
          refreshing={refreshing}
          refreshError={rateError}
        />
        {overview.pendingRecords > 0 && (
          <p class="muted">
            {countOf(overview.pendingRecords, 'closed tab', 'closed tabs')}{' '}
            {overview.pendingRecords === 1 ? 'is' : 'are'} waiting to reach your operator; Opentab keeps retrying.
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
      {deliveries && <DeliveryList source={deliveries} />}
      {overview.closedTabs.length > 0 && (
        <section aria-label="Closed tabs">
          <h2>Closed tabs</h2>
          <ClosedTabList tabs={overview.closedTabs} now_ms={clock.now_ms()} />
        </section>
      )}
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
