// Pure pieces of closing a tab: the Terminate for the merchant agent and the customer record for
// the operators, both signed by the tab key, and the check of the MTA's acknowledgement.

import { purchaseListHash } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { fromBase64urlOfLength } from '@opentab/protocol';
import { verifyEnvelope, type PayloadBody } from '@opentab/protocol';
import type { CustomerRecord, CustomerRecordPayload } from '@opentab/protocol';
import type { RecordAck } from '@opentab/protocol';
import type { TerminatePayload } from '@opentab/protocol';
import { moneyToWire } from '@opentab/protocol';
import type { StoredPurchase } from './purchase-record';
import { merchantOperatorKeyOf, spentMinor, type OpenTab, type TabBase } from './tab-record';
import type { PaymentSecrets } from './tab-secrets';

export function terminateBody(tab: OpenTab): PayloadBody<TerminatePayload> {
  return { type: 'terminate', tabId: tab.tabId };
}

/** `purchases` in seq order, hashed under the tab's list key; the total is in the merchant's currency, as the merchant records it. */
export function customerRecordBody(
  crypto: CryptoProvider,
  tab: OpenTab,
  purchases: readonly StoredPurchase[],
  { chain, listKey }: PaymentSecrets,
): PayloadBody<CustomerRecordPayload> {
  return {
    type: 'customer-record',
    transactionId: tab.transactionId,
    tabId: tab.tabId,
    purchaseListHash: purchaseListHash(crypto, listKey, purchases),
    count: tab.count,
    total: moneyToWire({ currency: tab.rate.merchant.currency, minor: spentMinor(tab) }),
    lastChainIndex: tab.chainIndex,
    lastChainLink: chain.encodedLinkAt(tab.chainIndex),
  };
}

/**
 * The record counts as delivered only when the merchant's MTA itself acknowledged it: signed by the
 * key of the merchant operator's CA certificate, checked when the tab was vouched for
 * (merchantOperatorKeyOf), about this very record and tab. The own AM relays the acknowledgement
 * and could otherwise claim a delivery that never happened.
 */
export function recordAckProblem(
  crypto: CryptoProvider,
  ack: RecordAck,
  record: CustomerRecord,
  tab: TabBase,
): string | null {
  let mtaKey: Uint8Array;
  try {
    mtaKey = fromBase64urlOfLength(merchantOperatorKeyOf(tab), 32);
  } catch {
    return "the tab names no usable key of the merchant's operator";
  }
  if (!verifyEnvelope(crypto, ack, mtaKey) || ack.payload.operatorId !== tab.merchant.operatorId) {
    return "the acknowledgement is not signed by the merchant's operator";
  }
  if (ack.payload.recordId !== record.payload.id || ack.payload.tabId !== record.payload.tabId) {
    return 'the acknowledgement is about another record';
  }
  return null;
}
