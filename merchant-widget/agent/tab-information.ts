// Deciding whether the MTA's information message may open a tab here (seed FIG 2, step 4). Pure:
// signature checks and arithmetic, no storage. Every refusal is an OpentabError with a stable code.

import type { CryptoProvider } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { TabInformation } from '@opentab/protocol';
import { moneyFromWire } from '@opentab/protocol';
import { parseTimestamp } from '@opentab/protocol';
import { requireFresh } from './message-checks';
import { requireOperatorSigned, type OperatorKeyRing } from './operator-keys';
import type { TabRecord } from './tab-record';

export interface TabInformationPolicy {
  readonly merchantId: string;
  readonly operatorId: string;
  /** The operator's keys believed now, across its rotations. */
  readonly operatorKeys: OperatorKeyRing;
  readonly currency: string;
  readonly clockSkew_ms: number;
}

/** The new tab's record, or throws the refusal. */
export function admitTabInformation(
  crypto: CryptoProvider,
  policy: TabInformationPolicy,
  information: TabInformation,
  now_ms: number,
): TabRecord {
  requireOperatorSigned(
    crypto,
    policy.operatorKeys,
    information,
    now_ms,
    `The tab information is not signed by operator ${policy.operatorId}.`,
  );
  const payload = information.payload;
  requireFresh(payload.iat, now_ms, policy.clockSkew_ms);
  if (payload.operatorId !== policy.operatorId) {
    throw new OpentabError(
      'unknown_peer',
      `Tab information comes from operator ${payload.operatorId}, this merchant belongs to ${policy.operatorId}.`,
    );
  }
  if (payload.merchantId !== policy.merchantId) {
    throw new OpentabError(
      'unknown_merchant',
      `This agent serves merchant ${policy.merchantId}, not ${payload.merchantId}.`,
    );
  }

  const certificate = payload.customerCertificate;
  requireOperatorSigned(
    crypto,
    policy.operatorKeys,
    certificate,
    now_ms,
    `The customer certificate is not signed by operator ${policy.operatorId}.`,
  );
  const mismatches = (['operatorId', 'merchantId', 'tabId', 'pseudonym'] as const).filter(
    (field) => certificate.payload[field] !== payload[field],
  );
  if (mismatches.length > 0) {
    throw new OpentabError(
      'invalid_message',
      'The customer certificate names a different tab than the information message.',
      mismatches.map((field) => `customerCertificate.payload.${field}`),
    );
  }
  const certificateValidUntil_ms = parseTimestamp(certificate.payload.validUntil) ?? 0;
  if (certificateValidUntil_ms <= now_ms)
    throw new OpentabError('invalid_message', 'The customer certificate has expired.');

  if (payload.deposit.currency !== policy.currency || payload.chain.unit.currency !== policy.currency) {
    throw new OpentabError('currency_mismatch', `Deposit and chain unit must be in ${policy.currency}.`);
  }
  const deposit = moneyFromWire(payload.deposit).minor;
  const chainUnit = moneyFromWire(payload.chain.unit).minor;
  if (deposit === 0n) throw new OpentabError('deposit_too_small', 'The deposit is zero.');
  if (chainUnit === 0n)
    throw new OpentabError('invalid_message', 'The chain unit must be greater than zero.', ['payload.chain.unit']);
  // The chain is the customer's only proof of payment: a chain that cannot reach the deposit
  // would let the customer spend more than it can ever prove.
  if (BigInt(payload.chain.length) * chainUnit < deposit) throw new OpentabError('chain_too_short');

  const expiresAt_ms = parseTimestamp(payload.expiresAt) ?? 0;
  if (expiresAt_ms <= now_ms) throw new OpentabError('tab_expired', 'The tab expires before it could open.');

  return {
    tabId: payload.tabId,
    informationId: payload.id,
    pseudonym: payload.pseudonym,
    tabPublicKey: certificate.payload.tabPublicKey,
    currency: policy.currency,
    deposit_minor: deposit,
    spent_minor: 0n,
    chainUnit_minor: chainUnit,
    chainLength: payload.chain.length,
    chainRoot: payload.chain.root,
    lastChainIndex: 0,
    lastChainLink: payload.chain.root,
    purchaseCount: 0,
    listKey: null,
    openedAt_ms: now_ms,
    expiresAt_ms,
    lifecycle: { status: 'open' },
  };
}
