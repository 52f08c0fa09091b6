// Seed FIG 3, steps 1–2 at the MTA: the customer's record (relayed by its AM) and the merchant's
// record. Both are kept on the tab; with both in hand the tab clears at once.
//
// The customer's word alone never ends what the merchant can claim: a customer record leaves the
// tab's conclusion time as it was (its timeout plus the grace period) and asks the merchant agent
// for its record, which stops the tab there. A tab that falls due without the merchant's record
// asks for it too, and waits for an agent that does not answer up to `tabs.merchantRecordWait_s`
// before clearing on what it has. A record that comes after the clearing is kept and, if it proves
// more, corrects the clearing within `tabs.lateRecordWindow_s` (docs/state-machines.md).

import { fromBase64urlOfLength } from '@opentab/protocol';
import { seal, verifyEnvelope, type PayloadBody } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { CustomerRecordRelay, RecordAck, RecordAckPayload } from '@opentab/protocol';
import type { CustomerRecord } from '@opentab/protocol';
import type { MerchantRecord, RecordRequestPayload } from '@opentab/protocol';
import { assertFresh } from '../account-manager/customer-auth';
import type { OperatorContext } from '../operator-context';
import type { OperatorStoreTransaction } from '../store/operator-storage';
import type { Merchant, Tab } from '../store/records';
import { clearTab, correctClearing } from './clearing';

/** The record request's outbox body: signed afresh at each delivery attempt. */
export type RecordRequestBody = PayloadBody<RecordRequestPayload>;

/** The outbox record id of the request for a tab's merchant record. */
export function recordRequestId(tabId: string): string {
  return `record-request:${tabId}`;
}

function acknowledge(
  context: OperatorContext,
  recordId: string,
  tab: Tab,
  cleared: boolean,
  now_ms: number,
): RecordAck {
  return seal(
    context.crypto,
    context.identity.signer,
    {
      type: 'record-ack',
      operatorId: context.identity.operatorId,
      recordId,
      tabId: tab.tabId,
      status: cleared ? 'cleared' : 'recorded',
    } satisfies PayloadBody<RecordAckPayload>,
    now_ms,
  );
}

function refuseUnopened(tab: Tab): void {
  if (tab.state === 'opening' || tab.state === 'failed')
    throw new OpentabError(
      'tab_not_opened',
      'The tab never opened: nothing was bought on it, and it has no record to keep.',
    );
}

type NewRecord = { readonly customerRecord: CustomerRecord } | { readonly merchantRecord: MerchantRecord };

/**
 * Takes one record for a tab that opened, in the caller's transaction; true when the tab is
 * cleared afterwards. `tab` is the row as read in this same transaction.
 */
async function takeRecord(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  tab: Tab,
  record: NewRecord,
  now_ms: number,
): Promise<boolean> {
  if (tab.state === 'cleared') {
    await takeLateRecord(context, tx, tab, record, now_ms);
    return true;
  }
  if ('customerRecord' in record) {
    if (!(await tx.tabs.setTabCustomerRecord(tab.tabId, record.customerRecord))) return false;
    const payload = record.customerRecord.payload;
    context.log.info('record.customer', {
      tx: tab.transactionId,
      tab: tab.tabId,
      total: payload.total.value,
      count: payload.count,
    });
    if (tab.merchantRecord !== null) return clearTab(context, tx, { ...tab, ...record }, now_ms);
    await askMerchantForRecord(context, tx, tab, now_ms);
    return false;
  }
  if (
    !(await tx.tabs.setTabMerchantRecord(tab.tabId, record.merchantRecord, customerDeadline_ms(context, tab, now_ms)))
  )
    return false;
  const payload = record.merchantRecord.payload;
  context.log.info('record.merchant', {
    tx: tab.transactionId,
    tab: tab.tabId,
    total: payload.total.value,
    count: payload.count,
    reason: payload.reason,
  });
  return tab.customerRecord !== null && clearTab(context, tx, { ...tab, ...record }, now_ms);
}

/**
 * When the tab may conclude once the merchant's record is in: the customer keeps a grace period
 * to send its own, but never more than it had anyway (its timeout plus the grace period).
 */
function customerDeadline_ms(context: OperatorContext, tab: Tab, now_ms: number): number {
  const grace_ms = context.config.tabs.recordGrace_s * 1000;
  return Math.min(now_ms + grace_ms, Math.max(now_ms, tab.expiresAt + grace_ms));
}

