// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConfirmationView } from '../messaging/views';
import '../ui/testing/dom-waits';
import { fakeClient, type FakeAnswers } from '../ui/testing/fake-client';
import { ConfirmView } from './ConfirmView';

afterEach(cleanup);

const question: ConfirmationView = {
  requestId: 'ab'.repeat(16),
  merchant: { merchantId: 'news', operatorId: 'op-eu' },
  merchantDisplayName: 'The Daily Tab',
  verifiedOrigin: 'https://news.example',
  item: {
    itemId: 'article-2',
    title: 'Rain at last',
    price: { currency: 'EUR', value: '0.15' },
    priceCustomer: { currency: 'SEK', value: '1.70' },
  },
  replacing: null,
  minimumDeposit: { currency: 'SEK', value: '1.71' },
  maximumDeposit: { currency: 'SEK', value: '100.00' },
  depositCustomer: { currency: 'SEK', value: '20.00' },
  depositMerchant: { currency: 'EUR', value: '1.76' },
  rate: '1 EUR = 11.3595 SEK',
  rateSource: { publisher: 'ecb', publishedOn: '2024-06-28', sample: false },
  timeout_s: 3600,
  suggestedAllowance: { currency: 'SEK', value: '20.00' },
};

function setup(answers: FakeAnswers = {}) {
  const client = fakeClient({
    getConfirmation: () => ({ ok: true, value: question }),
    confirmDecision: () => ({ ok: true, value: { recorded: true } }),
    ...answers,
  });
  const done = vi.fn();
  render(<ConfirmView client={client} requestId={question.requestId} done={done} />);
  return { client, done };
}

