// The merchant agent's operations on tabs: open one from the MTA's information, take purchases,
// read their receipts back, stop it (exhausted, merchant, customer, timeout), note its clearing.
// Each operation is one store transaction; open tabs are cached in memory and written through,
// so a purchase costs one cache read, a hash-chain check, two signatures' worth of CPU and one
// commit. Several agent processes may share one store: a purchase claims its place in the tab
// with a conditional update (a cached tab another process moved on is read again), and every
// other change reads the tab under a lock inside its transaction, never from the cache.

import type { CryptoProvider } from '@opentab/protocol';
import { PURCHASE_LIST_KEY_BYTES } from '@opentab/protocol';
import { fromBase64url, toBase64url } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import {
  MAX_RECEIPTS_PER_ANSWER,
  type MerchantInfo,
  type Purchase,
  type Receipt,
  type ReceiptList,
  type ReceiptsRequest,
  type StopReason,
  type MerchantRecord,
  type RecordRequest,
  type TabCleared,
  type TabClosed,
  type TabInformation,
  type TabInformationAck,
  type Terminate,
} from '@opentab/protocol';
import { moneyFromWire, moneyToWire } from '@opentab/protocol';
import { grantAccess, type AccessTokens } from './access-token';
import type { Catalogue } from './catalogue';
import type { AgentSettings } from './config';
import type { AgentEvents } from './events';
import { requireFresh, requireSignedBy } from './message-checks';
import type { OperatorKeys } from './operator-keys';
import type { RecordOutbox } from './record-outbox';
import { firstAnswer, requestDigest } from './replay-guard';
import { purchaseLinesOf, summariseTab, type MerchantSigner } from './signed-answers';
import { isUniqueViolation, type AgentStore, type AgentStoreTransaction } from './store';
import { decidePurchase } from './tab-book';
import { admitTabInformation } from './tab-information';
import type { ClearingOutcome, PurchaseRecord, TabRecord, TabStatus } from './tab-record';
import { purchaseView, tabView, type PurchaseListEvidence, type PurchaseView, type TabView } from './views';

export interface TabServiceDependencies {
  readonly settings: AgentSettings;
  readonly crypto: CryptoProvider;
  readonly store: AgentStore;
  readonly signer: MerchantSigner;
  readonly tokens: AccessTokens;
  readonly events: AgentEvents;
  readonly outbox: RecordOutbox;
  /**
   * Brings the catalogue to the edits other processes sharing the store have made, before a
   * purchase is priced; absent when this process makes every edit itself (a SQLite file).
   */
  readonly catalogueUpToDate?: () => Promise<void>;
  readonly operatorKeys: OperatorKeys;
}

/** How many expired tabs one sweep stops before yielding, so a backlog cannot block the event loop. */
const EXPIRY_SWEEP_BATCH = 200;

export class TabService {
  private readonly openTabs = new Map<string, TabRecord>();
  /** Built once per state of the catalogue, which the merchant may edit while the agent runs. */
  private merchantInfo: { readonly of: Catalogue; readonly info: MerchantInfo } | null = null;

  constructor(private readonly deps: TabServiceDependencies) {}

  info(): MerchantInfo {
    const { settings } = this.deps;
    const catalogue = settings.catalogue.snapshot;
    if (this.merchantInfo?.of !== catalogue)
      this.merchantInfo = {
        of: catalogue,
        info: {
          merchantId: settings.merchantId,
          operatorId: settings.operatorId,
          displayName: settings.displayName,
          currency: settings.currency,
          catalogue: catalogue.toMerchantInfoCatalogue(),
          chainUnit: moneyToWire(catalogue.chainUnit),
        },
      };
    return this.merchantInfo.info;
  }

  acceptTabInformation(information: TabInformation): Promise<TabInformationAck> {
    return againAfterConflict(() => this.acceptTabInformationOnce(information));
  }

