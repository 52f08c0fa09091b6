// What the MTA keeps for secure delivery (its escrow key and its delivery tables) and the lock that
// makes one order's K1 register once, however many copies of the request arrive together.

import type Database from 'better-sqlite3';
import { fromBase64urlOfLength, KeyedLock, toBase64url, x25519KeyPair, type CryptoProvider } from '@opentab/protocol';
import { MtaDeliveryStore } from './delivery-store';

export class MtaDelivery {
  readonly store: MtaDeliveryStore;
  readonly orders = new KeyedLock();

  constructor(
    db: Database.Database,
    private readonly crypto: CryptoProvider,
  ) {
    this.store = new MtaDeliveryStore(db);
  }

  /**
   * The MTA's X25519 escrow key, made on first use and kept in its database beside the ledger: a
   * merchant seals each order's K2 to it, and only an arbiter's logged request has the MTA open one.
   */
  escrowKey(now_ms: number): { secretKey: Uint8Array; publicKey: string } {
    const stored = this.store.escrowKey(() => {
      const pair = x25519KeyPair((length) => this.crypto.randomBytes(length));
      return { secretKey: toBase64url(pair.secretKey), publicKey: toBase64url(pair.publicKey) };
    }, now_ms);
    return { secretKey: fromBase64urlOfLength(stored.secretKey, 32), publicKey: stored.publicKey };
  }
}
