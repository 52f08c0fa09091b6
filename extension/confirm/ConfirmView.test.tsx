// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConfirmationView } from '../messaging/views';
import { fakeClient } from '../ui/testing/fake-client';
import { ConfirmView } from './ConfirmView';

afterEach(cleanup);

const question: ConfirmationView = {
  requestId: 'ab'.repeat(16),
  merchant: { merchantId: 'news', operatorId: 'op-eu' },
  merchantDisplayName: 'The Daily Tab',
  verifiedOrigin: 'https://news.example',
  depositCustomer: { currency: 'SEK', value: '20.00' },
  depositMerchant: { currency: 'EUR', value: '1.76' },
  rate: '1 EUR = 11.3595 SEK',
  timeout_s: 3600,
  suggestedAllowance: { currency: 'SEK', value: '20.00' },
};

function setup() {
  const client = fakeClient({
    getConfirmation: () => ({ ok: true, value: question }),
    confirmDecision: () => ({ ok: true, value: { recorded: true } }),
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
    expect(screen.getByTestId('timeout').textContent).toBe('1 h');
  });

  it('approves', async () => {
    const { client, done } = setup();
    fireEvent.click(await screen.findByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(client.calls).toContainEqual({ call: 'confirmDecision', params: { requestId: question.requestId, decision: { kind: 'approve' } } });
  });

  it('approves with an allowance of the amount the customer typed', async () => {
    const { client, done } = setup();
    fireEvent.input(await screen.findByLabelText('Allowance'), { target: { value: '50.00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Approve and allow up to' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(client.calls).toContainEqual({
      call: 'confirmDecision',
      params: { requestId: question.requestId, decision: { kind: 'approve-and-allow', upTo: '50.00' } },
    });
  });

  it('declines', async () => {
    const { client, done } = setup();
    fireEvent.click(await screen.findByRole('button', { name: 'Decline' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(client.calls).toContainEqual({ call: 'confirmDecision', params: { requestId: question.requestId, decision: { kind: 'decline' } } });
  });

  it('says so when the question was already answered or timed out', async () => {
    const client = fakeClient({ getConfirmation: () => ({ ok: false, error: { code: 'not_found', message: 'This confirmation was already answered or has timed out.' } }) });
    render(<ConfirmView client={client} requestId="x" done={() => undefined} />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/already answered/);
  });
});
