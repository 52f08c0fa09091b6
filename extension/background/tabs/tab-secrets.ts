// A tab's spend authority: its Ed25519 key (signs Terminate and the customer record) and the
// hash-chain seed (every link is derived from it); the tab's purchase-list key is derived from the
// tab key. Key and seed are generated together and stored only sealed under the key derived from
// the unlocked identity key (keys/secret-box.ts), so:
//  - they survive a service-worker or browser restart, and a tab can be finished after either;
//  - while the wallet is locked they cannot be read, so nothing can be spent;
//  - a copy of the database alone (a stolen profile) does not reveal them.
// Session storage alone was rejected: a browser restart would strand the deposit until timeout.

import { HashChain } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { hmacSha256 } from '@opentab/protocol';
import { concatBytes, utf8ToBytes } from '@opentab/protocol';
import { signerFromSecretKey, type Signer } from '@opentab/protocol';
import { openSecret, sealSecret, type SealedSecret } from '../keys/secret-box';

export interface TabSecrets {
  readonly tabSigner: Signer;
  readonly chain: HashChain;
  /**
   * Keys the tab's purchase-list hash (protocol/core/chain/purchase-list.ts); sent to the merchant
   * agent with every purchase, never to an operator. Derived from the tab key rather than drawn
   * beside it: it is then the same however often the secrets are opened, for tabs sealed before
   * it existed too, and the tab key never leaves the wallet. Not from the chain seed: paying the
   * whole chain reveals the seed as its last link.
   */
  readonly listKey: Uint8Array;
}

/** What paying on a tab takes: the chain that proves each payment and the key of the list they make up. */
export type PaymentSecrets = Pick<TabSecrets, 'chain' | 'listKey'>;

const LIST_KEY_LABEL = utf8ToBytes('opentab purchase-list key');

function listKeyOf(crypto: CryptoProvider, tabSecretKey: Uint8Array): Uint8Array {
  return hmacSha256(crypto, tabSecretKey, LIST_KEY_LABEL);
}

export interface NewTabSecrets extends TabSecrets {
  readonly sealed: SealedSecret;
}

export function createTabSecrets(
  crypto: CryptoProvider,
  sealingKey: Uint8Array,
  localId: string,
  chainLength: number,
): NewTabSecrets {
  const tabSecretKey = crypto.ed25519.generateSecretKey();
  const seed = crypto.randomBytes(32);
  return {
    tabSigner: signerFromSecretKey(crypto, tabSecretKey),
    chain: HashChain.fromSeed(crypto, seed, chainLength),
    listKey: listKeyOf(crypto, tabSecretKey),
    sealed: sealSecret(sealingKey, concatBytes(tabSecretKey, seed), localId),
  };
}

export function openTabSecrets(
  crypto: CryptoProvider,
  sealingKey: Uint8Array,
  localId: string,
  sealed: SealedSecret,
  chainLength: number,
): TabSecrets {
  const bytes = openSecret(sealingKey, sealed, localId);
  const tabSecretKey = bytes.slice(0, 32);
  return {
    tabSigner: signerFromSecretKey(crypto, tabSecretKey),
    chain: HashChain.fromSeed(crypto, bytes.slice(32, 64), chainLength),
    listKey: listKeyOf(crypto, tabSecretKey),
  };
}