  private async acceptTabInformationOnce(information: TabInformation): Promise<TabInformationAck> {
    const { crypto, store, settings, signer, events } = this.deps;
    const digest = requestDigest(crypto, information);
    const replay = firstAnswer<TabInformationAck>(await store.findReply(information.payload.id), digest);
    if (replay !== null) return replay;

    const { operatorKeys } = this.deps;
    await operatorKeys.learnAbout([information.kid, information.payload.customerCertificate.kid]);
    const now_ms = settings.clock.now_ms();
    const tab = admitTabInformation(crypto, { ...settings, operatorKeys }, information, now_ms);
    const known = await store.findTab(tab.tabId);
    if (known !== null) {
      // An MTA retrying under a new message id gets an ack for the tab it already opened here;
      // different terms under a known tab id are a conflict, never an update.
      if (!announcesSameTab(known, tab))
        throw new OpentabError('id_reused', `Tab ${tab.tabId} was already announced with other terms.`);
      const ack = signer.tabInformationAck({ ...known, informationId: information.payload.id }, now_ms);
      await store.transaction((tx) =>
        tx.insertReply(
          information.payload.id,
          'tab-information',
          { requestDigest: digest, responseJson: JSON.stringify(ack) },
          now_ms,
        ),
      );
      return ack;
    }
    // One chain root backs one tab: a link revealed on one tab must never be claimable on another.
    if ((await store.findTabByChainRoot(tab.chainRoot)) !== null) throw new OpentabError('chain_reused');
    const ack = signer.tabInformationAck(tab, now_ms);
    await store.transaction(async (tx) => {
      await tx.insertTab(tab, JSON.stringify(information));
      await tx.insertReply(
        information.payload.id,
        'tab-information',
        { requestDigest: digest, responseJson: JSON.stringify(ack) },
        now_ms,
      );
    });
    this.openTabs.set(tab.tabId, tab);
    events.emit('tab-opened', { tab: tabView(tab) });
    return ack;
  }

  async purchase(purchase: Purchase): Promise<Receipt> {
    const { crypto, store, settings, signer, tokens, events } = this.deps;
    const digest = requestDigest(crypto, purchase);
    await this.deps.catalogueUpToDate?.();
    let fromStore = !this.openTabs.has(purchase.tabId);
    let tab = await this.loadTab(purchase.tabId);
    for (let attempt = 0; attempt < PURCHASE_ATTEMPTS; attempt++) {
      const now_ms = settings.clock.now_ms();
      const decision =
        tab === null
          ? ({ accepted: false, refusal: new OpentabError('unknown_tab') } as const)
          : decidePurchase(crypto, tab, purchase, settings.catalogue.item(purchase.itemId), now_ms);
      if (!decision.accepted) {
        // Refusal is the only path where a replay can end up: its seq and link are already used.
        const replay = firstAnswer<Receipt>(await store.findPurchaseReply(purchase.id), digest);
        if (replay !== null) return replay;
        if (!fromStore) {
          // The cached tab may be behind a purchase or a stop another process made: decide on the stored one.
          tab = await this.reloadTab(purchase.tabId);
          fromStore = true;
          continue;
        }
        if (tab !== null && decision.refusal.code === 'tab_expired' && tab.lifecycle.status === 'open')
          await this.stopTab(tab.tabId, () => 'timeout');
        throw decision.refusal;
      }

      const record: PurchaseRecord = {
        purchaseId: purchase.id,
        tabId: purchase.tabId,
        seq: purchase.seq,
        itemId: purchase.itemId,
        price_minor: decision.price_minor,
        chainIndex: purchase.chainIndex,
        chainLink: purchase.chainLink,
        createdAt_ms: now_ms,
      };
      const receipt = signer.receipt(
        decision.tab,
        record,
        grantAccess(tokens, decision.item, now_ms, settings.accessTokenLifetime_ms),
        now_ms,
      );
      const before = tab!;
      const after = await store.transaction(async (tx) => {
        // Claims the seq and chain index: of two processes deciding on the same tab, one moves it.
        if (!(await tx.advanceTab(before, decision.tab))) return null;
        // The id was used for an earlier, different purchase (an identical one was answered above).
        if (!(await tx.insertPurchase(record, digest, JSON.stringify(receipt)))) throw new OpentabError('id_reused');
        return decision.exhausted
          ? (await this.stopWithinTransaction(tx, decision.tab, 'exhausted', now_ms)).tab
          : decision.tab;
      });
      if (after === null) {
        tab = await this.reloadTab(purchase.tabId);
        fromStore = true;
        continue;
      }
      this.rememberTab(after);
      events.emit('purchase', { tab: tabView(after), purchase: purchaseView(after.currency, record) });
      if (decision.exhausted) this.announceStop(after, 'exhausted');
      return receipt;
    }
    throw new Error(`tab ${purchase.tabId} kept changing under a purchase; ${PURCHASE_ATTEMPTS} attempts failed`);
  }

  terminate(terminate: Terminate): Promise<TabClosed> {
    return againAfterConflict(() => this.terminateOnce(terminate));
  }

