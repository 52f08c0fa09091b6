// One purchase at an open tab. The purchase is sent while it is being stored as pending: waiting
// for that write (an IndexedDB commit, ~1 ms during a click) before sending would add it to every
// click. Storing it matters for the next click, not this one: the request and the write both
// finish before the page is answered, and an unanswered purchase stays pending and is re-sent as
// it is (the merchant is idempotent on its id), never a second link for the same click. A browser
// that stops after sending and before the write leaves the merchant one purchase ahead of the
// wallet; the merchant then refuses the next purchase's sequence number, and the wallet fetches
// the receipts it lacks (`catchUp`, checked in catch-up.ts) before paying again.
//
// Once the receipt checks out the purchase is paid, and the caller can answer the page: the
// receipt and the tab after it are written in one transaction that the caller awaits only before
// the next purchase at this tab (`recorded`). Should the worker stop before that write, the
// purchase is still pending in the database, and is re-sent and recorded before anything else.
import { refusalCodeOf } from '../../../protocol/api/client';
import type { CryptoProvider } from '../../../protocol/crypto/provider';
import { seal, type PayloadBody } from '../../../protocol/envelope';
import { newMessageId } from '../../../protocol/ids';
import { MAX_RECEIPTS_PER_ANSWER, type Purchase, type Receipt, type ReceiptsRequestPayload } from '../../../protocol/messages/merchant';
import type { WireAmount } from '../../../protocol/money/amount';
import { AgentError } from '../errors';
import type { Clock } from '../ports';
import { fromMerchantFailure, isUnreachable } from '../wallet/remote-errors';
import { catchUpWith } from './catch-up';
import type { MerchantAgentClient } from './merchant-agent';
import { afterPurchase, checkReceipt, planPurchase } from './purchase';
import { storedPurchaseOf, type StoredPurchase } from './purchase-record';
import type { TabBook } from './tab-book';
import type { TabKeyring } from './tab-keyring';
import type { OpenTab } from './tab-record';

export type PurchaseOutcome =
  /** `recorded` settles once receipt and tab are stored; it rejects if they could not be. */
  | { readonly kind: 'paid'; readonly receipt: Receipt; readonly tab: OpenTab; readonly recorded: Promise<void> }
  /** The deposit cannot cover this price: a new transaction is needed. */
  | { readonly kind: 'exhausted'; readonly tab: OpenTab }
  /** The price is not a whole number of the tab's chain units, so the merchant would refuse it: not sent; a new transaction is needed. */
  | { readonly kind: 'wrong-unit'; readonly tab: OpenTab }
  /** The merchant no longer trades on this tab (expired, stopped by the merchant). */
  | { readonly kind: 'tab-stopped'; readonly tab: OpenTab; readonly reason: 'timeout' | 'merchant-stop' };

/** What a purchase request came to; `merchant-ahead` never leaves this module. */
type SendOutcome = PurchaseOutcome | { readonly kind: 'merchant-ahead'; readonly tab: OpenTab };

const STOPPED_CODES: Readonly<Record<string, 'timeout' | 'merchant-stop'>> = {
  tab_expired: 'timeout',
  tab_closed: 'merchant-stop',
  unknown_tab: 'merchant-stop',
};

export class Purchaser {
  constructor(
    private readonly book: TabBook,
    private readonly keyring: TabKeyring,
    private readonly merchants: MerchantAgentClient,
    private readonly crypto: CryptoProvider,
    private readonly clock: Clock,
  ) {}

  async buy(tab: OpenTab, itemId: string, price: WireAmount): Promise<PurchaseOutcome> {
    const settled = await this.settlePending(tab);
    if (settled.kind !== 'settled') return settled;
    const outcome = await this.buyNext(settled.tab, itemId, price);
    if (outcome.kind !== 'merchant-ahead') return outcome;
    // Once: caught up, the wallet and the merchant agree on the next sequence number.
    const again = await this.buyNext(await this.catchUp(outcome.tab), itemId, price);
    if (again.kind === 'merchant-ahead') throw new AgentError('merchant_refused', 'The merchant refuses the next purchase of this tab even after returning its receipts.');
    return again;
  }

  /** Finishes a purchase left in flight by an earlier click (or an earlier worker). */
  async settlePending(tab: OpenTab): Promise<PurchaseOutcome | { kind: 'settled'; tab: OpenTab }> {
    if (!tab.pendingPurchase) return { kind: 'settled', tab };
    const outcome = await this.send(tab, tab.pendingPurchase, Promise.resolve());
    if (outcome.kind === 'paid') await outcome.recorded;
    if (outcome.kind === 'merchant-ahead') return { kind: 'settled', tab: await this.catchUp(outcome.tab) };
    // Paid or refused as too dear, the earlier click is settled either way; a stopped tab is not.
    return outcome.kind === 'tab-stopped' ? outcome : { kind: 'settled', tab: outcome.tab };
  }

