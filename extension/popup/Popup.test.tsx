// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { OverviewView } from '../messaging/views';
import '../ui/testing/dom-waits';
import { fakeClient } from '../ui/testing/fake-client';
import { MIN_PASSPHRASE_LENGTH as VAULT_MINIMUM } from '../background/keys/vault';
import { Popup } from './Popup';
import { MIN_PASSPHRASE_LENGTH } from './WalletGate';

afterEach(cleanup);

const now_ms = Date.parse('2026-06-01T12:00:00Z');
const sek = (value: string) => ({ currency: 'SEK', value });
const eur = (value: string) => ({ currency: 'EUR', value });

const ready: OverviewView = {
  walletState: 'ready',
  operator: {
    operatorId: 'op-se',
    baseUrl: 'https://op.example',
    currency: 'SEK',
    accountId: 'acct_0123456789abcdef01234567',
  },
  account: { balance: sek('-12.30'), available: sek('467.70'), creditLimit: sek('500.00'), held: sek('20.00') },
  accountProblem: null,
  lastKnownAccount: null,
  tabs: [
    {
      transactionId: 'op-se.1.1',
      merchant: { merchantId: 'news', operatorId: 'op-eu' },
      merchantDisplayName: 'The Daily Tab',
      phase: 'open',
      depositCustomer: sek('20.00'),
      depositMerchant: eur('1.76'),
      spent: eur('0.23'),
      remaining: eur('1.53'),
      remainingCustomer: sek('17.38'),
      openedAt: '2026-06-01T11:50:00.000Z',
      expiresAt: '2026-06-01T12:42:00.000Z',
    },
  ],
  recentPurchases: [
    {
      at: '2026-06-01T11:55:00.000Z',
      transactionId: 'op-se.1.1',
      merchantDisplayName: 'The Daily Tab',
      itemId: 'article-2',
      title: 'Rain at last',
      price: eur('0.15'),
      // 15 cents at the tab's 11.3595 SEK per EUR: 170.39 öre.
      priceCustomer: sek('1.70'),
      status: 'paid',
    },
    // Stored before titles were kept.
    {
      at: '2026-06-01T11:54:00.000Z',
      transactionId: 'op-se.1.1',
      merchantDisplayName: 'The Daily Tab',
      itemId: 'article-1',
      title: null,
      price: eur('0.08'),
      priceCustomer: null,
      status: 'paid',
    },
  ],
  rates: {
    status: 'current',
    issuedAt: '2026-06-01T11:00:00.000Z',
    validUntil: '2026-06-01T13:00:00.000Z',
    source: { publisher: 'ecb', publishedOn: '2026-05-29', sample: false },
    refusal: null,
    quotes: ['1 EUR = 11.3595 SEK', '1 USD = 10.6132 SEK'],
  },
  closedTabs: [],
  pendingRecords: 0,
};

