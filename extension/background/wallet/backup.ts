// Encrypted backup: one JSON file holding, under the customer's passphrase, the identity key, the
// enrolment and the settings. Restoring it on a new browser gives the same account access. Open
// tabs are not in it: their deposits return to the account when they time out.

import * as v from 'valibot';
import { OperatorCertificate } from '@opentab/protocol';
import { AccountId, CurrencyCode, HttpUrl, OperatorId, PublicKey } from '@opentab/protocol';
import { fromBase64urlOfLength, toBase64url } from '@opentab/protocol';
import { bytesToUtf8, utf8ToBytes } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { openWithPassphrase, sealWithPassphrase, type PassphraseBox, type ScryptCost } from '../keys/passphrase-box';
import type { SpendingRules } from '../limits/spending-rules';
import type { Enrolment } from './enrolment-record';
import type { Preferences } from './preferences';

const BACKUP_PURPOSE = 'opentab/backup/v1';

const Minor = v.pipe(v.string(), v.regex(/^(0|[1-9][0-9]{0,18})$/));
const MerchantFields = { merchantId: v.string(), operatorId: v.string(), displayName: v.string() };

const BackupContents = v.strictObject({
  identitySecretKey: v.string(),
  enrolment: v.nullable(
    v.strictObject({
      operatorId: OperatorId,
      baseUrl: HttpUrl,
      currency: CurrencyCode,
      operatorPublicKey: PublicKey,
      operatorCertificate: OperatorCertificate,
      accountId: AccountId,
      enrolledAt_ms: v.number(),
    }),
  ),
  rules: v.nullable(
    v.strictObject({
      currency: CurrencyCode,
      maxDepositPerTab_minor: v.nullable(Minor),
      dailyCap_minor: v.nullable(Minor),
      monthlyCap_minor: v.nullable(Minor),
      defaultDeposit_minor: Minor,
      allowances: v.array(v.strictObject({ ...MerchantFields, maxDeposit_minor: Minor, grantedAt_ms: v.number() })),
      blocked: v.array(v.strictObject({ ...MerchantFields, blockedAt_ms: v.number() })),
    }),
  ),
  preferences: v.strictObject({ tabTimeout_s: v.number(), idleLock_min: v.number() }),
});
type BackupContents = v.InferOutput<typeof BackupContents>;

const BackupFile = v.strictObject({
  format: v.literal('opentab-backup'),
  version: v.literal(1),
  createdAt: v.string(),
  publicKey: PublicKey,
  box: v.strictObject({
    kdf: v.literal('scrypt'),
    cost: v.strictObject({ N: v.number(), r: v.number(), p: v.number() }),
    salt: v.string(),
    cipher: v.literal('xchacha20poly1305'),
    nonce: v.string(),
    ciphertext: v.string(),
  }),
});

export interface WalletSnapshot {
  readonly identitySecretKey: Uint8Array;
  readonly publicKey: string;
  readonly enrolment: Enrolment | null;
  readonly rules: SpendingRules | null;
  readonly preferences: Preferences;
}

const optionalMinor = (value: bigint | null) => (value === null ? null : value.toString());
const optionalBigint = (value: string | null) => (value === null ? null : BigInt(value));

function toContents(snapshot: WalletSnapshot): BackupContents {
  const rules = snapshot.rules;
  return {
    identitySecretKey: toBase64url(snapshot.identitySecretKey),
    enrolment: snapshot.enrolment,
    rules: rules && {
      currency: rules.currency,
      maxDepositPerTab_minor: optionalMinor(rules.maxDepositPerTab_minor),
      dailyCap_minor: optionalMinor(rules.dailyCap_minor),
      monthlyCap_minor: optionalMinor(rules.monthlyCap_minor),
      defaultDeposit_minor: rules.defaultDeposit_minor.toString(),
      allowances: rules.allowances.map((allowance) => ({
        ...allowance,
        maxDeposit_minor: allowance.maxDeposit_minor.toString(),
      })),
      blocked: rules.blocked.map((blocked) => ({ ...blocked })),
    },
    preferences: { ...snapshot.preferences },
  };
}

function fromContents(contents: BackupContents, publicKey: string): WalletSnapshot {
  const rules = contents.rules;
  return {
    identitySecretKey: fromBase64urlOfLength(contents.identitySecretKey, 32),
    publicKey,
    enrolment: contents.enrolment,
    rules: rules && {
      currency: rules.currency,
      maxDepositPerTab_minor: optionalBigint(rules.maxDepositPerTab_minor),
      dailyCap_minor: optionalBigint(rules.dailyCap_minor),
      monthlyCap_minor: optionalBigint(rules.monthlyCap_minor),
      defaultDeposit_minor: BigInt(rules.defaultDeposit_minor),
      allowances: rules.allowances.map((allowance) => ({
        ...allowance,
        maxDeposit_minor: BigInt(allowance.maxDeposit_minor),
      })),
      blocked: rules.blocked,
    },
    preferences: contents.preferences,
  };
}

export async function exportBackup(
  snapshot: WalletSnapshot,
  passphrase: string,
  now_ms: number,
  cost?: ScryptCost,
): Promise<string> {
  const plaintext = utf8ToBytes(JSON.stringify(toContents(snapshot)));
  const box: PassphraseBox = await sealWithPassphrase(plaintext, passphrase, BACKUP_PURPOSE, cost);
  return JSON.stringify(
    { format: 'opentab-backup', version: 1, createdAt: formatTimestamp(now_ms), publicKey: snapshot.publicKey, box },
    null,
    2,
  );
}

export type BackupOpening =
  | { ok: true; snapshot: WalletSnapshot }
  | { ok: false; problem: 'not_a_backup' | 'wrong_passphrase' };

export async function openBackup(json: string, passphrase: string): Promise<BackupOpening> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { ok: false, problem: 'not_a_backup' };
  }
  const file = v.safeParse(BackupFile, parsed);
  if (!file.success) return { ok: false, problem: 'not_a_backup' };
  const opened = await openWithPassphrase(file.output.box, passphrase, BACKUP_PURPOSE);
  if (!opened.ok)
    return { ok: false, problem: opened.problem === 'wrong_passphrase' ? 'wrong_passphrase' : 'not_a_backup' };
  let contents: unknown;
  try {
    contents = JSON.parse(bytesToUtf8(opened.plaintext));
  } catch {
    return { ok: false, problem: 'not_a_backup' };
  }
  const checked = v.safeParse(BackupContents, contents);
  if (!checked.success) return { ok: false, problem: 'not_a_backup' };
  try {
    return { ok: true, snapshot: fromContents(checked.output, file.output.publicKey) };
  } catch {
    return { ok: false, problem: 'not_a_backup' };
  }
}

export function backupFilename(now_ms: number): string {
  return `opentab-backup-${formatTimestamp(now_ms).slice(0, 10)}.json`;
}