  /**
   * Records the purchases the merchant has beyond `tab.count`, each proven by the link it revealed
   * (catch-up.ts), and returns the tab after them. Refuses a merchant whose account cannot be believed.
   */
  async catchUp(tab: OpenTab): Promise<OpenTab> {
    const { tabSigner, chain } = await this.keyring.secretsOf(tab);
    let current = tab;
    // Every page but the last brings MAX_RECEIPTS_PER_ANSWER purchases, and the chain bounds them.
    const maxPages = Math.ceil(tab.chainLength / MAX_RECEIPTS_PER_ANSWER) + 1;
    for (let page = 0; page < maxPages; page++) {
      const body: PayloadBody<ReceiptsRequestPayload> = { type: 'receipts-request', tabId: current.tabId, afterSeq: current.count };
      const request = seal(this.crypto, tabSigner, body, this.clock.now());
      const list = await this.merchants.receipts(current, request).catch((error: unknown) => {
        throw fromMerchantFailure(error);
      });
      const caught = list.tabId === current.tabId
        ? await catchUpWith(this.crypto, current, chain, list.receipts, this.clock.now())
        : ({ ok: false, reason: 'the receipts are about another tab' } as const);
      if (!caught.ok) throw new AgentError('merchant_refused', `The merchant's receipts for this tab cannot be trusted: ${caught.reason}.`);
      if (caught.purchases.length > 0) await this.book.recordPurchases(caught.tab, await this.withTitles(current, caught.purchases));
      current = caught.tab;
      if (!list.more || caught.purchases.length === 0) return current;
    }
    return current;
  }

  private async buyNext(tab: OpenTab, itemId: string, price: WireAmount): Promise<SendOutcome> {
    const { chain } = await this.keyring.secretsOf(tab);
    const plan = planPurchase(tab, chain, itemId, price, newMessageId(this.crypto));
    if (!plan.ok) {
      if (plan.problem === 'exhausted') return { kind: 'exhausted', tab };
      if (plan.problem === 'not_whole_units') return { kind: 'wrong-unit', tab };
      throw new AgentError('invalid_request', `The price ${price.value} ${price.currency} cannot be paid at this merchant (${plan.problem}).`);
    }
    const pending = { ...tab, pendingPurchase: plan.purchase };
    return this.send(pending, plan.purchase, this.book.save(pending));
  }

  /** `stored`: the write of the pending purchase, settled before anything else is written about this tab. */
  private async send(tab: OpenTab, purchase: Purchase, stored: Promise<void>): Promise<SendOutcome> {
    // A failed write of the pending purchase is not the click's failure: the receipt's write
    // below replaces it, and the merchant's receipts stand in for it should that fail too.
    const pendingWritten = stored.catch(() => undefined);
    // The item's title for the purchase record, from the certified merchant agent's catalogue:
    // known already in a worker that opened or used this tab, otherwise read beside the purchase,
    // so the page's answer never waits for it (only the record written after the answer does).
    const title = this.merchants.itemTitle(tab.merchantCertificate.payload, purchase.itemId);
    let receipt: Receipt;
    try {
      receipt = await this.merchants.purchase(tab, purchase);
    } catch (error) {
      await pendingWritten;
      // Unanswered: it may have arrived, so it stays pending and is re-sent as it is.
      if (isUnreachable(error)) throw fromMerchantFailure(error);
      const cleared = { ...tab, pendingPurchase: null };
      await this.book.save(cleared);
      const code = refusalCodeOf(error);
      if (code === 'deposit_exhausted') return { kind: 'exhausted', tab: cleared };
      if (code === 'sequence_mismatch') return { kind: 'merchant-ahead', tab: cleared };
      const stopped = code === null ? undefined : STOPPED_CODES[code];
      if (stopped) return { kind: 'tab-stopped', tab: cleared, reason: stopped };
      throw fromMerchantFailure(error);
    }
    await pendingWritten;
    const check = await checkReceipt(this.crypto, receipt, tab, purchase);
    if (!check.ok) {
      // The merchant answered, so it has the link; keep the purchase pending rather than pretend it was not paid.
      throw new AgentError('merchant_refused', `The merchant's receipt cannot be trusted: ${check.reason}.`);
    }
    const paid = afterPurchase(tab, purchase);
    const at_ms = this.clock.now();
    const recorded = title.then((itemTitle) => this.book.recordPurchases(paid, [storedPurchaseOf(tab, purchase, receipt, at_ms, itemTitle)]));
    return { kind: 'paid', receipt, tab: paid, recorded };
  }

  /** Purchases learnt from the merchant's receipts, with their titles from its catalogue. */
  private withTitles(tab: OpenTab, purchases: readonly StoredPurchase[]): Promise<StoredPurchase[]> {
    const certificate = tab.merchantCertificate.payload;
    return Promise.all(
      purchases.map(async (purchase) => {
        const title = await this.merchants.itemTitle(certificate, purchase.itemId);
        return title === null ? purchase : { ...purchase, title };
      }),
    );
  }
}
