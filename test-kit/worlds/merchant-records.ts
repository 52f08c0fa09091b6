// A merchant record signed with the merchant's own key: what a merchant agent would send at a
// merchant stop, with whatever count, total and last link a test claims (honest, or inflated to
// show what the MTA makes of it).

import { nodeCrypto } from '@opentab/server-kit';
import { fromBase64urlOfLength, toBase64url } from '@opentab/protocol';
import { seal, signerFromSecretKey, type PayloadBody } from '@opentab/protocol';
import type { MerchantRecord, MerchantRecordPayload } from '@opentab/protocol';
import type { WireAmount } from '@opentab/protocol';
import type { TestTab } from './test-customer';

export interface MerchantClaim {
  readonly count: number;
  readonly total: WireAmount;
  /** The chain index of the last link the merchant holds; the record carries that link. */
  readonly lastChainIndex: number;
}

/** Everything a merchant-stop record states about a tab. */
export interface MerchantRecordFacts extends MerchantClaim {
  readonly tabId: string;
  readonly purchaseListHash: string;
  readonly lastChainLink: string;
}

export function signedMerchantRecord(
  merchantSecretKey: string,
  merchantId: string,
  facts: MerchantRecordFacts,
): MerchantRecord {
  const merchantKey = signerFromSecretKey(nodeCrypto, fromBase64urlOfLength(merchantSecretKey, 32));
  return seal(nodeCrypto, merchantKey, {
    type: 'merchant-record',
    merchantId,
    tabId: facts.tabId,
    reason: 'merchant-stop',
    purchaseListHash: facts.purchaseListHash,
    count: facts.count,
    total: facts.total,
    lastChainIndex: facts.lastChainIndex,
    lastChainLink: facts.lastChainLink,
  } satisfies PayloadBody<MerchantRecordPayload>);
}

/** The record of a test customer's tab, whose chain this test holds: the link it carries is real. */
export function merchantStopRecord(
  merchantSecretKey: string,
  merchantId: string,
  tab: TestTab,
  claim: MerchantClaim,
): MerchantRecord {
  return signedMerchantRecord(merchantSecretKey, merchantId, {
    ...claim,
    tabId: tab.tabId,
    purchaseListHash: tab.record().payload.purchaseListHash,
    lastChainLink: tab.chain.encodedLinkAt(claim.lastChainIndex),
  });
}

/**
 * A record for a tab whose chain the test does not hold (one a browser's wallet opened): its list
 * hash and link are made up, so it proves nothing, and the MTA clears the tab as disputed on the
 * customer's record alone, never for more than that record's link proves.
 */
export function unprovenMerchantRecord(
  merchantSecretKey: string,
  merchantId: string,
  tabId: string,
  claim: MerchantClaim,
): MerchantRecord {
  return signedMerchantRecord(merchantSecretKey, merchantId, {
    ...claim,
    tabId,
    purchaseListHash: toBase64url(nodeCrypto.randomBytes(32)),
    lastChainLink: toBase64url(nodeCrypto.randomBytes(32)),
  });
}
