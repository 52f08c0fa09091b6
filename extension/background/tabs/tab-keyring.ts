// Opened tab secrets, kept in worker memory so a purchase does not re-derive a long chain. The
// wallet lock is checked on every use: a cached chain must not outlive an unlock.

import type { CryptoProvider } from '@opentab/protocol';
import type { Vault } from '../keys/vault';
import { openTabSecrets, type TabSecrets } from './tab-secrets';
import type { StoredTab } from './tab-record';

export class TabKeyring {
  private readonly opened = new Map<string, TabSecrets>();

  constructor(
    private readonly vault: Vault,
    private readonly crypto: CryptoProvider,
  ) {}

  remember(localId: string, secrets: TabSecrets): void {
    this.opened.set(localId, secrets);
  }

  async secretsOf(tab: StoredTab): Promise<TabSecrets> {
    const sealingKey = await this.vault.tabSecretsKey(); // refuses while locked
    const cached = this.opened.get(tab.localId);
    if (cached) return cached;
    const secrets = openTabSecrets(this.crypto, sealingKey, tab.localId, tab.secrets, tab.chainLength);
    this.opened.set(tab.localId, secrets);
    return secrets;
  }

  forget(localId: string): void {
    this.opened.delete(localId);
  }

  forgetAll(): void {
    this.opened.clear();
  }
}
