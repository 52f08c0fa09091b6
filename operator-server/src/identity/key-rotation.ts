// This operator's key rotation with overlap (docs/operations.md). The staff prepare a successor
// key (its secret stays in <dataDir>/keys/), have the CA certify it, and rotate: from that moment
// the operator signs with the successor, and a notice signed by the retiring key announces the
// successor and the retirement time to every peer (through the outbox) and on /v1/operator.
// Peers and wallets believe both keys until then and refuse the retiring key after.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
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
import type { Outbox } from '../outbox/outbox';
import { generateKeyPair, readKeyPair, writeSecretKey } from '../provisioning/keys';
import type { OperatorIdentity } from './operator-identity';
import { OwnKeyTable, type RotationRow } from './own-key-table';

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
  private readonly table: OwnKeyTable;

  constructor(
    private readonly db: Database.Database,
    private readonly crypto: CryptoProvider,
    private readonly identity: OperatorIdentity,
    private readonly config: OperatorConfig,
    private readonly outbox: Outbox,
  ) {
    this.keyDir = join(config.dataDir, 'keys');
    this.table = new OwnKeyTable(db);
  }

  /** At start-up: a key a rotation made current replaces the one the configuration names. */
  resume(): void {
    const row = this.table.currentKey();
    if (row === null) return;
    const keys = readKeyPair(this.crypto, this.keyFile(row.publicKey));
    this.identity.switchTo(
      signerFromSecretKey(this.crypto, fromBase64urlOfLength(keys.secretKey, 32)),
      JSON.parse(row.certificate) as OperatorCertificate,
    );
  }

  /** Makes a successor key and keeps its secret; the CA certifies its public key. */
  prepare(now_ms: number): { publicKey: string } {
    mkdirSync(this.keyDir, { recursive: true, mode: 0o700 });
    const keys = generateKeyPair(this.crypto);
    writeSecretKey(this.keyFile(keys.publicKey), keys.secretKey);
    this.table.insertPreparedKey(keys.publicKey, now_ms);
    return { publicKey: keys.publicKey };
  }

  prepared(): string[] {
    return this.table.preparedKeys();
  }

  /**
   * Rotates to a prepared key under the CA's certificate for it: signs from now on with it, and
   * announces that the current key retires after `overlap_s`.
   */
  rotate(certificate: OperatorCertificate, overlap_s: number, actor: string, now_ms: number): OwnRotation {
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
    if (!this.prepared().includes(payload.publicKey))
      throw new OpentabError('unknown_key', 'The certificate is not for a key this operator prepared.');
    const successor = readKeyPair(this.crypto, this.keyFile(payload.publicKey));
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
    // The rotation and its notices to the peers commit together.
    this.db.transaction(() => {
      const row = { ...rotation, notice: JSON.stringify(notice) };
      if (!this.table.recordRotation(row, JSON.stringify(certificate)))
        throw new OpentabError('conflict', `The key ${rotation.retiringKey} was rotated already.`);
      for (const peer of this.config.peers)
        this.outbox.enqueue(
          rotationNoticeId(rotation.retiringKey),
          { kind: 'peer-key-rotation', operatorId: peer.operatorId },
          notice,
          now_ms,
        );
    })();
    this.identity.switchTo(
      signerFromSecretKey(this.crypto, fromBase64urlOfLength(successor.secretKey, 32)),
      certificate,
    );
    return rotation;
  }

  /** Every rotation made here, newest first. */
  rotations(): OwnRotation[] {
    return this.table.rotations().map(rotationOf);
  }

  private keyFile(publicKey: string): string {
    return join(this.keyDir, `${publicKey}.key`);
  }
}
