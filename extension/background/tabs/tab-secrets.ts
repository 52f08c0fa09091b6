// A tab's spend authority: its Ed25519 key (signs Terminate and the customer record) and the
// hash-chain seed (every link is derived from it). Both are generated together and stored only
// sealed under the key derived from the unlocked identity key (keys/secret-box.ts), so:
//  - they survive a service-worker or browser restart, and a tab can be finished after either;
//  - while the wallet is locked they cannot be read, so nothing can be spent;
//  - a copy of the database alone (a stolen profile) does not reveal them.
// Session storage alone was rejected: a browser restart would strand the deposit until timeout.

import { HashChain } from '../../../protocol/chain/hash-chain';
import type { CryptoProvider } from '../../../protocol/crypto/provider';
import { concatBytes } from '../../../protocol/encoding/bytes';
import { signerFromSecretKey, type Signer } from '../../../protocol/envelope';
import { openSecret, sealSecret, type SealedSecret } from '../keys/secret-box';

export interface TabSecrets {
  readonly tabSigner: Signer;
  readonly chain: HashChain;
}

export interface NewTabSecrets extends TabSecrets {
  readonly sealed: SealedSecret;
}

export function createTabSecrets(crypto: CryptoProvider, sealingKey: Uint8Array, localId: string, chainLength: number): NewTabSecrets {
  const tabSecretKey = crypto.ed25519.generateSecretKey();
  const seed = crypto.randomBytes(32);
  return {
    tabSigner: signerFromSecretKey(crypto, tabSecretKey),
    chain: HashChain.fromSeed(crypto, seed, chainLength),
    sealed: sealSecret(sealingKey, concatBytes(tabSecretKey, seed), localId),
  };
}

export function openTabSecrets(crypto: CryptoProvider, sealingKey: Uint8Array, localId: string, sealed: SealedSecret, chainLength: number): TabSecrets {
  const bytes = openSecret(sealingKey, sealed, localId);
  return {
    tabSigner: signerFromSecretKey(crypto, bytes.slice(0, 32)),
    chain: HashChain.fromSeed(crypto, bytes.slice(32, 64), chainLength),
  };
}
