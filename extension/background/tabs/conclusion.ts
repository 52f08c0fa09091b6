// Pure pieces of closing a tab: the Terminate for the merchant agent and the customer record for
// the operators, both signed by the tab key.

import type { HashChain } from '../../../protocol/chain/hash-chain';
import { purchaseListHash } from '../../../protocol/chain/purchase-list';
import type { CryptoProvider } from '../../../protocol/crypto/provider';
import type { PayloadBody } from '../../../protocol/envelope';
import type { CustomerRecordPayload } from '../../../protocol/messages/customer';
import type { TerminatePayload } from '../../../protocol/messages/merchant';
import { moneyToWire } from '../../../protocol/money/amount';
import type { StoredPurchase } from './purchase-record';
import { spentMinor, type OpenTab } from './tab-record';

export function terminateBody(tab: OpenTab): PayloadBody<TerminatePayload> {
  return { type: 'terminate', tabId: tab.tabId };
}

/** `purchases` in seq order; the total is in the merchant's currency, as the merchant records it. */
export function customerRecordBody(
  crypto: CryptoProvider,
  tab: OpenTab,
  purchases: readonly StoredPurchase[],
  chain: HashChain,
): PayloadBody<CustomerRecordPayload> {
  return {
    type: 'customer-record',
    transactionId: tab.transactionId,
    tabId: tab.tabId,
    purchaseListHash: purchaseListHash(crypto, purchases),
    count: tab.count,
    total: moneyToWire({ currency: tab.rate.merchant.currency, minor: spentMinor(tab) }),
    lastChainIndex: tab.chainIndex,
    lastChainLink: chain.encodedLinkAt(tab.chainIndex),
  };
}
