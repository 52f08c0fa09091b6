// Lays out one operator's directory: secret key, CA-signed certificate, configuration file.
// Used by `opentab-operator init`, by the demo world and by the tests, so all three run
// operators exactly the way a real deployment does.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CryptoProvider } from '@opentab/protocol';
import { insecureAddressProblem } from '@opentab/protocol';
import { ConfigError, type BillingSinkConfig, type OperatorConfigInput } from '../config/config';
import { signOperatorCertificate } from './certificate-authority';
import { generateKeyPair, writeSecretKey } from './keys';
import { bytesToHex } from '@opentab/protocol';

export interface OperatorFilesRequest {
  readonly dir: string;
  readonly operatorId: string;
  readonly currency: string;
  readonly host: string;
  readonly port: number;
  /** Where others reach the operator (its certificate's base URL). Default http://<host>:<port>, for loopback. */
  readonly publicUrl?: string;
  readonly caSecretKey: string;
  readonly caPublicKey: string;
  readonly peers: ReadonlyArray<{ operatorId: string; baseUrl: string }>;
  readonly adminToken?: string;
  readonly billingSinks?: readonly BillingSinkConfig[];
  /** Any further settings (tabs, rates, tick_ms, log). */
  readonly extra?: Partial<OperatorConfigInput>;
}

export interface OperatorFiles {
  readonly configPath: string;
  readonly adminToken: string;
  readonly publicKey: string;
  readonly baseUrl: string;
}

export const CONFIG_FILE_NAME = 'operator.json';

export function writeOperatorFiles(
  crypto: CryptoProvider,
  request: OperatorFilesRequest,
  now_ms: number,
): OperatorFiles {
  const baseUrl = request.publicUrl ?? `http://${request.host}:${request.port}`;
  // Before any file is written: a directory half set up for a cleartext address helps nobody.
  const problems = [
    insecureAddressProblem('publicUrl', baseUrl),
    ...request.peers.map((peer) => insecureAddressProblem(`peer ${peer.operatorId}`, peer.baseUrl)),
  ].filter((problem) => problem !== null);
  if (problems.length > 0)
    throw new ConfigError(`cannot set up operator ${request.operatorId}:\n  ${problems.join('\n  ')}`);
  mkdirSync(request.dir, { recursive: true });
  const keys = generateKeyPair(crypto);
  writeSecretKey(join(request.dir, 'operator.key'), keys.secretKey);
  const certificate = signOperatorCertificate(
    crypto,
    request.caSecretKey,
    {
      operatorId: request.operatorId,
      publicKey: keys.publicKey,
      baseUrl,
      currencies: [request.currency],
      validFor_days: 365,
    },
    now_ms,
  );
  writeFileSync(join(request.dir, 'operator-certificate.json'), `${JSON.stringify(certificate, null, 2)}\n`);
  const adminToken = request.adminToken ?? bytesToHex(crypto.randomBytes(24));
  const config = {
    operatorId: request.operatorId,
    currency: request.currency,
    listen: { host: request.host, port: request.port },
    publicUrl: baseUrl,
    dataDir: './data',
    caPublicKey: request.caPublicKey,
    secretKeyFile: './operator.key',
    certificateFile: './operator-certificate.json',
    adminToken,
    peers: [...request.peers],
    billingSinks: [...(request.billingSinks ?? [{ kind: 'jsonl', path: './billing/records.jsonl' }])],
    ...request.extra,
  };
  const configPath = join(request.dir, CONFIG_FILE_NAME);
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return { configPath, adminToken, publicKey: keys.publicKey, baseUrl };
}
