// The window a payment opens when the wallet is locked: the passphrase, then the same payment goes
// on by itself (the background closes this window once the wallet is unlocked). Closing it
// leaves the wallet locked and the payment refused.

import type { AgentClient } from '../ui/background-client';
import { UnlockWallet } from '../popup/WalletGate';

export function UnlockView({ client, done }: { client: AgentClient; done: () => void }) {
  return (
    <main class="dialog">
      <h1>Unlock Opentab to pay</h1>
      <UnlockWallet
        client={client}
        onDone={done}
        intro="A page asked to pay with Opentab. Unlock your wallet and the payment goes on; close this window to cancel it."
      />
    </main>
  );
}
