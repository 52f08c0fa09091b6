// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClosedTabView, OverviewView, PurchaseView, SettingsView } from '../messaging/views';
import '../ui/testing/dom-waits';
import { fakeClient } from '../ui/testing/fake-client';
import { Options } from './Options';

afterEach(cleanup);

const sek = (value: string) => ({ currency: 'SEK', value });

const overview: OverviewView = {
  walletState: 'ready',
  operator: {
    operatorId: 'op-se',
    baseUrl: 'https://op.example',
    currency: 'SEK',
    accountId: 'acct_0123456789abcdef01234567',
  },
  account: null,
  accountProblem: null,
  lastKnownAccount: null,
  tabs: [],
  recentPurchases: [],
  closedTabs: [],
  rates: { status: 'current', issuedAt: null, validUntil: null, source: null, refusal: null, quotes: [] },
  pendingRecords: 0,
};

const settings: SettingsView = {
  currency: 'SEK',
  limits: { maxDepositPerTab: sek('100.00'), dailyCap: sek('200.00'), monthlyCap: null, defaultDeposit: sek('20.00') },
  tabTimeout_s: 3600,
  idleLock_min: 15,
  merchants: [
    {
      merchantId: 'news',
      operatorId: 'op-eu',
      displayName: 'The Daily Tab',
      allowance: sek('25.00'),
      blocked: false,
      lastTabAt: '2026-06-01T11:50:00.000Z',
    },
  ],
  heldToday: sek('20.00'),
  heldThisMonth: sek('60.00'),
};

/** The options page of a locked wallet, whose client unlocks it with any passphrase; resolves with the Wallet
 * section. */
async function renderLockedWallet() {
  let walletState: OverviewView['walletState'] = 'locked';
  const client = fakeClient({
    getOverview: () => ({ ok: true, value: { ...overview, walletState } }),
    getSettings: () => ({ ok: true, value: settings }),
    getHistory: () => ({ ok: true, value: { purchases: [], statement: [], statementProblem: null, closedTabs: [] } }),
    unlock: () => {
      walletState = 'ready';
      return { ok: true, value: walletState };
    },
  });
  render(<Options client={client} />);
  return within(await screen.findByRole('region', { name: 'Wallet' }));
}

function unlockOnPage(wallet: ReturnType<typeof within>): void {
  fireEvent.input(wallet.getByLabelText(/^Passphrase/), { target: { value: 'correct horse battery staple' } });
  fireEvent.click(wallet.getByRole('button', { name: 'Unlock' }));
}

