import type { PassphraseBox } from './passphrase-box';

/** The identity key at rest: only ever stored inside a passphrase box. */
export interface VaultRecord {
  readonly version: 1;
  /** base64url Ed25519 public key, readable while locked (the operator knows it anyway). */
  readonly publicKey: string;
  readonly box: PassphraseBox;
}

/** Authenticated with the box so it can only be opened as what it is. */
export const VAULT_PURPOSE = 'opentab/vault/v1';
