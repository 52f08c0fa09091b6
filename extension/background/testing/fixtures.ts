// Signed protocol objects for the pure-logic tests: an operator that signs rate tables and
// vouches, a merchant operator that certifies a merchant, a CA that certifies operators.

import { nobleCrypto } from '@opentab/protocol';
import { seal, signerFromSecretKey, type Signer } from '@opentab/protocol';
import type { MerchantCertificate, OperatorCertificate } from '@opentab/protocol';
import type { MerchantVouch } from '@opentab/protocol';
import type { RateTable } from '@opentab/protocol';
import type { LockedRate } from '@opentab/protocol';
import type { OpenTab } from '../tabs/tab-record';
import { formatTimestamp } from '@opentab/protocol';

export const crypto = nobleCrypto;

export function newSigner(): Signer {
  return signerFromSecretKey(crypto, crypto.ed25519.generateSecretKey());
}

export const SHOP_ORIGIN = 'https://news.example';

/** ECB-style quotes: units per 1 EUR. */
export function signedRateTable(
  operator: Signer,
  now_ms: number,
  validFor_ms = 3_600_000,
  operatorId = 'op-sek',
): RateTable {
  return seal(
    crypto,
    operator,
    {
      type: 'rate-table',
      operatorId,
      base: 'EUR',
      rates: { SEK: '11.4475', USD: '1.0705', JPY: '171.94' },
      issuedAt: formatTimestamp(now_ms - 1000),
      validUntil: formatTimestamp(now_ms + validFor_ms),
    },
    now_ms,
  );
}

export function merchantCertificate(
  merchantOperator: Signer,
  merchantKey: Signer,
  now_ms: number,
  origins = [SHOP_ORIGIN],
  agentUrl = `${SHOP_ORIGIN}/opentab`,
): MerchantCertificate {
  return seal(
    crypto,
    merchantOperator,
    {
      type: 'merchant-certificate',
      operatorId: 'op-eur',
      merchantId: 'news',
      displayName: 'Daily News',
      currency: 'EUR',
      origins,
      agentUrl,
      publicKey: merchantKey.kid,
      validUntil: formatTimestamp(now_ms + 86_400_000),
    },
    now_ms,
  );
}

/** A certificate of `operator`'s key, signed by `ca`. */
export function operatorCertificate(
  ca: Signer,
  operator: Signer,
  now_ms: number,
  operatorId = 'op-eur',
  validFor_ms = 30 * 86_400_000,
): OperatorCertificate {
  return seal(
    crypto,
    ca,
    {
      type: 'operator-certificate',
      operatorId,
      publicKey: operator.kid,
      baseUrl: `https://${operatorId}.example`,
      currencies: ['EUR'],
      validUntil: formatTimestamp(now_ms + validFor_ms),
    },
    now_ms,
  );
}

export function vouch(
  operator: Signer,
  certificate: MerchantCertificate,
  merchantOperatorCertificate: OperatorCertificate,
  now_ms: number,
  operatorId = 'op-sek',
): MerchantVouch {
  return seal(
    crypto,
    operator,
    { type: 'merchant-vouch', operatorId, merchantCertificate: certificate, merchantOperatorCertificate },
    now_ms,
  );
}

/** 1 SEK = 0.0873553 EUR: SEK 11.4475 and EUR 1 per EUR. */
export const SEK_TO_EUR: LockedRate = {
  tableId: '0123456789abcdef0123456789abcdef',
  base: 'EUR',
  customer: { currency: 'SEK', perBase: '11.4475' },
  merchant: { currency: 'EUR', perBase: '1' },
};

/**
 * An open tab at a merchant whose prices are all multiples of 5 cents: 174 cents of deposit on 35
 * five-cent links (35 × 5 = 175 ≥ 174), nothing paid yet. Only the fields the pure tab logic
 * reads; a test adds what else it needs (the merchant certificate, say).
 */
export function openFiveCentTab(overrides: Partial<OpenTab> = {}): OpenTab {
  return {
    phase: 'open',
    localId: 'local-1',
    merchant: { merchantId: 'news', operatorId: 'op-eur' },
    merchantDisplayName: 'Daily News',
    origin: SHOP_ORIGIN,
    customerCurrency: 'SEK',
    depositCustomer_minor: 2_000n,
    depositMerchant_minor: 174n,
    rate: SEK_TO_EUR,
    chainLength: 35,
    chainUnit_minor: 5n,
    createdAt_ms: 0,
    transactionId: 'op-sek.1.1',
    tabId: 'tab_0123456789abcdef01234567',
    expiresAt_ms: 3_600_000,
    chainIndex: 0,
    count: 0,
    pendingPurchase: null,
    ...overrides,
  } as OpenTab;
}