describe('ConfirmView', () => {
  it('shows merchant, verified origin, deposit in both currencies, rate and timeout', async () => {
    setup();
    expect((await screen.findByTestId('merchant')).textContent).toBe('The Daily Tab');
    expect(screen.getByTestId('origin').textContent).toContain('https://news.example');
    // Value and currency joined by a no-break space: an amount never breaks across lines.
    expect(screen.getByTestId('deposit-customer').textContent).toBe('20.00\u00a0SEK');
    expect(screen.getByTestId('deposit-merchant').textContent).toBe('1.76\u00a0EUR');
    expect(screen.getByTestId('rate').textContent).toBe('1 EUR = 11.3595 SEK');
    expect(screen.getByTestId('rate-source').textContent).toBe('ECB rate of 28 Jun 2024');
    expect(screen.getByTestId('timeout').textContent).toBe('1 h');
  });

  it('says what the click buys, in both currencies', async () => {
    setup();
    expect((await screen.findByTestId('purchase')).textContent).toBe(
      'To buy Rain at last, 0.15\u00a0EUR (≈\u00a01.70\u00a0SEK).',
    );
    expect(screen.getByRole('heading').textContent).toBe('Open a tab at The Daily Tab?');
  });

  it('says what is left on a used-up tab, what the item costs, and that approving closes it', async () => {
    const replacing = {
      spent: { currency: 'EUR', value: '0.96' },
      spentCustomer: { currency: 'SEK', value: '10.91' },
      remaining: { currency: 'EUR', value: '1.04' },
      remainingCustomer: { currency: 'SEK', value: '11.81' },
    };
    const item = { ...question.item, title: 'The e-book', price: { currency: 'EUR', value: '1.20' } };
    setup({
      getConfirmation: () => ({
        ok: true,
        value: { ...question, replacing, item: { ...item, priceCustomer: { currency: 'SEK', value: '13.63' } } },
      }),
    });
    expect((await screen.findByTestId('purchase')).textContent).toBe(
      'Your tab here has 1.04\u00a0EUR (≈\u00a011.81\u00a0SEK) left; The e-book costs 1.20\u00a0EUR (≈\u00a013.63\u00a0SEK). ' +
        'Approving closes it (you paid 0.96\u00a0EUR (≈\u00a010.91\u00a0SEK) there) and opens a new one.',
    );
    expect(screen.getByRole('heading').textContent).toBe('Open a new tab at The Daily Tab?');
  });

  it('lets the customer change the deposit, shows it as the merchant sees it, and approves with it', async () => {
    const { client, done } = setup({
      quoteDeposit: ({ deposit }) =>
        deposit === '5'
          ? {
              ok: true,
              value: {
                depositCustomer: { currency: 'SEK', value: '5.00' },
                depositMerchant: { currency: 'EUR', value: '0.44' },
              },
            }
          : {
              ok: false,
              error: {
                code: 'invalid_request',
                message: 'The deposit must be at least 1.71 SEK to pay for this item.',
              },
            },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Change' }));
    const field = screen.getByLabelText('Deposit held on your account');
    expect(field).toHaveProperty('value', '20.00');
    fireEvent.input(field, { target: { value: '1' } });
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The deposit must be at least 1.71 SEK to pay for this item.',
    );
    expect(screen.getByRole('button', { name: 'Approve' })).toHaveProperty('disabled', true);
    fireEvent.input(field, { target: { value: '5' } });
    await waitFor(() => expect(screen.getByTestId('deposit-merchant').textContent).toBe('0.44\u00a0EUR'));
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(client.calls).toContainEqual({
      call: 'confirmDecision',
      params: { requestId: question.requestId, decision: { kind: 'approve', deposit: '5' } },
    });
  });

  it('approves', async () => {
    const { client, done } = setup();
    fireEvent.click(await screen.findByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(client.calls).toContainEqual({
      call: 'confirmDecision',
      params: { requestId: question.requestId, decision: { kind: 'approve' } },
    });
  });

  it('approves with an allowance once its option is ticked, of the amount the customer typed', async () => {
    const { client, done } = setup();
    const option = await screen.findByRole('checkbox', { name: "Don't ask again at this merchant" });
    expect(option).toHaveProperty('checked', false);
    // The suggestion is the deposit; ticking the option turns Approve into approve-and-allow.
    expect(screen.getByLabelText('Allowance')).toHaveProperty('value', '20.00');
    fireEvent.click(option);
    fireEvent.input(screen.getByLabelText('Allowance'), { target: { value: '50.00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(client.calls).toContainEqual({
      call: 'confirmDecision',
      params: { requestId: question.requestId, decision: { kind: 'approve-and-allow', upTo: '50.00' } },
    });
  });

  it('takes typing an allowance as choosing it', async () => {
    const { client, done } = setup();
    fireEvent.input(await screen.findByLabelText('Allowance'), { target: { value: '30.00' } });
    expect(screen.getByRole('checkbox', { name: "Don't ask again at this merchant" })).toHaveProperty('checked', true);
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(client.calls).toContainEqual({
      call: 'confirmDecision',
      params: { requestId: question.requestId, decision: { kind: 'approve-and-allow', upTo: '30.00' } },
    });
  });

  it('refuses an allowance that is no amount, instead of approving without it', async () => {
    const { client, done } = setup();
    fireEvent.input(await screen.findByLabelText('Allowance'), { target: { value: '30,5 kr' } });
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The allowance must be an amount in SEK such as 25, 25.50 or 25,50.',
    );
    expect(done).not.toHaveBeenCalled();
    fireEvent.input(screen.getByLabelText('Allowance'), { target: { value: ' 30.50 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(client.calls.filter((entry) => entry.call === 'confirmDecision')).toEqual([
      {
        call: 'confirmDecision',
        params: { requestId: question.requestId, decision: { kind: 'approve-and-allow', upTo: '30.50' } },
      },
    ]);
  });

  it('declines', async () => {
    const { client, done } = setup();
    fireEvent.click(await screen.findByRole('button', { name: 'Decline' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(client.calls).toContainEqual({
      call: 'confirmDecision',
      params: { requestId: question.requestId, decision: { kind: 'decline' } },
    });
    expect(client.calls.map((entry) => entry.call)).not.toContain('blockMerchant');
  });

  it('declines on Escape, as closing the window does', async () => {
    const { client, done } = setup();
    await screen.findByTestId('merchant');
    fireEvent.keyDown(document, { key: 'Escape' });
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(client.calls).toContainEqual({
      call: 'confirmDecision',
      params: { requestId: question.requestId, decision: { kind: 'decline' } },
    });
  });

  it('focuses nothing at first, so a key meant for the page behind cannot approve', async () => {
    setup();
    await screen.findByTestId('merchant');
    expect(document.activeElement).toBe(document.body);
  });

  it('declines and blocks the merchant it names, without typing any id', async () => {
    const blocked = {
      merchantId: 'news',
      operatorId: 'op-eu',
      displayName: 'The Daily Tab',
      allowance: null,
      blocked: true,
      lastTabAt: null,
    };
    const settings = {
      currency: 'SEK',
      limits: null,
      tabTimeout_s: 3600,
      idleLock_min: 15,
      merchants: [blocked],
      heldToday: null,
      heldThisMonth: null,
    };
    const { client, done } = setup({ blockMerchant: () => ({ ok: true, value: settings }) });
    fireEvent.click(await screen.findByRole('button', { name: 'Decline and block' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(client.calls.map((entry) => entry.call)).toEqual(['getConfirmation', 'blockMerchant', 'confirmDecision']);
    expect(client.calls[1]!.params).toEqual({ merchantId: 'news', operatorId: 'op-eu', displayName: 'The Daily Tab' });
    expect(client.calls[2]!.params).toEqual({ requestId: question.requestId, decision: { kind: 'decline' } });
  });

  it('keeps the question open when the block is refused, so it can still be answered', async () => {
    const { client, done } = setup({
      blockMerchant: () => ({ ok: false, error: { code: 'wallet_locked', message: 'Your Opentab wallet is locked.' } }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Decline and block' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Your Opentab wallet is locked.');
    expect(done).not.toHaveBeenCalled();
    expect(client.calls.map((entry) => entry.call)).not.toContain('confirmDecision');
    expect(screen.getByRole('button', { name: 'Decline' })).toHaveProperty('disabled', false);
  });

  it('says so when the question was already answered or timed out', async () => {
    const client = fakeClient({
      getConfirmation: () => ({
        ok: false,
        error: { code: 'not_found', message: 'This confirmation was already answered or has timed out.' },
      }),
    });
    render(<ConfirmView client={client} requestId="x" done={() => undefined} />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/already answered/);
  });
});