  private async terminateOnce(terminate: Terminate): Promise<TabClosed> {
    const { crypto, store, settings, signer } = this.deps;
    const digest = requestDigest(crypto, terminate);
    const replay = firstAnswer<TabClosed>(await store.findReply(terminate.payload.id), digest);
    if (replay !== null) return replay;

    const known = await this.loadTab(terminate.payload.tabId);
    if (known === null) throw new OpentabError('unknown_tab');
    requireSignedBy(
      crypto,
      terminate,
      fromBase64url(known.tabPublicKey),
      'The terminate message is not signed by the key of this tab.',
    );
    const now_ms = settings.clock.now_ms();
    requireFresh(terminate.payload.iat, now_ms, settings.clockSkew_ms);

    const outcome = await store.transaction(async (tx) => {
      const tab = (await tx.lockTab(known.tabId))!;
      let answer: TabClosed;
      let stoppedNow: { tab: TabRecord; reason: StopReason } | null = null;
      if (tab.lifecycle.status === 'open') {
        const reason: StopReason = now_ms >= tab.expiresAt_ms ? 'timeout' : 'customer-terminate';
        const stop = await this.stopWithinTransaction(tx, tab, reason, now_ms);
        stoppedNow = { tab: stop.tab, reason };
        answer = signer.tabClosed(stop.tab, reason, stop.summary, now_ms);
      } else {
        // Already stopped: the customer still gets the summary, with the reason it stopped for.
        const summary = summariseTab(crypto, tab, await tx.purchasesOf(tab.tabId));
        answer = signer.tabClosed(tab, tab.lifecycle.reason ?? 'timeout', summary, now_ms);
      }
      await tx.insertReply(
        terminate.payload.id,
        'terminate',
        { requestDigest: digest, responseJson: JSON.stringify(answer) },
        now_ms,
      );
      return { answer, tab, stoppedNow };
    });
    this.rememberTab(outcome.stoppedNow?.tab ?? outcome.tab);
    if (outcome.stoppedNow !== null) this.announceStop(outcome.stoppedNow.tab, outcome.stoppedNow.reason);
    return outcome.answer;
  }

  /**
   * The receipts of the tab's purchases after `afterSeq`, exactly as first answered, each with the
   * chain link its purchase revealed, for a customer agent that sent a purchase and stopped before
   * it stored it. Authenticated as terminate is, in any lifecycle status (the wallet may learn it
   * is behind from the TabClosed); writes nothing, so a replay within the skew window only reads
   * again what the tab key may read anyway.
   */
  async receipts(request: ReceiptsRequest): Promise<ReceiptList> {
    const { crypto, store, settings } = this.deps;
    const { tabId, afterSeq, iat } = request.payload;
    const tab = await this.loadTab(tabId);
    if (tab === null) throw new OpentabError('unknown_tab');
    requireSignedBy(
      crypto,
      request,
      fromBase64url(tab.tabPublicKey),
      'The receipts request is not signed by the key of this tab.',
    );
    requireFresh(iat, settings.clock.now_ms(), settings.clockSkew_ms);

    // One row past the page says whether there is more, without a count over the tab.
    const stored = await store.receiptsAfter(tabId, afterSeq, MAX_RECEIPTS_PER_ANSWER + 1);
    const receipts = stored
      .slice(0, MAX_RECEIPTS_PER_ANSWER)
      .map((paid) => ({ receipt: JSON.parse(paid.receiptJson) as Receipt, chainLink: paid.chainLink }));
    return { tabId, receipts, more: stored.length > MAX_RECEIPTS_PER_ANSWER };
  }

  /**
   * The MTA's clearing report (or, outcome 'voided', its word that the tab never opened there).
   * A tab still open here is stopped first, so that its record goes out even now: what its chain
   * link proves is claimed as late evidence, which the MTA turns into a corrected clearing. A
   * correction (a higher revision) updates what the tab cleared; an older or repeated report
   * changes nothing.
   */
  acceptTabCleared(cleared: TabCleared): Promise<{ received: true }> {
    return againAfterConflict(() => this.acceptTabClearedOnce(cleared));
  }