/**
 * A record for a cleared tab: kept whatever it does. Within the late-record window, one that
 * fills the empty place of its party and proves more corrects the clearing.
 */
async function takeLateRecord(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  tab: Tab,
  record: NewRecord,
  now_ms: number,
): Promise<void> {
  const party = 'customerRecord' in record ? 'customer' : 'merchant';
  const envelope = 'customerRecord' in record ? record.customerRecord : record.merchantRecord;
  const withinWindow = now_ms - (tab.clearedAt ?? now_ms) <= context.config.tabs.lateRecordWindow_s * 1000;
  let effect = 'after-window';
  // The operator's decision on a dispute is final: later evidence is kept for the staff, and moves nothing.
  if ((await tx.tabs.resolutionOfTab(tab.tabId)) !== null) effect = 'after-resolution';
  else if (withinWindow) {
    const placed =
      'customerRecord' in record
        ? await tx.tabs.setTabCustomerRecord(tab.tabId, record.customerRecord)
        : await tx.tabs.setTabMerchantRecord(tab.tabId, record.merchantRecord, now_ms);
    const revision = placed ? await correctClearing(context, tx, { ...tab, ...record }, now_ms) : null;
    effect = revision === null ? 'no-change' : `corrected:${revision}`;
  }
  if (
    await tx.tabs.insertLateRecord({
      recordId: envelope.payload.id,
      tabId: tab.tabId,
      party,
      record: envelope,
      receivedAt: now_ms,
      effect,
    })
  ) {
    context.log.warn('record.late', { tx: tab.transactionId, tab: tab.tabId, party, effect });
  }
}

/** Queues the request for the merchant's record, once per tab; the tab then waits for the answer up to the
 * merchant record wait. */
async function askMerchantForRecord(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  tab: Tab,
  now_ms: number,
): Promise<void> {
  if (tab.merchantAskedAt !== null || tab.merchantRecord !== null) return;
  const waitUntil_ms = now_ms + context.config.tabs.merchantRecordWait_s * 1000;
  if (!(await tx.tabs.markMerchantAsked(tab.tabId, now_ms, waitUntil_ms))) return;
  const request: RecordRequestBody = {
    type: 'record-request',
    operatorId: context.identity.operatorId,
    merchantId: tab.merchantId,
    tabId: tab.tabId,
  };
  await tx.outbox.enqueue(
    recordRequestId(tab.tabId),
    { kind: 'merchant-record-request', merchantId: tab.merchantId },
    request,
    now_ms,
  );
  context.log.info('record.requested', { tx: tab.transactionId, tab: tab.tabId, merchant: tab.merchantId });
}

export async function receiveCustomerRecord(
  context: OperatorContext,
  relay: CustomerRecordRelay,
  now_ms: number,
): Promise<RecordAck> {
  const record = relay.payload.record;
  const authenticate = async () => {
    const sender = await context.trust.verifyPeerEnvelope(relay, now_ms);
    assertFresh(context, relay.payload.iat, now_ms);
    const tab = await context.storage.tabs.tab(record.payload.tabId);
    if (
      tab === null ||
      tab.customerOperatorId !== sender.operatorId ||
      tab.transactionId !== record.payload.transactionId
    )
      throw new OpentabError('unknown_tab');
    if (
      record.kid !== tab.tabPublicKey ||
      !verifyEnvelope(context.crypto, record, fromBase64urlOfLength(tab.tabPublicKey, 32))
    ) {
      throw new OpentabError('bad_signature', 'The customer record is not signed by the tab key.');
    }
    return tab;
  };
  return context.receipts.onceInTransaction('peerCustomerRecord', relay, now_ms, authenticate, async (tx, checked) => {
    // The tab as it is now: another record may have come in since it was checked.
    const tab = (await tx.tabs.tabForUpdate(checked.tabId))!;
    refuseUnopened(tab);
    const cleared = await takeRecord(context, tx, tab, { customerRecord: record }, now_ms);
    return acknowledge(context, record.payload.id, tab, cleared, now_ms);
  });
}

