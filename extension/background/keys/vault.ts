// The identity key's life: created here, kept encrypted in the database, and while unlocked held
// in session storage only (memory of the browser session, never written to disk), so a restarted
// service worker stays unlocked but a restarted browser is locked.
//
// This worker also keeps what it read or wrote there in its own memory: every click needs the
// key, and asking storage.session for it is a round trip through the browser process. Only this
// worker locks and unlocks, always through here, so the copy cannot disagree with the session
// area; a new worker starts without it and reads the session area again.

import type { CryptoProvider } from '@opentab/protocol';
import { signerFromSecretKey, type Signer } from '@opentab/protocol';
import { fromBase64urlOfLength, toBase64url } from '@opentab/protocol';
import { AgentError, walletLocked } from '../errors';
import type { AgentDatabase } from '../storage/database';
import type { SessionArea } from '../storage/session-area';
import { openWithPassphrase, sealWithPassphrase, type ScryptCost } from './passphrase-box';
import { deriveTabSecretsKey } from './secret-box';
import { VAULT_PURPOSE, type VaultRecord } from './vault-record';

export type VaultState = 'uninitialised' | 'locked' | 'unlocked';

const UNLOCKED_KEY = 'unlockedIdentityKey';
export const MIN_PASSPHRASE_LENGTH = 10;

interface UnlockedKeys {
  readonly secretKey: Uint8Array;
  readonly tabSecretsKey: Uint8Array;
}

export class Vault {
  /** undefined: not read from the session area yet in this worker; null: locked. */
  private unlocked: UnlockedKeys | null | undefined = undefined;

  constructor(
    private readonly db: AgentDatabase,
    private readonly session: SessionArea,
    private readonly crypto: CryptoProvider,
    private readonly scryptCost: ScryptCost,
  ) {}

  async state(): Promise<VaultState> {
    if (!(await this.db.meta.get('vault'))) return 'uninitialised';
    return (await this.unlockedKeys()) ? 'unlocked' : 'locked';
  }

  async create(passphrase: string): Promise<void> {
    if (await this.db.meta.get('vault'))
      throw new AgentError('wallet_exists', 'A wallet already exists in this browser.');
    await this.install(this.crypto.ed25519.generateSecretKey(), passphrase);
  }

  /** Stores `secretKey` under `passphrase` (a new salt every time) and unlocks it. */
  async install(secretKey: Uint8Array, passphrase: string): Promise<void> {
    assertStrongPassphrase(passphrase);
    const record: VaultRecord = {
      version: 1,
      publicKey: toBase64url(this.crypto.ed25519.publicKeyOf(secretKey)),
      box: await sealWithPassphrase(secretKey, passphrase, VAULT_PURPOSE, this.scryptCost),
    };
    await this.keepUnlocked(secretKey, () => this.db.meta.put('vault', record));
  }

  async unlock(passphrase: string): Promise<void> {
    const record = await this.db.meta.get('vault');
    if (!record) throw new AgentError('not_found', 'There is no wallet to unlock yet: create one first.');
    const opened = await openWithPassphrase(record.box, passphrase, VAULT_PURPOSE);
    if (!opened.ok) throw new AgentError('wrong_passphrase', 'That passphrase does not unlock this wallet.');
    await this.keepUnlocked(opened.plaintext);
  }

  /** Checks a passphrase without changing the lock state (backup export asks for it again). */
  async verifyPassphrase(passphrase: string): Promise<boolean> {
    const record = await this.db.meta.get('vault');
    return record ? (await openWithPassphrase(record.box, passphrase, VAULT_PURPOSE)).ok : false;
  }

  async lock(): Promise<void> {
    // Forgotten here first: nothing may sign once locking has begun, even if the removal fails.
    this.unlocked = null;
    await this.session.remove(UNLOCKED_KEY);
  }

  /** The identity secret key, or a wallet_locked refusal. */
  async secretKey(): Promise<Uint8Array> {
    const keys = await this.unlockedKeys();
    if (!keys) throw walletLocked();
    return keys.secretKey;
  }

  async signer(): Promise<Signer> {
    return signerFromSecretKey(this.crypto, await this.secretKey());
  }

  async tabSecretsKey(): Promise<Uint8Array> {
    const keys = await this.unlockedKeys();
    if (!keys) throw walletLocked();
    return keys.tabSecretsKey;
  }

  /** Unlocked for this worker at once (a call arriving meanwhile must not see a wallet without its key), then
   * stored. */
  private async keepUnlocked(secretKey: Uint8Array, storeFirst?: () => Promise<void>): Promise<void> {
    this.unlocked = unlockedKeysOf(secretKey.slice());
    try {
      await storeFirst?.();
      await this.session.set(UNLOCKED_KEY, toBase64url(secretKey));
    } catch (error) {
      this.unlocked = undefined;
      throw error;
    }
  }

  private async unlockedKeys(): Promise<UnlockedKeys | null> {
    if (this.unlocked !== undefined) return this.unlocked;
    const encoded = await this.session.get(UNLOCKED_KEY);
    // A lock or unlock that finished while this read was on its way has the last word.
    if (this.unlocked !== undefined) return this.unlocked;
    this.unlocked = encoded ? unlockedKeysOf(fromBase64urlOfLength(encoded, 32)) : null;
    return this.unlocked;
  }
}

function unlockedKeysOf(secretKey: Uint8Array): UnlockedKeys {
  return { secretKey, tabSecretsKey: deriveTabSecretsKey(secretKey) };
}

export function assertStrongPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new AgentError('weak_passphrase', `Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.`);
  }
}