  private async acceptTabClearedOnce(cleared: TabCleared): Promise<{ received: true }> {
    const { crypto, store, settings, events } = this.deps;
    const digest = requestDigest(crypto, cleared);
    const replay = firstAnswer<{ received: true }>(await store.findReply(cleared.payload.id), digest);
    if (replay !== null) return replay;

    await this.deps.operatorKeys.learnAbout([cleared.kid]);
    const now_ms = settings.clock.now_ms();
    this.deps.operatorKeys.requireSigned(
      cleared,
      now_ms,
      `The clearing report is not signed by operator ${settings.operatorId}.`,
    );
    requireFresh(cleared.payload.iat, now_ms, settings.clockSkew_ms);
    const payload = cleared.payload;
    if (payload.operatorId !== settings.operatorId) throw new OpentabError('unknown_peer');
    if (payload.merchantId !== settings.merchantId) throw new OpentabError('unknown_merchant');
    const known = await this.loadTab(payload.tabId);
    if (known === null) throw new OpentabError('unknown_tab');
    if (payload.cleared.currency !== known.currency) throw new OpentabError('currency_mismatch');

    const answer = { received: true } as const;
    const report = {
      cleared_minor: moneyFromWire(payload.cleared).minor,
      outcome: payload.outcome,
      revision: payload.revision ?? 0,
    };
    const outcome = await store.transaction(async (tx) => {
      const tab = (await tx.lockTab(known.tabId))!;
      const result = await this.clearWithinTransaction(tx, tab, report, now_ms);
      await tx.insertReply(
        payload.id,
        'tab-cleared',
        { requestDigest: digest, responseJson: JSON.stringify(answer) },
        now_ms,
      );
      return result;
    });
    if (outcome.stoppedNow !== null) this.announceStop(outcome.stoppedNow.tab, outcome.stoppedNow.reason);
    if (outcome.after !== null) {
      this.rememberTab(outcome.after);
      events.emit('tab-cleared', { tab: tabView(outcome.after), outcome: payload.outcome });
    }
    return answer;
  }

  /**
   * The MTA asks for this tab's record (the customer sent its own, or the tab is due): an open tab
   * stops here and now, and the answer is the signed record, the same one the outbox delivers.
   * Reads and stops only, so a repeated request gets the same record again.
   */
  provideRecord(request: RecordRequest): Promise<MerchantRecord> {
    return againAfterConflict(() => this.provideRecordOnce(request));
  }

  private async provideRecordOnce(request: RecordRequest): Promise<MerchantRecord> {
    const { store, settings } = this.deps;
    await this.deps.operatorKeys.learnAbout([request.kid]);
    const now_ms = settings.clock.now_ms();
    this.deps.operatorKeys.requireSigned(
      request,
      now_ms,
      `The record request is not signed by operator ${settings.operatorId}.`,
    );
    requireFresh(request.payload.iat, now_ms, settings.clockSkew_ms);
    if (request.payload.operatorId !== settings.operatorId) throw new OpentabError('unknown_peer');
    if (request.payload.merchantId !== settings.merchantId) throw new OpentabError('unknown_merchant');
    const tabId = request.payload.tabId;
    if ((await this.loadTab(tabId)) === null) throw new OpentabError('unknown_tab');
    await this.stopTab(tabId, (tab) => (now_ms >= tab.expiresAt_ms ? 'timeout' : 'customer-terminate'));
    let entry = await store.outboxEntry(tabId);
    if (entry === null) {
      // Cleared while open by an agent older than stopping first: its record is made now.
      entry = await store.transaction(async (tx) => {
        const tab = (await tx.lockTab(tabId))!;
        const made = await tx.outboxEntry(tabId);
        if (made !== null) return made;
        const reason =
          tab.lifecycle.status === 'cleared' && tab.lifecycle.reason !== null ? tab.lifecycle.reason : 'timeout';
        await this.enqueueRecordOf(tx, tab, reason, now_ms);
        return (await tx.outboxEntry(tabId))!;
      });
      this.deps.outbox.wake();
    }
    return JSON.parse(entry.envelopeJson) as MerchantRecord;
  }

  /**
   * The MTA refused this tab's record for good: the tab never opened there (its registration
   * failed after this agent acknowledged it). Nothing can be bought or claimed on it: it ends
   * here as cleared at nothing, outcome 'voided'.
   */
  async voidTab(tabId: string, code: string, message: string): Promise<void> {
    const { store, settings, events } = this.deps;
    const now_ms = settings.clock.now_ms();
    const outcome = await store.transaction(async (tx) => {
      const tab = await tx.lockTab(tabId);
      if (tab === null) return null;
      await tx.markRecordRefused(tabId, code, message, now_ms);
      return this.clearWithinTransaction(tx, tab, { cleared_minor: 0n, outcome: 'voided', revision: 0 }, now_ms);
    });
    if (outcome?.after) {
      this.rememberTab(outcome.after);
      events.emit('tab-cleared', { tab: tabView(outcome.after), outcome: 'voided' });
    }
  }

