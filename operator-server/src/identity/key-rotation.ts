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

export interface OwnRotation {
  readonly retiringKey: string;
  readonly successorKey: string;
  readonly retiresAt_ms: number;
  readonly rotatedAt_ms: number;
  readonly rotatedBy: string;
  readonly notice: KeyRotation;
}

interface RotationRow {
  retiring_key: string;
  successor_key: string;
  retires_at: number;
  rotated_at: number;
  rotated_by: string;
  notice: string;
}

const rotationOf = (row: RotationRow): OwnRotation => ({
  retiringKey: row.retiring_key,
  successorKey: row.successor_key,
  retiresAt_ms: row.retires_at,
  rotatedAt_ms: row.rotated_at,
  rotatedBy: row.rotated_by,
  notice: JSON.parse(row.notice) as KeyRotation,
});

/** The outbox record of a rotation's notice to one peer: one per retiring key and peer. */
export const rotationNoticeId = (retiringKey: string) => `key-rotation:${retiringKey}`;

export class OwnKeys {
  private readonly keyDir: string;

  constructor(
    private readonly db: Database.Database,
    private readonly crypto: CryptoProvider,
    private readonly identity: OperatorIdentity,
    private readonly config: OperatorConfig,
    private readonly outbox: Outbox,
  ) {
    this.keyDir = join(config.dataDir, 'keys');
  }

  /** At start-up: a key a rotation made current replaces the one the configuration names. */
  resume(): void {
    const row = this.db
      .prepare<[], { public_key: string; certificate: string }>(
        "SELECT public_key, certificate FROM operator_keys WHERE state = 'current'",
      )
      .get();
    if (row === undefined) return;
    const keys = readKeyPair(this.crypto, this.keyFile(row.public_key));
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
    this.db
      .prepare("INSERT INTO operator_keys (public_key, state, certificate, created_at) VALUES (?, 'prepared', NULL, ?)")
      .run(keys.publicKey, now_ms);
    return { publicKey: keys.publicKey };
  }

  prepared(): string[] {
    return this.db
      .prepare<[], { public_key: string }>(
        "SELECT public_key FROM operator_keys WHERE state = 'prepared' ORDER BY created_at",
      )
      .all()
      .map((row) => row.public_key);
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
    this.db.transaction(() => {
      this.db.prepare("UPDATE operator_keys SET state = 'retired' WHERE state = 'current'").run();
      this.db
        .prepare("UPDATE operator_keys SET state = 'current', certificate = ? WHERE public_key = ?")
        .run(JSON.stringify(certificate), payload.publicKey);
      this.db
        .prepare(
          'INSERT INTO key_rotations (retiring_key, successor_key, retires_at, rotated_at, rotated_by, notice) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(rotation.retiringKey, rotation.successorKey, rotation.retiresAt_ms, now_ms, actor, JSON.stringify(notice));
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
    return this.db
      .prepare<[], RotationRow>('SELECT * FROM key_rotations ORDER BY rotated_at DESC')
      .all()
      .map(rotationOf);
  }

  private keyFile(publicKey: string): string {
    return join(this.keyDir, `${publicKey}.key`);
  }
}