describe('Popup', () => {
  it('shows balance, available credit, open tabs with time left, recent purchases and rate status', async () => {
    render(
      <Popup
        client={fakeClient({ getOverview: () => ({ ok: true, value: ready }) })}
        openOptions={() => undefined}
        clock={{ now_ms: () => now_ms }}
      />,
    );
    // Every amount keeps value and currency on one line: a no-break space joins them.
    expect(await screen.findByTestId('balance')).toHaveProperty('textContent', '-12.30\u00a0SEK');
    expect(screen.getByTestId('available').textContent).toBe('467.70\u00a0SEK');
    const row = screen.getByTestId('tab-row');
    expect(row.textContent).toContain('The Daily Tab');
    expect(row.textContent).toContain('1.76\u00a0EUR');
    expect(row.textContent).toContain('0.23\u00a0EUR');
    expect(row.textContent).toContain('1.53\u00a0EUR');
    // What is left, in the account's currency too, on screen rather than in a tooltip.
    expect(within(row).getByTestId('remaining-customer').textContent).toBe('≈\u00a017.38\u00a0SEK');
    // The deposit and the time left sit under the merchant's name, so four columns fit the popup.
    expect(within(row).getByTestId('tab-terms').textContent).toBe('deposit 1.76\u00a0EUR · 42 min left');
    expect(within(row).getAllByRole('cell')).toHaveLength(4);
    // Purchases by the merchant's title for the item; one stored without a title by its item id.
    const purchases = within(screen.getByRole('region', { name: 'Recent purchases' })).getAllByRole('listitem');
    expect(purchases.map((item) => within(item).getByTestId('purchase-title').textContent)).toEqual([
      'Rain at last',
      'article-1',
    ]);
    expect(screen.queryByText(/article-2/)).toBeNull();
    expect(screen.getByTestId('rate-status').textContent).toMatch(/^ECB rate of 29 May 2026, current until/);
    // Machine-readable too: the end of validity as a <time> element.
    expect(screen.getByTestId('rate-status').querySelector('time')?.getAttribute('datetime')).toBe(
      '2026-06-01T13:00:00.000Z',
    );
  });

  it('names the rate locked for a tab, whose and of which day', async () => {
    const withSource = {
      ...ready,
      tabs: [
        { ...ready.tabs[0]!, rateSource: { publisher: 'ecb' as const, publishedOn: '2026-05-29', sample: false } },
      ],
    };
    render(
      <Popup
        client={fakeClient({ getOverview: () => ({ ok: true, value: withSource }) })}
        openOptions={() => undefined}
        clock={{ now_ms: () => now_ms }}
      />,
    );
    expect((await screen.findByTestId('tab-terms')).textContent).toBe(
      'deposit 1.76\u00a0EUR · 42 min left · ECB rate of 29 May 2026',
    );
  });

  it('lists recent purchases as rows: title and price, then merchant and time, the whole title on hover', async () => {
    // Local times, so "today" is today wherever the test runs.
    const noon_ms = new Date(2026, 5, 1, 12, 0).getTime();
    const local = (day: number, hour: number, minute: number) => new Date(2026, 5, day, hour, minute).toISOString();
    const long = 'The long road to a cheaper kilowatt-hour in the north, and who pays for it';
    const [first, second] = ready.recentPurchases;
    const recentPurchases = [
      { ...first!, at: local(1, 11, 55) },
      { ...second!, at: local(1, 11, 54) },
      { ...first!, at: local(0, 9, 30), itemId: 'article-9', title: long },
    ];
    render(
      <Popup
        client={fakeClient({ getOverview: () => ({ ok: true, value: { ...ready, recentPurchases } }) })}
        openOptions={() => undefined}
        clock={{ now_ms: () => noon_ms }}
      />,
    );
    const rows = await within(await screen.findByRole('region', { name: 'Recent purchases' })).findAllByRole(
      'listitem',
    );
    const cells = (row: HTMLElement) => ({
      title: within(row).getByTestId('purchase-title').textContent,
      price: within(row).getByTestId('purchase-price').textContent,
      merchant: within(row).getByTestId('purchase-merchant').textContent,
      at: row.querySelector('time')?.getAttribute('datetime'),
    });
    expect(rows.map(cells)).toEqual([
      { title: 'Rain at last', price: '0.15\u00a0EUR', merchant: 'The Daily Tab', at: local(1, 11, 55) },
      { title: 'article-1', price: '0.08\u00a0EUR', merchant: 'The Daily Tab', at: local(1, 11, 54) },
      { title: long, price: '0.15\u00a0EUR', merchant: 'The Daily Tab', at: local(0, 9, 30) },
    ]);
    // The price is an amount, right-aligned as in the history table; a title cut to one line is whole on hover.
    expect(within(rows[0]!).getByTestId('purchase-price').className).toBe('amount');
    expect(within(rows[2]!).getByTestId('purchase-title').getAttribute('title')).toBe(long);
    // Today's purchases by their time alone; an earlier one with its day too. The full moment on hover.
    const time = { hour: 'numeric', minute: '2-digit' } as const;
    const today = rows[0]!.querySelector('time')!;
    expect(today.textContent).toBe(new Date(local(1, 11, 55)).toLocaleTimeString(undefined, time));
    expect(today.getAttribute('title')).toBe(new Date(local(1, 11, 55)).toLocaleString());
    expect(rows[2]!.querySelector('time')!.textContent).toBe(
      new Date(local(0, 9, 30)).toLocaleString(undefined, { ...time, month: 'short', day: 'numeric' }),
    );
  });

  it("shows each purchase in the customer's money too, the table's rates, and what closed tabs cost", async () => {
    const closedTabs = [
      {
        transactionId: 'op-se.1.0',
        merchantDisplayName: 'The Daily Tab',
        spent: eur('0.19'),
        spentCustomer: sek('2.16'),
        charged: sek('2.16'),
        clearedAt: '2026-06-01T11:40:00.000Z',
        outcome: 'agreed',
        disputed: false,
        clearingNote: null,
        decision: null,
      },
      {
        transactionId: 'op-se.0.9',
        merchantDisplayName: 'Weekly Wire',
        spent: eur('0.10'),
        spentCustomer: sek('1.14'),
        charged: sek('1.50'),
        clearedAt: '2026-06-01T11:30:00.000Z',
        outcome: 'agreed',
        disputed: true,
        clearingNote: null,
        decision: null,
      },
      {
        transactionId: 'op-se.0.8',
        merchantDisplayName: 'Weekly Wire',
        spent: null,
        spentCustomer: null,
        charged: sek('2.27'),
        clearedAt: '2026-06-01T11:20:00.000Z',
        outcome: 'disputed',
        disputed: true,
        clearingNote: 'totals differ (customer 0.45, merchant 5.00 EUR)',
        decision: {
          operatorId: 'op-eu',
          decision: 'adjust',
          clearedBefore: eur('0.45'),
          clearedAfter: eur('0.20'),
          reason: 'Two articles never loaded.',
          decidedAt: '2026-06-01T11:25:00.000Z',
        },
      },
      {
        transactionId: 'op-se.0.7',
        merchantDisplayName: 'Weekly Wire',
        spent: eur('0.45'),
        spentCustomer: sek('5.11'),
        charged: sek('5.11'),
        clearedAt: '2026-06-01T11:10:00.000Z',
        outcome: 'disputed',
        disputed: true,
        clearingNote: 'totals differ (customer 0.45, merchant 5.00 EUR)',
        decision: null,
      },
      {
        transactionId: 'op-se.0.6',
        merchantDisplayName: 'Weekly Wire',
        spent: eur('0.30'),
        spentCustomer: sek('3.41'),
        charged: sek('1.70'),
        clearedAt: '2026-06-01T11:00:00.000Z',
        outcome: 'agreed',
        disputed: false,
        clearingNote: 'Refund from Weekly Wire: the article was withdrawn',
        decision: null,
      },
    ] as const;
    render(
      <Popup
        client={fakeClient({ getOverview: () => ({ ok: true, value: { ...ready, closedTabs } }) })}
        openOptions={() => undefined}
        clock={{ now_ms: () => now_ms }}
      />,
    );
    const [first, second] = await within(await screen.findByRole('region', { name: 'Recent purchases' })).findAllByRole(
      'listitem',
    );
    expect(within(first!).getByTestId('purchase-price-customer').textContent).toBe('≈\u00a01.70\u00a0SEK · ');
    // Paid from a tab this wallet does not hold: no rate to convert it at, so no figure is made up.
    expect(within(second!).queryByTestId('purchase-price-customer')).toBeNull();
    const quotes = screen.getByTestId('rate-quotes');
    expect(quotes.querySelector('summary')?.textContent).toBe('All 2 rates (ECB rate of 29 May 2026)');
    expect(Array.from(quotes.querySelectorAll('li'), (item) => item.textContent)).toEqual([
      '1 EUR = 11.3595 SEK',
      '1 USD = 10.6132 SEK',
    ]);
    const closed = within(screen.getByRole('region', { name: 'Closed tabs' })).getAllByRole('listitem');
    expect(within(closed[0]!).getByTestId('closed-tab-cost').textContent).toBe('cost 2.16\u00a0SEK');
    expect(within(closed[0]!).getByTestId('closed-tab-receipts').textContent).toBe(
      'receipts 0.19\u00a0EUR ≈\u00a02.16\u00a0SEK',
    );
    expect(within(closed[1]!).getByTestId('closed-tab-receipts').textContent).toBe(
      'Disputed: charged 1.50\u00a0SEK, your receipts add up to 1.14\u00a0SEK',
    );
    expect(within(closed[1]!).queryByTestId('closed-tab-why')).toBeNull();
    // Cleared as disputed, then decided: the charge after the decision, the decision and its reason.
    expect(within(closed[2]!).getByTestId('closed-tab-cost').textContent).toBe('cost 2.27\u00a0SEK');
    expect(within(closed[2]!).getByTestId('closed-tab-receipts').textContent).toBe('Disputed: charged 2.27\u00a0SEK');
    expect(within(closed[2]!).getByTestId('closed-tab-why').textContent).toBe(
      'Decided: the operator changed what the tab clears from 0.45\u00a0EUR to 0.20\u00a0EUR. Reason: Two articles never loaded.',
    );
    // Not decided yet: the operator's own sentence on why.
    expect(within(closed[3]!).getByTestId('closed-tab-why').textContent).toBe(
      "Your record and the merchant's disagreed: totals differ (customer 0.45, merchant 5.00 EUR). The operator charged no more than your payments prove.",
    );
    // Refunded by the merchant after clearing: charged below the receipts, yet not disputed.
    expect(within(closed[4]!).getByTestId('closed-tab-receipts').textContent).toBe(
      'receipts 0.30\u00a0EUR ≈\u00a03.41\u00a0SEK',
    );
    expect(within(closed[4]!).getByTestId('closed-tab-why').textContent).toBe(
      'Corrected: Refund from Weekly Wire: the article was withdrawn',
    );
    expect(within(closed[0]!).queryByTestId('closed-tab-why')).toBeNull();
  });

  it('shows a purchase the shop has not answered yet as pending, not as bought at a time', async () => {
    const [paid] = ready.recentPurchases;
    const recentPurchases = [{ ...paid!, itemId: 'article-3', title: 'Snow', status: 'pending' as const }, paid!];
    render(
      <Popup
        client={fakeClient({ getOverview: () => ({ ok: true, value: { ...ready, recentPurchases } }) })}
        openOptions={() => undefined}
        clock={{ now_ms: () => now_ms }}
      />,
    );
    const [pending, bought] = await within(
      await screen.findByRole('region', { name: 'Recent purchases' }),
    ).findAllByRole('listitem');
    expect(within(pending!).getByTestId('purchase-status').textContent).toBe('Pending');
    expect(pending!.querySelector('time')).toBeNull();
    expect(within(bought!).queryByTestId('purchase-status')).toBeNull();
    expect(bought!.querySelector('time')).not.toBeNull();
  });

  it('says so when nothing was bought yet', async () => {
    render(
      <Popup
        client={fakeClient({ getOverview: () => ({ ok: true, value: { ...ready, recentPurchases: [] } }) })}
        openOptions={() => undefined}
        clock={{ now_ms: () => now_ms }}
      />,
    );
    const region = within(await screen.findByRole('region', { name: 'Recent purchases' }));
    expect(region.getByText('None yet.')).toBeTruthy();
    expect(region.queryByRole('list')).toBeNull();
  });

  it('shows what changed when the background announces it, with no reload', async () => {
    let current: OverviewView = ready;
    const client = fakeClient({ getOverview: () => ({ ok: true, value: current }) });
    render(<Popup client={client} openOptions={() => undefined} clock={{ now_ms: () => now_ms }} />);
    expect((await screen.findByTestId('balance')).textContent).toBe('-12.30\u00a0SEK');
    // The tab closed and its operator cleared it.
    current = { ...ready, tabs: [], account: { ...ready.account!, balance: sek('-14.60'), held: sek('0.00') } };
    client.announceChange();
    await waitFor(() => expect(screen.getByTestId('balance').textContent).toBe('-14.60\u00a0SEK'));
    expect(screen.queryByTestId('tab-row')).toBeNull();
  });

  it('asks again at the exact moment the rate table expires, and redraws time left as each minute passes', async () => {
    let clock_ms = now_ms;
    const wakes: { at_ms: number; wake: () => void }[] = [];
    let current: OverviewView = ready;
    const client = fakeClient({ getOverview: () => ({ ok: true, value: current }) });
    render(
      <Popup
        client={client}
        openOptions={() => undefined}
        clock={{ now_ms: () => clock_ms }}
        wakeAt={(at_ms, wake) => {
          const entry = { at_ms, wake };
          wakes.push(entry);
          return () => wakes.splice(wakes.indexOf(entry), 1);
        }}
      />,
    );
    expect((await screen.findByTestId('tab-terms')).textContent).toBe('deposit 1.76\u00a0EUR · 42 min left');
    // The tab expires at 12:42:00: its minutes change at 12:01:00, before the rates expire at 13:00.
    await waitFor(() => expect(wakes.map((entry) => entry.at_ms)).toEqual([Date.parse('2026-06-01T12:01:00Z')]));
    clock_ms = Date.parse('2026-06-01T12:01:00Z');
    wakes[0]!.wake();
    await waitFor(() =>
      expect(screen.getByTestId('tab-terms').textContent).toBe('deposit 1.76\u00a0EUR · 41 min left'),
    );
    expect(client.calls.filter((entry) => entry.call === 'getOverview')).toHaveLength(1);

    // No tabs: the next change is the rate table's expiry, when the background is asked again.
    current = { ...ready, tabs: [] };
    client.announceChange();
    await waitFor(() => expect(wakes.map((entry) => entry.at_ms)).toEqual([Date.parse(ready.rates.validUntil!)]));
    current = { ...current, rates: { ...ready.rates, status: 'expired' } };
    clock_ms = Date.parse(ready.rates.validUntil!);
    wakes[0]!.wake();
    await waitFor(() => expect(screen.getByTestId('rate-status').textContent).toMatch(/expired at/));
  });

  it('closes a tab through the background and reloads', async () => {
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: ready }),
      closeTab: () => ({ ok: true, value: { closed: true } }),
    });
    render(<Popup client={client} openOptions={() => undefined} clock={{ now_ms: () => now_ms }} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Close tab at The Daily Tab' }));
    await waitFor(() => expect(client.calls.filter((entry) => entry.call === 'getOverview')).toHaveLength(2));
    expect(client.calls).toContainEqual({ call: 'closeTab', params: { transactionId: 'op-se.1.1' } });
  });

  it('calls sample rates samples, never current, and says when a table does not state its source', async () => {
    const sample = {
      ...ready,
      rates: { ...ready.rates, source: { publisher: 'ecb' as const, publishedOn: '2024-06-28', sample: true } },
    };
    render(
      <Popup
        client={fakeClient({ getOverview: () => ({ ok: true, value: sample }) })}
        openOptions={() => undefined}
        clock={{ now_ms: () => now_ms }}
      />,
    );
    const status = await screen.findByTestId('rate-status');
    expect(status.textContent).toMatch(/^Sample ECB rate from 28 Jun 2024, not current rates; in use until/);
    expect(status.textContent).not.toMatch(/current until/);
    cleanup();

    const unstated = { ...ready, rates: { ...ready.rates, source: null } };
    render(
      <Popup
        client={fakeClient({ getOverview: () => ({ ok: true, value: unstated }) })}
        openOptions={() => undefined}
        clock={{ now_ms: () => now_ms }}
      />,
    );
    expect((await screen.findByTestId('rate-status')).textContent).toMatch(/^Rate of unstated date, current until/);
  });

  it("shows the operator's refusal to publish rates instead of any rate", async () => {
    const refusal =
      'The newest exchange rates this operator has are ECB rates of 28 Jun 2024, older than the 6 days it accepts, so it publishes no rate table until its source has newer ones.';
    const refused = { ...ready, rates: { ...ready.rates, status: 'expired' as const, refusal } };
    render(
      <Popup
        client={fakeClient({ getOverview: () => ({ ok: true, value: refused }) })}
        openOptions={() => undefined}
        clock={{ now_ms: () => now_ms }}
      />,
    );
    const status = await screen.findByTestId('rate-status');
    expect(status.getAttribute('role')).toBe('status');
    expect(status.textContent).toBe(
      `Your operator has no current exchange rates, so prices cannot be converted. ${refusal} Refresh rates`,
    );
  });

  it('warns about an expired rate table and refreshes on demand', async () => {
    const expired = { ...ready, rates: { ...ready.rates, status: 'expired' as const } };
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: expired }),
      refreshRates: () => ({
        ok: false,
        error: { code: 'operator_unreachable', message: 'Your operator could not be reached.' },
      }),
    });
    render(<Popup client={client} openOptions={() => undefined} clock={{ now_ms: () => now_ms }} />);
    expect((await screen.findByTestId('rate-status')).textContent).toMatch(/expired.*cannot be converted/);
    fireEvent.click(screen.getByRole('button', { name: 'Refresh rates' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Your operator could not be reached.');
    // Beside its button, in the rate line, not at the foot of the popup.
    expect(screen.getByTestId('rate-status').contains(screen.getByTestId('refresh-error'))).toBe(true);
  });

  it('keeps the last known balance, with its time, beside the notice while the operator is down', async () => {
    const down: OverviewView = {
      ...ready,
      account: null,
      accountProblem: 'Your operator could not be reached.',
      lastKnownAccount: { account: ready.account!, at: '2026-06-01T11:58:00.000Z' },
    };
    render(
      <Popup
        client={fakeClient({ getOverview: () => ({ ok: true, value: down }) })}
        openOptions={() => undefined}
        clock={{ now_ms: () => now_ms }}
      />,
    );
    expect((await screen.findByText('Your operator could not be reached.')).className).toBe('warning');
    const last = screen.getByTestId('last-known-account');
    expect(within(last).getByTestId('balance').textContent).toBe('-12.30\u00a0SEK');
    expect(last.querySelector('time')?.getAttribute('datetime')).toBe('2026-06-01T11:58:00.000Z');
    expect(last.textContent).toMatch(/as of /);
  });

  it('counts closed tabs waiting for the operator in proper plurals', async () => {
    const waiting = (pendingRecords: number) => ({ ...ready, pendingRecords });
    render(
      <Popup
        client={fakeClient({ getOverview: () => ({ ok: true, value: waiting(1) }) })}
        openOptions={() => undefined}
        clock={{ now_ms: () => now_ms }}
      />,
    );
    expect(await screen.findByText(/^1 closed tab is waiting to reach your operator/)).toBeTruthy();
    cleanup();
    render(
      <Popup
        client={fakeClient({ getOverview: () => ({ ok: true, value: waiting(2) }) })}
        openOptions={() => undefined}
        clock={{ now_ms: () => now_ms }}
      />,
    );
    expect(await screen.findByText(/^2 closed tabs are waiting to reach your operator/)).toBeTruthy();
  });

  it('unlocks a locked wallet, and shows why a passphrase was refused', async () => {
    let state: OverviewView['walletState'] = 'locked';
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: { ...ready, walletState: state } }),
      unlock: ({ passphrase }) => {
        if (passphrase !== 'the right passphrase')
          return {
            ok: false,
            error: { code: 'wrong_passphrase', message: 'That passphrase does not unlock this wallet.' },
          };
        state = 'ready';
        return { ok: true, value: 'ready' };
      },
    });
    render(<Popup client={client} openOptions={() => undefined} clock={{ now_ms: () => now_ms }} />);
    const input = await screen.findByLabelText(/Passphrase/);
    fireEvent.input(input, { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/does not unlock/);
    fireEvent.input(input, { target: { value: 'the right passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    expect(await screen.findByTestId('balance')).toBeTruthy();
  });

  it('creates a wallet, refusing two different passphrases', async () => {
    const client = fakeClient({
      getOverview: () => ({
        ok: true,
        value: { ...ready, walletState: 'uninitialised', operator: null, account: null, tabs: [] },
      }),
      createWallet: () => ({ ok: true, value: 'unenrolled' }),
    });
    render(<Popup client={client} openOptions={() => undefined} clock={{ now_ms: () => now_ms }} />);
    // The vault's minimum length is told before the customer types, not only after a refusal.
    expect(MIN_PASSPHRASE_LENGTH).toBe(VAULT_MINIMUM);
    expect(await screen.findByText(new RegExp(`at least ${VAULT_MINIMUM} characters`))).toBeTruthy();
    fireEvent.input(await screen.findByLabelText(/^Passphrase/), { target: { value: 'a long passphrase' } });
    fireEvent.input(screen.getByLabelText(/^Repeat/), { target: { value: 'another one' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create wallet' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/differ/);
    fireEvent.input(screen.getByLabelText(/^Repeat/), { target: { value: 'a long passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create wallet' }));
    await waitFor(() =>
      expect(client.calls).toContainEqual({ call: 'createWallet', params: { passphrase: 'a long passphrase' } }),
    );
  });
});
