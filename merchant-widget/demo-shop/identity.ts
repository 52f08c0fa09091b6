// The demo merchant's secrets, kept in its data directory so that a restart keeps the identity
// its operator registered: the Ed25519 key and the access-token secret.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';

export interface MerchantSecrets {
  /** base64url Ed25519 secret key (32 bytes). */
  readonly merchantSecretKey: string;
  /** base64url, 32 bytes. */
  readonly accessTokenSecret: string;
}

const IDENTITY_FILE = 'merchant-identity.json';

export function loadOrCreateSecrets(dataDir: string): MerchantSecrets {
  const path = join(dataDir, IDENTITY_FILE);
  if (existsSync(path)) {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<MerchantSecrets>;
    if (typeof stored.merchantSecretKey !== 'string' || typeof stored.accessTokenSecret !== 'string') {
      throw new Error(`${path} is damaged: it must hold merchantSecretKey and accessTokenSecret`);
    }
    return { merchantSecretKey: stored.merchantSecretKey, accessTokenSecret: stored.accessTokenSecret };
  }
  const secrets: MerchantSecrets = {
    merchantSecretKey: toBase64url(nodeCrypto.ed25519.generateSecretKey()),
    accessTokenSecret: toBase64url(nodeCrypto.randomBytes(32)),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return secrets;
}

/** The demo merchant's own login to its dashboard: an owner, with a token kept beside its secrets. */
export interface DashboardLogin {
  readonly name: string;
  readonly token: string;
  readonly role: 'owner';
}

const DASHBOARD_LOGIN_FILE = 'dashboard-login.json';

export function loadOrCreateDashboardLogin(dataDir: string): DashboardLogin {
  const path = join(dataDir, DASHBOARD_LOGIN_FILE);
  if (existsSync(path)) {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<DashboardLogin>;
    if (typeof stored.name !== 'string' || typeof stored.token !== 'string')
      throw new Error(`${path} is damaged: it must hold name and token`);
    return { name: stored.name, token: stored.token, role: 'owner' };
  }
  const login: DashboardLogin = { name: 'Shop owner', token: toBase64url(nodeCrypto.randomBytes(32)), role: 'owner' };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return login;
}
