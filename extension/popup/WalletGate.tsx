// Create or unlock the wallet: the two things the popup asks before it can show anything else.

import { useState } from 'preact/hooks';
import type { CallError } from '../messaging/result';
import type { WalletState } from '../messaging/views';
import type { AgentClient } from '../ui/background-client';
import { ErrorNote } from '../ui/ErrorNote';

/** The vault's own rule (MIN_PASSPHRASE_LENGTH in background/keys/vault.ts), told before the customer types. */
export const MIN_PASSPHRASE_LENGTH = 10;

export function CreateWallet({ client, onDone }: { client: AgentClient; onDone: (state: WalletState) => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<CallError | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(event: Event) {
    event.preventDefault();
    if (passphrase !== repeat) {
      setError({ code: 'invalid_request', message: 'The two passphrases differ.' });
      return;
    }
    setBusy(true);
    const answer = await client.call('createWallet', { passphrase });
    setBusy(false);
    if (answer.ok) onDone(answer.value);
    else setError(answer.error);
  }

  return (
    <form onSubmit={create}>
      <p>
        Create your Opentab wallet. Its key is stored encrypted under a passphrase of at least {MIN_PASSPHRASE_LENGTH}{' '}
        characters; nobody can recover it for you.
      </p>
      <label>
        Passphrase{' '}
        <input
          type="password"
          value={passphrase}
          onInput={(e) => setPassphrase(e.currentTarget.value)}
          autoComplete="new-password"
        />
      </label>
      <label>
        Repeat passphrase{' '}
        <input
          type="password"
          value={repeat}
          onInput={(e) => setRepeat(e.currentTarget.value)}
          autoComplete="new-password"
        />
      </label>
      <button class="primary" type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create wallet'}
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

export function UnlockWallet({
  client,
  onDone,
  intro = 'Your wallet is locked.',
}: {
  client: AgentClient;
  onDone: (state: WalletState) => void;
  /** The sentence above the field: why the passphrase is asked for here. */
  intro?: string;
}) {
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<CallError | null>(null);
  const [busy, setBusy] = useState(false);

  async function unlock(event: Event) {
    event.preventDefault();
    setBusy(true);
    const answer = await client.call('unlock', { passphrase });
    setBusy(false);
    if (answer.ok) onDone(answer.value);
    else setError(answer.error);
  }

  return (
    <form onSubmit={unlock}>
      <p>{intro}</p>
      <label>
        Passphrase{' '}
        <input
          type="password"
          value={passphrase}
          onInput={(e) => setPassphrase(e.currentTarget.value)}
          autoComplete="current-password"
        />
      </label>
      <button class="primary" type="submit" disabled={busy}>
        {busy ? 'Unlocking…' : 'Unlock'}
      </button>
      <ErrorNote error={error} />
    </form>
  );
}
