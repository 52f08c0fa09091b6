// What the MTA needs for secure delivery beside its store's delivery group (the escrow key, the K1s
// it signed, escrows and the log of keys released): reading its escrow key, who signs its answers,
// and the lock that has one order's K1 register once in this process, however many copies of the
// request arrive together. Between processes the group's insert-once decides.

import {
  fromBase64urlOfLength,
  KeyedLock,
  toBase64url,
  x25519KeyPair,
  type CryptoProvider,
  type Signer,
} from '@opentab/protocol';
import type { DeliveryAccess } from '../store/operator-records-storage';

/** Who signs the MTA's delivery answers: the operator's crypto and its current key. */
export interface DeliverySigning {
  readonly crypto: CryptoProvider;
  readonly identity: { readonly operatorId: string; readonly signer: Signer };
}

export class MtaDelivery {
  readonly orders = new KeyedLock();

  constructor(private readonly crypto: CryptoProvider) {}

  /**
   * The MTA's X25519 escrow key, made on first use by whichever process comes first and kept in its
   * store: a merchant seals each order's K2 to it, and only an arbiter's logged request has the MTA
   * open one. Read through `store`, the step's transaction.
   */
  async escrowKey(store: DeliveryAccess, now_ms: number): Promise<{ secretKey: Uint8Array; publicKey: string }> {
    const stored = await store.escrowKey(() => {
      const pair = x25519KeyPair((length) => this.crypto.randomBytes(length));
      return { secretKey: toBase64url(pair.secretKey), publicKey: toBase64url(pair.publicKey) };
    }, now_ms);
    return { secretKey: fromBase64urlOfLength(stored.secretKey, 32), publicKey: stored.publicKey };
  }
}