/** A record signed with the merchant's registered key, or a refusal. */
function checkMerchantSignature(context: OperatorContext, merchant: Merchant, record: MerchantRecord): void {
  if (record.payload.merchantId !== merchant.merchantId) throw new OpentabError('unknown_merchant');
  if (record.kid !== merchant.publicKey)
    throw new OpentabError('unknown_key', "The record is not signed with the merchant's registered key.");
  if (!verifyEnvelope(context.crypto, record, fromBase64urlOfLength(merchant.publicKey, 32)))
    throw new OpentabError('bad_signature');
}

/** The merchant's tab a record is about, if it opened; otherwise a refusal. */
async function tabOfMerchantRecord(
  tx: OperatorStoreTransaction,
  merchant: Merchant,
  record: MerchantRecord,
): Promise<Tab> {
  // Locked: the customer's record of the tab may be taken at this moment by another request.
  const tab = await tx.tabs.tabForUpdate(record.payload.tabId);
  if (tab === null || tab.merchantId !== merchant.merchantId) throw new OpentabError('unknown_tab');
  refuseUnopened(tab);
  return tab;
}

/**
 * A revoked merchant's records of its tabs are still taken: every tab predates the revocation, and
 * the chain link bounds what a record can claim (revocation/revocations.ts).
 */
export async function receiveMerchantRecord(
  context: OperatorContext,
  record: MerchantRecord,
  now_ms: number,
): Promise<RecordAck> {
  const authenticate = async () => {
    const merchant = await context.storage.merchants.merchant(record.payload.merchantId);
    if (merchant === null) throw new OpentabError('unknown_merchant');
    checkMerchantSignature(context, merchant, record);
    assertFresh(context, record.payload.iat, now_ms);
    return merchant;
  };
  return context.receipts.onceInTransaction('merchantRecord', record, now_ms, authenticate, async (tx, merchant) => {
    const tab = await tabOfMerchantRecord(tx, merchant, record);
    const cleared = await takeRecord(context, tx, tab, { merchantRecord: record }, now_ms);
    return acknowledge(context, record.payload.id, tab, cleared, now_ms);
  });
}

/**
 * The merchant agent's answer to a record request: its record, signed by its key, about the tab
 * asked for (freshness is the request's, which this answers). Taken like a record it sent itself.
 */
export async function takeRequestedRecord(
  context: OperatorContext,
  merchant: Merchant,
  tabId: string,
  record: MerchantRecord,
  now_ms: number,
): Promise<void> {
  if (record.payload.tabId !== tabId)
    throw new Error(
      `the merchant agent answered the record request of ${tabId} with the record of ${record.payload.tabId}`,
    );
  checkMerchantSignature(context, merchant, record);
  await context.log.heldUntilSettled(() =>
    context.storage.transaction(async (tx) =>
      takeRecord(context, tx, await tabOfMerchantRecord(tx, merchant, record), { merchantRecord: record }, now_ms),
    ),
  );
}

/** The merchant agent says it has no such tab: its record will never come, so the tab need not wait for it. */
export async function noteMerchantHasNoRecord(context: OperatorContext, tabId: string, now_ms: number): Promise<void> {
  if (await context.storage.tabs.markMerchantHasNoRecord(tabId, now_ms))
    context.log.warn('record.merchant-has-none', { tab: tabId });
}

/**
 * The server's own enforcement of timeouts and grace periods. A due tab with the merchant's
 * record, or whose merchant agent was asked and has none or did not answer within the wait,
 * clears on what it has; one whose merchant agent was not asked yet is asked, and waits.
 */
export async function clearDueTabs(context: OperatorContext, now_ms: number, limit = 500): Promise<number> {
  let cleared = 0;
  for (const due of await context.storage.tabs.dueTabs(now_ms, limit)) {
    const done = await context.log.heldUntilSettled(() =>
      context.storage.transaction(async (tx) => {
        // The tab as it is now: a record may have come in, and moved its conclusion, since the list was read.
        const tab = await tx.tabs.tabForUpdate(due.tabId);
        if (tab === null || tab.state !== 'open' || tab.concludeAfter > now_ms) return false;
        if (tab.merchantRecord === null && tab.merchantAskedAt === null && !tab.merchantHasNoRecord) {
          await askMerchantForRecord(context, tx, tab, now_ms);
          return false;
        }
        return clearTab(context, tx, tab, now_ms);
      }),
    );
    if (done) cleared++;
  }
  return cleared;
}
