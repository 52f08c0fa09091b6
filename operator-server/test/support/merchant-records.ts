// A merchant record for a test tab, signed with the merchant's own key: what the test merchant's
// agent would send at a merchant stop, with whatever count, total and last link a test claims
// (honest, or inflated to show what the MTA makes of it).

import { nodeCrypto } from '../../../protocol/crypto/node';
import { fromBase64urlOfLength } from '../../../protocol/encoding/base64url';
import { seal, signerFromSecretKey, type PayloadBody } from '../../../protocol/envelope';
import type { MerchantRecord, MerchantRecordPayload } from '../../../protocol/messages/merchant';
import type { WireAmount } from '../../../protocol/money/amount';
import type { TestTab } from '../../src/testing/test-customer';

export interface MerchantClaim {
  readonly count: number;
  readonly total: WireAmount;
  /** The chain index of the last link the merchant holds; the record carries that link. */
  readonly lastChainIndex: number;
}

export function merchantStopRecord(merchantSecretKey: string, merchantId: string, tab: TestTab, claim: MerchantClaim): MerchantRecord {
  const merchantKey = signerFromSecretKey(nodeCrypto, fromBase64urlOfLength(merchantSecretKey, 32));
  return seal(nodeCrypto, merchantKey, {
    type: 'merchant-record', merchantId, tabId: tab.tabId, reason: 'merchant-stop',
    purchaseListHash: tab.record().payload.purchaseListHash, count: claim.count, total: claim.total,
    lastChainIndex: claim.lastChainIndex, lastChainLink: tab.chain.encodedLinkAt(claim.lastChainIndex),
  } satisfies PayloadBody<MerchantRecordPayload>);
}
