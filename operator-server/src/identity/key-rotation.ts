// This operator's key rotation with overlap (docs/operations.md). The staff prepare a successor
// key (its secret stays in <dataDir>/keys/), have the CA certify it, and rotate: from that moment
// the operator signs with the successor, and a notice signed by the retiring key announces the
// successor and the retirement time to every peer (through the outbox) and on /v1/operator.
// Peers and wallets believe both keys until then and refuse the retiring key after.
//
// The store, not this process's memory, says which key is current: with several processes on one
// database, a rotation one of them commits is what the others sign with and announce from their
// next look at the store (`useCurrentKey`: at start-up, on /v1/operator, at each pass of the
// background jobs, and before a rotation, which always retires the key the store says is current).
// Every process then needs the successor's secret: their <dataDir>/keys/ must be one directory.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkOperatorCertificate,
  formatTimestamp,
  fromBase64urlOfLength,
  type CryptoProvider,
  type KeyRotation,
  type KeyRotationPayload,
  type OperatorCertificate,
  OpentabError,
  type PayloadBody,
  seal,
  signerFromSecretKey,
} from '@opentab/protocol';
import type { OperatorConfig } from '../config/config';
import { generateKeyPair, readKeyPair, writeSecretKey } from '../provisioning/keys';
import type { OperatorIdentity } from './operator-identity';
import type { OwnKeyAccess } from '../store/operator-records-storage';
import type { OperatorStoreTransaction } from '../store/operator-storage';
import type { RotationRow } from './own-key-table';

export interface OwnRotation {
  readonly retiringKey: string;
  readonly successorKey: string;
  readonly retiresAt_ms: number;
  readonly rotatedAt_ms: number;
  readonly rotatedBy: string;
  readonly notice: KeyRotation;
}

const rotationOf = (row: RotationRow): OwnRotation => ({ ...row, notice: JSON.parse(row.notice) as KeyRotation });

/** The outbox record of a rotation's notice to one peer: one per retiring key and peer. */
export const rotationNoticeId = (retiringKey: string) => `key-rotation:${retiringKey}`;

export class OwnKeys {
  private readonly keyDir: string;

  constructor(
    private readonly crypto: CryptoProvider,
    private readonly identity: OperatorIdentity,
    private readonly config: OperatorConfig,
    /** The store's own keys, read outside any transaction. */
    private readonly keys: OwnKeyAccess,
  ) {
    this.keyDir = join(config.dataDir, 'keys');
  }

  /**
   * Signs from now on with the key the store says is current, when a rotation (here, in another
   * process, or before a restart) made one current that this process does not sign with yet; with
   * none, the configured key stays. Inside a transaction, pass its group.
   */
  async useCurrentKey(keys: Pick<OwnKeyAccess, 'currentKey'> = this.keys): Promise<void> {
    const row = await keys.currentKey();
    if (row === null || row.publicKey === this.identity.signer.kid) return;
    const secret = readKeyPair(this.crypto, this.keyFile(row.publicKey));
    this.identity.switchTo(
      signerFromSecretKey(this.crypto, fromBase64urlOfLength(secret.secretKey, 32)),
      JSON.parse(row.certificate) as OperatorCertificate,
    );
  }

  /** Makes a successor key and keeps its secret, in the caller's transaction; the CA certifies its public key. */
  async prepare(tx: OperatorStoreTransaction, now_ms: number): Promise<{ publicKey: string }> {
    mkdirSync(this.keyDir, { recursive: true, mode: 0o700 });
    const keys = generateKeyPair(this.crypto);
    writeSecretKey(this.keyFile(keys.publicKey), keys.secretKey);
    await tx.ownKeys.insertPreparedKey(keys.publicKey, now_ms);
    return { publicKey: keys.publicKey };
  }

  prepared(): Promise<string[]> {
    return this.keys.preparedKeys();
  }

  /**
   * Rotates, in the caller's transaction, to a prepared key under the CA's certificate for it: the
   * rotation and its notices to the peers commit together, announcing that the current key retires
   * after `overlap_s`. Once that transaction has committed, `useCurrentKey()` signs with the
   * successor (not before: a rollback must leave this process signing with the key still current).
   */
  async rotate(
    tx: OperatorStoreTransaction,
    certificate: OperatorCertificate,
    overlap_s: number,
    actor: string,
    now_ms: number,
  ): Promise<OwnRotation> {
    const check = checkOperatorCertificate(this.crypto, this.identity.caPublicKey, certificate, now_ms);
    if (!check.ok)
      throw new OpentabError(
        'uncertified_peer',
        check.problem === 'expired' ? 'The certificate has expired.' : 'The certificate is not signed by the CA.',
      );
    const payload = certificate.payload;
    if (payload.operatorId !== this.identity.operatorId)
      throw new OpentabError('invalid_message', `The certificate is for ${payload.operatorId}.`, ['operatorId']);
    if (!payload.currencies.includes(this.config.currency))
      throw new OpentabError('invalid_message', `The certificate does not list ${this.config.currency}.`, [
        'currencies',
      ]);
    if (!(await tx.ownKeys.preparedKeys()).includes(payload.publicKey))
      throw new OpentabError('unknown_key', 'The certificate is not for a key this operator prepared.');
    // Its secret must be here before anything says it is current.
    readKeyPair(this.crypto, this.keyFile(payload.publicKey));
    // The key that retires is the one the store says is current, whichever process rotated to it.
    await this.useCurrentKey(tx.ownKeys);
    const retiring = this.identity.certificate;
    const notice = seal(
      this.crypto,
      this.identity.signer,
      {
        type: 'key-rotation',
        operatorId: this.identity.operatorId,
        retiringCertificate: retiring,
        successorCertificate: certificate,
        retiresAt: formatTimestamp(now_ms + overlap_s * 1000),
      } satisfies PayloadBody<KeyRotationPayload>,
      now_ms,
    );
    const rotation: OwnRotation = {
      retiringKey: retiring.payload.publicKey,
      successorKey: payload.publicKey,
      retiresAt_ms: now_ms + overlap_s * 1000,
      rotatedAt_ms: now_ms,
      rotatedBy: actor,
      notice,
    };
    // Insert-once on the retiring key: of two processes rotating it at once, one does.
    if (
      !(await tx.ownKeys.recordRotation({ ...rotation, notice: JSON.stringify(notice) }, JSON.stringify(certificate)))
    )
      throw new OpentabError('conflict', `The key ${rotation.retiringKey} was rotated already.`);
    for (const peer of this.config.peers)
      await tx.outbox.enqueue(
        rotationNoticeId(rotation.retiringKey),
        { kind: 'peer-key-rotation', operatorId: peer.operatorId },
        notice,
        now_ms,
      );
    return rotation;
  }

  /** Every rotation of this operator's keys, by whichever process, newest first. */
  async rotations(): Promise<OwnRotation[]> {
    return (await this.keys.rotations()).map(rotationOf);
  }

  private keyFile(publicKey: string): string {
    return join(this.keyDir, `${publicKey}.key`);
  }
}