describe('Options', () => {
  it('shows the operator, the limits, the allowances, and saves changed limits', async () => {
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: overview }),
      getSettings: () => ({ ok: true, value: settings }),
      getHistory: () => ({ ok: true, value: { purchases: [], statement: [], statementProblem: null, closedTabs: [] } }),
      setLimits: () => ({ ok: true, value: settings }),
      revokeAllowance: () => ({
        ok: true,
        value: { ...settings, merchants: [{ ...settings.merchants[0]!, allowance: null }] },
      }),
    });
    render(<Options client={client} />);
    expect(await screen.findByText(/Enrolled with/)).toBeTruthy();
    expect(screen.getByText(/Spent or held today 20\.00 SEK, this month 60\.00 SEK/)).toBeTruthy();
    fireEvent.input(screen.getByLabelText(/Daily cap/), { target: { value: '' } });
    fireEvent.input(screen.getByLabelText(/Lock the wallet after/), { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(client.calls).toContainEqual({
        call: 'setLimits',
        params: {
          limits: { maxDepositPerTab: '100.00', dailyCap: null, monthlyCap: null, defaultDeposit: '20.00' },
          tabTimeout_s: 3600,
          idleLock_min: 5,
        },
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Revoke allowance at The Daily Tab' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: /^Revoke/ })).toBeNull());
    expect(client.calls).toContainEqual({
      call: 'revokeAllowance',
      params: { merchantId: 'news', operatorId: 'op-eu' },
    });
    expect(screen.getByTestId('merchant-row').textContent).toContain('Ask you first');
  });

  it('lists the merchants with tabs, allowances or blocks, and blocks and unblocks one picked from the list, no ids typed', async () => {
    const daily = settings.merchants[0]!;
    const spam = {
      merchantId: 'spam',
      operatorId: 'op-eu',
      displayName: 'Clickbait Daily',
      allowance: null,
      blocked: false,
      lastTabAt: '2026-05-30T08:00:00.000Z',
    };
    const weather = {
      merchantId: 'weather',
      operatorId: 'op-se',
      displayName: 'Nordic Weather',
      allowance: null,
      blocked: true,
      lastTabAt: null,
    };
    const listed = { ...settings, merchants: [daily, spam, weather] };
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: overview }),
      getSettings: () => ({ ok: true, value: listed }),
      getHistory: () => ({ ok: true, value: { purchases: [], statement: [], statementProblem: null, closedTabs: [] } }),
      // Blocking also revokes an allowance (spending-rules withBlocked): the answer says so.
      blockMerchant: ({ merchantId }) => ({
        ok: true,
        value: {
          ...listed,
          merchants: listed.merchants.map((entry) =>
            entry.merchantId === merchantId ? { ...entry, blocked: true, allowance: null } : entry,
          ),
        },
      }),
      unblockMerchant: ({ merchantId }) => ({
        ok: true,
        value: {
          ...listed,
          merchants: listed.merchants.map((entry) =>
            entry.merchantId === merchantId ? { ...entry, blocked: false } : entry,
          ),
        },
      }),
    });
    render(<Options client={client} />);
    const merchants = within(await screen.findByRole('region', { name: 'Merchants' }));
    const rows = () =>
      merchants
        .getAllByTestId('merchant-row')
        .map((row) => [
          ...Array.from(row.querySelectorAll('td'), (cell) => cell.textContent),
          row.querySelector('[data-testid="new-tabs"]')?.textContent,
        ]);
    expect(rows().map((cells) => [cells[0], cells[4], cells[3]])).toEqual([
      ['The Daily Tabnews at op-eu', 'Open without asking, up to 25.00\u00a0SEK', 'RevokeBlock'],
      ['Clickbait Dailyspam at op-eu', 'Ask you first', 'Block'],
      ['Nordic Weatherweather at op-se', 'Blocked', 'Unblock'],
    ]);
    // The customer never types a merchant's ids: the only fields are the budgets of merchants not blocked.
    expect(merchants.getAllByRole('textbox').map((field) => field.getAttribute('aria-label'))).toEqual([
      'Allowance at The Daily Tab (SEK)',
      'Allowance at Clickbait Daily (SEK)',
    ]);

    fireEvent.click(merchants.getByRole('button', { name: 'Block The Daily Tab' }));
    await waitFor(() => expect(merchants.getByRole('button', { name: 'Unblock The Daily Tab' })).toBeTruthy());
    expect(client.calls).toContainEqual({
      call: 'blockMerchant',
      params: { merchantId: 'news', operatorId: 'op-eu', displayName: 'The Daily Tab' },
    });
    expect(merchants.queryByRole('button', { name: 'Revoke allowance at The Daily Tab' })).toBeNull();

    fireEvent.click(merchants.getByRole('button', { name: 'Unblock Nordic Weather' }));
    await waitFor(() => expect(merchants.getByRole('button', { name: 'Block Nordic Weather' })).toBeTruthy());
    expect(client.calls).toContainEqual({
      call: 'unblockMerchant',
      params: { merchantId: 'weather', operatorId: 'op-se' },
    });
  });

  it("sets and changes a merchant's budget in its row, written as the customer writes amounts", async () => {
    const daily = settings.merchants[0]!;
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: overview }),
      getSettings: () => ({ ok: true, value: settings }),
      getHistory: () => ({ ok: true, value: { purchases: [], statement: [], statementProblem: null, closedTabs: [] } }),
      setAllowance: (params) => ({
        ok: true,
        value: { ...settings, merchants: [{ ...daily, allowance: sek(params.maxDeposit.replace(',', '.')) }] },
      }),
    });
    render(<Options client={client} />);
    const merchants = within(await screen.findByRole('region', { name: 'Merchants' }));
    const field = merchants.getByLabelText('Allowance at The Daily Tab (SEK)');
    expect(field).toHaveProperty('value', '25.00');
    fireEvent.input(field, { target: { value: '40,50' } });
    fireEvent.click(merchants.getByRole('button', { name: 'Change the allowance at The Daily Tab' }));
    await waitFor(() => expect(merchants.getByTestId('merchant-row').textContent).toContain('up to 40.50\u00a0SEK'));
    expect(client.calls).toContainEqual({
      call: 'setAllowance',
      params: { merchantId: 'news', operatorId: 'op-eu', displayName: 'The Daily Tab', maxDeposit: '40,50' },
    });
  });

  it('keeps a merchant known only by its block on the page once unblocked, so it can be blocked again', async () => {
    const spam = { merchantId: 'spam', operatorId: 'op-eu', displayName: 'Clickbait Daily' };
    const blockedOnly = {
      ...settings,
      merchants: [...settings.merchants, { ...spam, allowance: null, blocked: true, lastTabAt: null }],
    };
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: overview }),
      getSettings: () => ({ ok: true, value: blockedOnly }),
      getHistory: () => ({ ok: true, value: { purchases: [], statement: [], statementProblem: null, closedTabs: [] } }),
      // Without tabs, allowance or block, the background lists it no more.
      unblockMerchant: () => ({ ok: true, value: settings }),
      blockMerchant: () => ({ ok: true, value: blockedOnly }),
    });
    render(<Options client={client} />);
    const merchants = within(await screen.findByRole('region', { name: 'Merchants' }));
    fireEvent.click(merchants.getByRole('button', { name: 'Unblock Clickbait Daily' }));
    const blockAgain = await merchants.findByRole('button', { name: 'Block Clickbait Daily' });
    expect(merchants.getAllByTestId('merchant-row')[1]!.textContent).toContain('Ask you first');
    fireEvent.click(blockAgain);
    expect(await merchants.findByRole('button', { name: 'Unblock Clickbait Daily' })).toBeTruthy();
    expect(client.calls).toContainEqual({ call: 'blockMerchant', params: { ...spam } });
    expect(merchants.getAllByTestId('merchant-row')).toHaveLength(2);
  });

  it('shows why a block was refused, and keeps the list as it was', async () => {
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: overview }),
      getSettings: () => ({ ok: true, value: settings }),
      getHistory: () => ({ ok: true, value: { purchases: [], statement: [], statementProblem: null, closedTabs: [] } }),
      blockMerchant: () => ({ ok: false, error: { code: 'wallet_locked', message: 'Your Opentab wallet is locked.' } }),
    });
    render(<Options client={client} />);
    const merchants = within(await screen.findByRole('region', { name: 'Merchants' }));
    fireEvent.click(merchants.getByRole('button', { name: 'Block The Daily Tab' }));
    expect((await merchants.findByRole('alert')).textContent).toBe('Your Opentab wallet is locked.');
    expect(merchants.getByRole('button', { name: 'Revoke allowance at The Daily Tab' })).toBeTruthy();
  });

  it('says where merchants come from before there are any', async () => {
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: overview }),
      getSettings: () => ({ ok: true, value: { ...settings, merchants: [] } }),
      getHistory: () => ({ ok: true, value: { purchases: [], statement: [], statementProblem: null, closedTabs: [] } }),
    });
    render(<Options client={client} />);
    const merchants = within(await screen.findByRole('region', { name: 'Merchants' }));
    expect(merchants.getByText(/listed here once you have opened a tab there/)).toBeTruthy();
    expect(merchants.queryByRole('table')).toBeNull();
  });

  it('offers enrolment to a wallet without an operator and reports a refused code', async () => {
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: { ...overview, walletState: 'unenrolled', operator: null } }),
      getSettings: () => ({ ok: true, value: { ...settings, currency: null, limits: null, merchants: [] } }),
      getHistory: () => ({ ok: true, value: { purchases: [], statement: [], statementProblem: null, closedTabs: [] } }),
      enroll: () => ({
        ok: false,
        error: { code: 'enrollment_refused', message: 'The operator refused the enrolment: the code is used.' },
      }),
    });
    render(<Options client={client} />);
    fireEvent.input(await screen.findByLabelText(/Operator address/), { target: { value: 'https://op.example' } });
    fireEvent.input(screen.getByLabelText(/Enrolment code/), { target: { value: 'ABCD-1234' } });
    fireEvent.click(screen.getByRole('button', { name: 'Enrol' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/code is used/);
    expect(client.calls).toContainEqual({
      call: 'enroll',
      params: { operatorUrl: 'https://op.example', code: 'ABCD-1234' },
    });
  });

  it('guides a first run: create, back up, enrol, then a clear success state and what to do next', async () => {
    let walletState: OverviewView['walletState'] = 'uninitialised';
    const client = fakeClient({
      getOverview: () => ({
        ok: true,
        value: { ...overview, walletState, operator: walletState === 'ready' ? overview.operator : null },
      }),
      getSettings: () => ({ ok: true, value: { ...settings, currency: null, limits: null, merchants: [] } }),
      getHistory: () => ({ ok: true, value: { purchases: [], statement: [], statementProblem: null, closedTabs: [] } }),
      createWallet: () => {
        walletState = 'unenrolled';
        return { ok: true, value: walletState };
      },
      enroll: () => {
        walletState = 'ready';
        return { ok: true, value: overview.operator! };
      },
    });
    render(<Options client={client} />);
    // The backup section has a passphrase field of its own.
    const wallet = within(await screen.findByRole('region', { name: 'Wallet' }));
    fireEvent.input(wallet.getByLabelText(/^Passphrase/), { target: { value: 'correct horse battery staple' } });
    fireEvent.input(wallet.getByLabelText(/^Repeat/), { target: { value: 'correct horse battery staple' } });
    const guide = within(screen.getByRole('region', { name: 'Getting started' }));
    const current = () => guide.getAllByRole('listitem').find((step) => step.getAttribute('aria-current') === 'step');
    expect(current()?.textContent).toBe('Create your wallet');
    // The extension's name and icon head the page.
    expect(document.querySelector('header.brand img')?.getAttribute('src')).toBe('../icons/icon-48.png');
    fireEvent.click(wallet.getByRole('button', { name: 'Create wallet' }));
    expect((await guide.findByText('✓ Your wallet is created.')).getAttribute('role')).toBe('status');
    expect(current()?.textContent).toBe('Back it up');
    expect(guide.getByRole('button', { name: 'Export backup' })).toBeTruthy();
    fireEvent.click(guide.getByRole('button', { name: 'Back up later' }));
    fireEvent.input(await screen.findByLabelText(/Operator address/), { target: { value: 'https://op.example' } });
    expect(current()?.textContent).toBe('Enrol with your operator');
    fireEvent.input(screen.getByLabelText(/Enrolment code/), { target: { value: 'ABCD-1234' } });
    fireEvent.click(screen.getByRole('button', { name: 'Enrol' }));
    expect(await guide.findByText('✓ Your wallet is ready to pay.')).toBeTruthy();
    expect(current()?.textContent).toBe('Try it at a shop');
    expect(guide.getByText(/Next: visit a shop that takes Opentab/)).toBeTruthy();
    expect(guide.getAllByRole('listitem').filter((step) => step.className === 'done')).toHaveLength(3);
    // Done: the guide goes, the options stay.
    fireEvent.click(guide.getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Getting started' })).toBeNull());
    expect(screen.getByRole('region', { name: 'Operator' }).textContent).toMatch(/Enrolled with op-se/);
    expect(client.calls).toContainEqual({
      call: 'createWallet',
      params: { passphrase: 'correct horse battery staple' },
    });
  });

  it('unlocks a locked wallet on the page itself, then shows the history', async () => {
    const wallet = await renderLockedWallet();
    expect(screen.queryByRole('region', { name: 'History' })).toBeNull();
    unlockOnPage(wallet);
    expect(await screen.findByRole('region', { name: 'History' })).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Wallet' })).toBeNull();
  });

  it('offers no limits or merchant rules, and no Save, until a locked wallet is unlocked', async () => {
    const wallet = await renderLockedWallet();
    expect(screen.queryByRole('region', { name: 'Limits' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Merchants' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^(Revoke|Block|Unblock)/ })).toBeNull();
    expect(screen.queryByLabelText(/Daily cap/)).toBeNull();

    unlockOnPage(wallet);
    expect(await screen.findByRole('region', { name: 'Limits' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Save' })).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Merchants' })).toBeTruthy();
  });

  it('lists purchases by the item title, an old purchase without one by its item id, amounts unbroken', async () => {
    const purchases: PurchaseView[] = [
      {
        at: '2026-06-01T11:55:00.000Z',
        transactionId: 'op-se.1.1',
        merchantDisplayName: 'The Daily Tab',
        itemId: 'wallpaper-aurora',
        title: 'Aurora wallpaper',
        price: { currency: 'EUR', value: '0.30' },
        // 30 cents at the tab's 11.3595 SEK per EUR: 340.785 öre.
        priceCustomer: { currency: 'SEK', value: '3.41' },
        status: 'paid',
      },
      {
        at: '2026-06-01T11:54:00.000Z',
        transactionId: 'op-se.1.1',
        merchantDisplayName: 'The Daily Tab',
        itemId: 'article-12',
        title: null,
        price: { currency: 'EUR', value: '0.22' },
        priceCustomer: null,
        status: 'paid',
      },
    ];
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: overview }),
      getSettings: () => ({ ok: true, value: settings }),
      getHistory: () => ({ ok: true, value: { purchases, statement: [], statementProblem: null, closedTabs: [] } }),
    });
    render(<Options client={client} />);
    const history = within(await screen.findByRole('region', { name: 'History' }));
    const rows = (await history.findAllByRole('row'))
      .slice(1, 3)
      .map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent));
    expect(rows.map((cells) => cells.slice(1))).toEqual([
      // Each in the customer's currency too, at its tab's rate; one from a tab not in this wallet has none.
      ['The Daily Tab', 'Aurora wallpaper', '0.30\u00a0EUR', '≈\u00a03.41\u00a0SEK'],
      ['The Daily Tab', 'article-12', '0.22\u00a0EUR', '—'],
    ]);
    // The item id is still at hand, on the title.
    expect(history.getByText('Aurora wallpaper').getAttribute('title')).toBe('wallpaper-aurora');
  });

  it('lists closed tabs with how each cleared, and a disputed one with its charge and the reason', async () => {
    const closedTabs: ClosedTabView[] = [
      {
        transactionId: 'op-se.1.2',
        merchantDisplayName: 'The Daily Tab',
        spent: { currency: 'EUR', value: '0.45' },
        spentCustomer: { currency: 'SEK', value: '5.11' },
        charged: { currency: 'SEK', value: '5.11' },
        clearedAt: '2026-06-01T11:58:00.000Z',
        outcome: 'disputed',
        disputed: true,
        clearingNote: 'totals differ (customer 0.45, merchant 5.00 EUR)',
        decision: {
          operatorId: 'op-eu',
          decision: 'uphold',
          clearedBefore: { currency: 'EUR', value: '0.45' },
          clearedAfter: { currency: 'EUR', value: '0.45' },
          reason: 'The chain proves three articles.',
          decidedAt: '2026-06-01T12:00:00.000Z',
        },
      },
      {
        transactionId: 'op-se.1.1',
        merchantDisplayName: 'The Daily Tab',
        spent: { currency: 'EUR', value: '0.30' },
        spentCustomer: { currency: 'SEK', value: '3.41' },
        charged: { currency: 'SEK', value: '3.41' },
        clearedAt: '2026-06-01T11:50:00.000Z',
        outcome: 'agreed',
        disputed: false,
        clearingNote: null,
        decision: null,
      },
    ];
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: overview }),
      getSettings: () => ({ ok: true, value: settings }),
      getHistory: () => ({ ok: true, value: { purchases: [], statement: [], statementProblem: null, closedTabs } }),
    });
    render(<Options client={client} />);
    const history = within(await screen.findByRole('region', { name: 'History' }));
    const rows = await history.findAllByTestId('closed-tab-row');
    expect(rows.map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent).slice(1))).toEqual([
      [
        'The Daily Tab',
        'DisputedDecided: the operator kept what the tab clears, 0.45\u00a0EUR. Reason: The chain proves three articles.',
        '5.11\u00a0SEK',
      ],
      ['The Daily Tab', 'Agreed', '3.41\u00a0SEK'],
    ]);
  });

  it('marks a purchase the shop has not answered yet as pending', async () => {
    const purchases: PurchaseView[] = [
      {
        at: '2026-06-01T11:56:00.000Z',
        transactionId: 'op-se.1.1',
        merchantDisplayName: 'The Daily Tab',
        itemId: 'article-3',
        title: 'Snow',
        price: { currency: 'EUR', value: '0.15' },
        priceCustomer: null,
        status: 'pending',
      },
      {
        at: '2026-06-01T11:55:00.000Z',
        transactionId: 'op-se.1.1',
        merchantDisplayName: 'The Daily Tab',
        itemId: 'article-2',
        title: 'Rain',
        price: { currency: 'EUR', value: '0.08' },
        priceCustomer: null,
        status: 'paid',
      },
    ];
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: overview }),
      getSettings: () => ({ ok: true, value: settings }),
      getHistory: () => ({ ok: true, value: { purchases, statement: [], statementProblem: null, closedTabs: [] } }),
    });
    render(<Options client={client} />);
    const history = within(await screen.findByRole('region', { name: 'History' }));
    const rows = (await history.findAllByRole('row')).slice(1, 3);
    expect(rows.map((row) => row.querySelectorAll('td')[2]!.textContent)).toEqual(['Snow (pending)', 'Rain']);
    expect(history.getAllByTestId('purchase-status')).toHaveLength(1);
  });

  it('shows no history or statement before enrolment, and no export before a wallet exists', async () => {
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: { ...overview, walletState: 'unenrolled', operator: null } }),
      getSettings: () => ({ ok: true, value: { ...settings, currency: null, limits: null, merchants: [] } }),
      getHistory: () => ({
        ok: false,
        error: {
          code: 'wallet_not_enrolled',
          message: 'This wallet is not enrolled with an operator yet. Enrol it on the Opentab options page.',
        },
      }),
    });
    render(<Options client={client} />);
    await screen.findByLabelText(/Operator address/);
    expect(screen.queryByRole('region', { name: 'History' })).toBeNull();
    expect(screen.queryByText(/Enrol it on the Opentab options page/)).toBeNull();
    expect(screen.getByRole('button', { name: 'Export backup' })).toBeTruthy();
    cleanup();

    render(
      <Options
        client={fakeClient({
          getOverview: () => ({ ok: true, value: { ...overview, walletState: 'uninitialised', operator: null } }),
        })}
      />,
    );
    const backup = within(await screen.findByRole('region', { name: 'Backup' }));
    expect(backup.getByRole('button', { name: 'Restore' })).toBeTruthy();
    expect(backup.queryByRole('button', { name: 'Export backup' })).toBeNull();
  });

  it('says so when there are no purchases yet, instead of an empty table', async () => {
    const client = fakeClient({
      getOverview: () => ({ ok: true, value: overview }),
      getSettings: () => ({ ok: true, value: settings }),
      getHistory: () => ({ ok: true, value: { purchases: [], statement: [], statementProblem: null, closedTabs: [] } }),
    });
    render(<Options client={client} />);
    const history = within(await screen.findByRole('region', { name: 'History' }));
    expect(await history.findByText('No purchases yet.')).toBeTruthy();
    expect(history.queryByRole('table')).toBeNull();
    expect(history.queryByRole('button', { name: 'Export CSV' })).toBeNull();
  });
});