  /** The tab after a clearing report (null when it changes nothing), in the caller's transaction on the tab
   * it locked; stops an open tab first unless the report voids it. */
  private async clearWithinTransaction(
    tx: AgentStoreTransaction,
    tab: TabRecord,
    report: { cleared_minor: bigint; outcome: ClearingOutcome; revision: number },
    now_ms: number,
  ): Promise<{ after: TabRecord | null; stoppedNow: { tab: TabRecord; reason: StopReason } | null }> {
    let current = tab;
    let stoppedNow: { tab: TabRecord; reason: StopReason } | null = null;
    if (current.lifecycle.status === 'cleared') {
      // Only a correction moves a cleared tab: a higher revision of a real clearing.
      if (report.outcome === 'voided' || report.revision <= current.lifecycle.revision)
        return { after: null, stoppedNow };
      const after: TabRecord = {
        ...current,
        lifecycle: {
          ...current.lifecycle,
          cleared_minor: report.cleared_minor,
          outcome: report.outcome,
          revision: report.revision,
        },
      };
      await tx.updateTabLifecycle(after.tabId, after.lifecycle);
      return { after, stoppedNow };
    }
    if (current.lifecycle.status === 'open' && report.outcome !== 'voided') {
      const reason: StopReason = now_ms >= current.expiresAt_ms ? 'timeout' : 'merchant-stop';
      current = (await this.stopWithinTransaction(tx, current, reason, now_ms)).tab;
      stoppedNow = { tab: current, reason };
    }
    if (report.outcome === 'voided')
      await tx.markRecordRefused(
        current.tabId,
        'tab_not_opened',
        'The MTA voided the tab: it never opened there.',
        now_ms,
      );
    const lifecycle = current.lifecycle;
    const after: TabRecord = {
      ...current,
      lifecycle: {
        status: 'cleared',
        reason: lifecycle.status === 'stopped' ? lifecycle.reason : null,
        stoppedAt_ms: lifecycle.status === 'stopped' ? lifecycle.stoppedAt_ms : null,
        cleared_minor: report.cleared_minor,
        outcome: report.outcome,
        clearedAt_ms: now_ms,
        revision: report.revision,
      },
    };
    await tx.updateTabLifecycle(after.tabId, after.lifecycle);
    return { after, stoppedNow };
  }

  /** The merchant stops a tab. Null for an unknown tab; a tab that already stopped is returned unchanged. */
  async stopByMerchant(tabId: string): Promise<TabView | null> {
    const now_ms = this.deps.settings.clock.now_ms();
    const { tab } = await this.stopTab(tabId, (open) => (now_ms >= open.expiresAt_ms ? 'timeout' : 'merchant-stop'));
    return tab === null ? null : tabView(tab);
  }

  /** Stops every open tab whose timeout has passed; returns how many it stopped. */
  async stopExpiredTabs(): Promise<number> {
    const now_ms = this.deps.settings.clock.now_ms();
    let stopped = 0;
    for (const tabId of await this.deps.store.expiredOpenTabIds(now_ms, EXPIRY_SWEEP_BATCH)) {
      // Another process's sweep may have stopped it meanwhile: stopTab stops only a tab still open.
      if ((await this.stopTab(tabId, () => 'timeout')).stoppedNow) stopped++;
    }
    return stopped;
  }

  /** As stored now (with several processes, the cache of open tabs may be behind). */
  async tab(tabId: string): Promise<TabView | null> {
    const tab = await this.deps.store.findTab(tabId);
    return tab === null ? null : tabView(tab);
  }

  async tabs(filter: { status?: TabStatus; limit?: number } = {}): Promise<TabView[]> {
    return (await this.deps.store.listTabs({ status: filter.status, limit: filter.limit ?? 1000 })).map(tabView);
  }

  async purchaseListEvidence(tabId: string): Promise<PurchaseListEvidence | null> {
    const { crypto, store } = this.deps;
    const tab = await store.findTab(tabId);
    if (tab === null) return null;
    const purchases = await store.purchasesOf(tabId);
    const listKey = tab.listKey ?? toBase64url(new Uint8Array(PURCHASE_LIST_KEY_BYTES));
    return {
      tabId,
      purchaseListHash: summariseTab(crypto, tab, purchases).purchaseListHash,
      claim: { listKey, lines: purchaseLinesOf(tab, purchases) },
    };
  }

