// Seed FIG 3, steps 1–2 at the MTA: the customer's record (relayed by its AM) and the merchant's
// record. Both are kept on the tab; with both in hand the tab clears at once, otherwise the
// grace period starts and the timeout job clears on what is there.

import { fromBase64urlOfLength } from '../../../protocol/encoding/base64url';
import { seal, verifyEnvelope, type PayloadBody } from '../../../protocol/envelope';
import { OpentabError } from '../../../protocol/errors';
import type { CustomerRecordRelay, RecordAck, RecordAckPayload } from '../../../protocol/messages/peer';
import type { CustomerRecord } from '../../../protocol/messages/customer';
import type { MerchantRecord } from '../../../protocol/messages/merchant';
import { assertFresh } from '../account-manager/customer-auth';
import type { OperatorContext } from '../operator-context';
import type { Tab } from '../store/records';
import { clearTab } from './clearing';

function acknowledge(context: OperatorContext, recordId: string, tab: Tab, cleared: boolean, now_ms: number): RecordAck {
  return seal(context.crypto, context.identity.signer, {
    type: 'record-ack',
    operatorId: context.identity.operatorId,
    recordId,
    tabId: tab.tabId,
    status: cleared ? 'cleared' : 'recorded',
  } satisfies PayloadBody<RecordAckPayload>, now_ms);
}

function openTabOrRefuse(tab: Tab): void {
  if (tab.state === 'opening' || tab.state === 'failed') throw new OpentabError('tab_closed', 'The tab never opened.');
}

type NewRecord = { readonly customerRecord: CustomerRecord } | { readonly merchantRecord: MerchantRecord };

/**
 * Keeps the record on the open tab and clears at once when it was the second one; true when the
 * tab is cleared. `tab` is the row as read in this same synchronous step, so nothing else can
 * have changed it: the tab with the record added is known without reading it back, and the
 * record and the clearing commit together.
 */
function keepRecord(context: OperatorContext, tab: Tab, record: NewRecord, now_ms: number): boolean {
  const recorded: Tab = { ...tab, ...record };
  const concludeBy_ms = now_ms + context.config.tabs.recordGrace_s * 1000;
  return context.db.transaction(() => {
    if ('customerRecord' in record) context.store.setTabCustomerRecord(tab.tabId, record.customerRecord, concludeBy_ms);
    else context.store.setTabMerchantRecord(tab.tabId, record.merchantRecord, concludeBy_ms);
    return recorded.customerRecord !== null && recorded.merchantRecord !== null && clearTab(context, recorded, now_ms);
  })();
}

export async function receiveCustomerRecord(context: OperatorContext, relay: CustomerRecordRelay, now_ms: number): Promise<RecordAck> {
  const record = relay.payload.record;
  const authenticate = () => {
    const sender = context.trust.verifyPeerEnvelope(relay, now_ms);
    assertFresh(context, relay.payload.iat, now_ms);
    const tab = context.store.tab(record.payload.tabId);
    if (tab === null || tab.customerOperatorId !== sender.operatorId || tab.transactionId !== record.payload.transactionId) throw new OpentabError('unknown_tab');
    if (record.kid !== tab.tabPublicKey || !verifyEnvelope(context.crypto, record, fromBase64urlOfLength(tab.tabPublicKey, 32))) {
      throw new OpentabError('bad_signature', 'The customer record is not signed by the tab key.');
    }
    return tab;
  };
  return context.receipts.onceInTransaction('peerCustomerRecord', relay, now_ms, authenticate, (tab) => {
    openTabOrRefuse(tab);
    let cleared = tab.state === 'cleared';
    if (tab.state === 'open' && tab.customerRecord === null) {
      context.log.info('record.customer', { tx: tab.transactionId, tab: tab.tabId, total: record.payload.total.value, count: record.payload.count });
      cleared = keepRecord(context, tab, { customerRecord: record }, now_ms);
    }
    return acknowledge(context, record.payload.id, tab, cleared, now_ms);
  });
}

export async function receiveMerchantRecord(context: OperatorContext, record: MerchantRecord, now_ms: number): Promise<RecordAck> {
  const authenticate = () => {
    const merchant = context.store.merchant(record.payload.merchantId);
    if (merchant === null) throw new OpentabError('unknown_merchant');
    if (record.kid !== merchant.publicKey) throw new OpentabError('unknown_key', "The record is not signed with the merchant's registered key.");
    if (!verifyEnvelope(context.crypto, record, fromBase64urlOfLength(merchant.publicKey, 32))) throw new OpentabError('bad_signature');
    assertFresh(context, record.payload.iat, now_ms);
    return merchant;
  };
  return context.receipts.onceInTransaction('merchantRecord', record, now_ms, authenticate, (merchant) => {
    const tab = context.store.tab(record.payload.tabId);
    if (tab === null || tab.merchantId !== merchant.merchantId) throw new OpentabError('unknown_tab');
    openTabOrRefuse(tab);
    let cleared = tab.state === 'cleared';
    if (tab.state === 'open' && tab.merchantRecord === null) {
      context.log.info('record.merchant', { tx: tab.transactionId, tab: tab.tabId, total: record.payload.total.value, count: record.payload.count, reason: record.payload.reason });
      cleared = keepRecord(context, tab, { merchantRecord: record }, now_ms);
    }
    return acknowledge(context, record.payload.id, tab, cleared, now_ms);
  });
}

/** The server's own enforcement of timeouts and grace periods: clears every tab whose time has come. */
export function clearDueTabs(context: OperatorContext, now_ms: number, limit = 500): number {
  let cleared = 0;
  for (const tab of context.store.dueTabs(now_ms, limit)) if (clearTab(context, tab, now_ms)) cleared++;
  return cleared;
}
