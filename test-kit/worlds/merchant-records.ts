// A merchant record for a test tab, signed with the merchant's own key: what the test merchant's
// agent would send at a merchant stop, with whatever count, total and last link a test claims
// (honest, or inflated to show what the MTA makes of it).

import { nodeCrypto } from '@opentab/server-kit';
import { fromBase64urlOfLength } from '@opentab/protocol';
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

export function merchantStopRecord(
  merchantSecretKey: string,
  merchantId: string,
  tab: TestTab,
  claim: MerchantClaim,
): MerchantRecord {
  const merchantKey = signerFromSecretKey(nodeCrypto, fromBase64urlOfLength(merchantSecretKey, 32));
  return seal(nodeCrypto, merchantKey, {
    type: 'merchant-record',
    merchantId,
    tabId: tab.tabId,
    reason: 'merchant-stop',
    purchaseListHash: tab.record().payload.purchaseListHash,
    count: claim.count,
    total: claim.total,
    lastChainIndex: claim.lastChainIndex,
    lastChainLink: tab.chain.encodedLinkAt(claim.lastChainIndex),
  } satisfies PayloadBody<MerchantRecordPayload>);
}