  async purchasesOf(tabId: string): Promise<PurchaseView[]> {
    return (await this.deps.store.purchasesOf(tabId)).map((purchase) =>
      purchaseView(this.deps.settings.currency, purchase),
    );
  }

  /** For what never changes on a tab (its key, currency, terms) and for a purchase's first decision. */
  private async loadTab(tabId: string): Promise<TabRecord | null> {
    const cached = this.openTabs.get(tabId);
    if (cached !== undefined) return cached;
    return this.reloadTab(tabId);
  }

  private async reloadTab(tabId: string): Promise<TabRecord | null> {
    const stored = await this.deps.store.findTab(tabId);
    if (stored === null) this.openTabs.delete(tabId);
    else this.rememberTab(stored);
    return stored;
  }

  /** Only open tabs stay in memory: they are the ones purchases need, and they end at their timeout. */
  private rememberTab(tab: TabRecord): void {
    if (tab.lifecycle.status === 'open') this.openTabs.set(tab.tabId, tab);
    else this.openTabs.delete(tab.tabId);
  }

  /**
   * Stops the tab if it is still open as stored, for the reason `reasonFor` gives; returns the tab
   * as it stands afterwards (null for an unknown tab) and whether this call stopped it.
   */
  private async stopTab(
    tabId: string,
    reasonFor: (open: TabRecord, now_ms: number) => StopReason,
  ): Promise<{ tab: TabRecord | null; stoppedNow: boolean }> {
    const now_ms = this.deps.settings.clock.now_ms();
    const outcome = await this.deps.store.transaction(async (tx) => {
      const tab = await tx.lockTab(tabId);
      if (tab === null || tab.lifecycle.status !== 'open') return { tab, stoppedFor: null };
      const reason = reasonFor(tab, now_ms);
      return { tab: (await this.stopWithinTransaction(tx, tab, reason, now_ms)).tab, stoppedFor: reason };
    });
    if (outcome.tab === null) {
      this.openTabs.delete(tabId);
      return { tab: null, stoppedNow: false };
    }
    this.rememberTab(outcome.tab);
    if (outcome.stoppedFor !== null) this.announceStop(outcome.tab, outcome.stoppedFor);
    return { tab: outcome.tab, stoppedNow: outcome.stoppedFor !== null };
  }

  /** Marks the tab (as stored, locked or just advanced) stopped and puts its signed record in the outbox,
   * in the caller's transaction. */
  private async stopWithinTransaction(tx: AgentStoreTransaction, tab: TabRecord, reason: StopReason, now_ms: number) {
    const stopped: TabRecord = { ...tab, lifecycle: { status: 'stopped', reason, stoppedAt_ms: now_ms } };
    await tx.updateTabLifecycle(tab.tabId, stopped.lifecycle);
    const summary = await this.enqueueRecordOf(tx, stopped, reason, now_ms);
    return { tab: stopped, summary };
  }

  /** Signs the tab's record (everything it holds receipts for) and puts it in the outbox, in the caller's
   * transaction. */
  private async enqueueRecordOf(tx: AgentStoreTransaction, tab: TabRecord, reason: StopReason, now_ms: number) {
    const { crypto, signer } = this.deps;
    const summary = summariseTab(crypto, tab, await tx.purchasesOf(tab.tabId));
    const record = signer.merchantRecord(tab, reason, summary, now_ms);
    await tx.enqueueRecord(tab.tabId, record.payload.id, JSON.stringify(record), now_ms);
    return summary;
  }

  private announceStop(tab: TabRecord, reason: StopReason): void {
    this.deps.events.emit('tab-stopped', { tab: tabView(tab), reason });
    this.deps.outbox.wake();
  }
}

/** How often a purchase is decided again after another process moved its tab on first. */
const PURCHASE_ATTEMPTS = 5;

/**
 * Runs a step once more when it lost a race to write the same id (a retried message that reached
 * two processes at once): the second run finds what the first one wrote and answers from it.
 */
async function againAfterConflict<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return step();
  }
}

function announcesSameTab(known: TabRecord, announced: TabRecord): boolean {
  return (
    known.pseudonym === announced.pseudonym &&
    known.tabPublicKey === announced.tabPublicKey &&
    known.deposit_minor === announced.deposit_minor &&
    known.chainUnit_minor === announced.chainUnit_minor &&
    known.chainLength === announced.chainLength &&
    known.chainRoot === announced.chainRoot &&
    known.expiresAt_ms === announced.expiresAt_ms
  );
}
