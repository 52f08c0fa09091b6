// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../ui/testing/dom-waits';
import { fakeClient } from '../ui/testing/fake-client';
import { UnlockView } from './UnlockView';

afterEach(cleanup);

describe('UnlockView', () => {
  it('says why it asks, unlocks with the passphrase typed, and is done', async () => {
    const client = fakeClient({ unlock: () => ({ ok: true, value: 'ready' }) });
    const done = vi.fn();
    render(<UnlockView client={client} done={done} />);
    expect(screen.getByRole('heading').textContent).toBe('Unlock Opentab to pay');
    expect(screen.getByText(/the payment goes on/)).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Passphrase'), { target: { value: 'correct horse battery' } });
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(client.calls).toEqual([{ call: 'unlock', params: { passphrase: 'correct horse battery' } }]);
  });

  it('stays open with the reason when the passphrase is wrong', async () => {
    const client = fakeClient({
      unlock: () => ({ ok: false, error: { code: 'wrong_passphrase', message: 'That passphrase is not right.' } }),
    });
    const done = vi.fn();
    render(<UnlockView client={client} done={done} />);
    fireEvent.input(screen.getByLabelText('Passphrase'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That passphrase is not right.');
    expect(done).not.toHaveBeenCalled();
  });
});
