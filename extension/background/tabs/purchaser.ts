// One purchase at an open tab. The purchase is sent while it is being stored as pending: waiting
// for that write (an IndexedDB commit, ~1 ms during a click) before sending would add it to every
// click. Storing it matters for the next click, not this one: the request and the write both
// finish before the page is answered. A browser that stops after sending and before the write
// leaves the merchant one purchase ahead of the wallet; the merchant then refuses the next
// purchase's sequence number, and the wallet fetches the receipts it lacks (`catchUp`, checked in
// catch-up.ts) before paying again.
//
// A purchase that got no definite answer (the merchant unreachable, its answer lost) is in doubt:
// it stays pending, the same purchase id, sequence number and chain link, and is re-sent as it
// is until the merchant answers (it answers a replay with its stored receipt), never replaced by
// a second purchase. A click on its item continues it and gets its outcome; anything else that
// settles it (a click on another item, the background retry, closing the tab) owes its receipt
// to the page that asked (owed-receipts.ts).
//
// Once the receipt checks out the purchase is paid, and the caller can answer the page: the
// receipt and the tab after it are written in one transaction that the caller awaits only before
// the next purchase at this tab (`recorded`). Should the worker stop before that write, the
// purchase is still pending in the database, and is re-sent and recorded before anything else.
import type { CryptoProvider } from '@opentab/protocol';
import { seal, type PayloadBody } from '@opentab/protocol';
import { newMessageId } from '@opentab/protocol';
import { MAX_RECEIPTS_PER_ANSWER, type Purchase, type Receipt, type ReceiptsRequestPayload } from '@opentab/protocol';
import type { ParsedAmount } from '@opentab/protocol';
import { AgentError, earlierPurchasePending } from '../errors';
import type { Clock } from '../ports';
import { fromMerchantFailure, merchantRefusalCode } from '../wallet/remote-errors';
import { catchUpWith } from './catch-up';
import type { MerchantAgentClient } from './merchant-agent';
import type { OwedReceipts } from './owed-receipts';
import { afterPurchase, checkReceipt, planPurchase } from './purchase';
import { storedPurchaseOf, type StoredPurchase } from './purchase-record';
import type { TabBook } from './tab-book';
import type { TabKeyring } from './tab-keyring';
import { chainUnitOf, spentMinor, type OpenTab } from './tab-record';

export type PurchaseOutcome =
  /** `recorded` settles once receipt and tab are stored; it rejects if they could not be. */
  | { readonly kind: 'paid'; readonly receipt: Receipt; readonly tab: OpenTab; readonly recorded: Promise<void> }
  /** Sent, and no definite answer came: it stays pending (`tab.pendingPurchase`) and is re-sent as it is until one does. */
  | { readonly kind: 'in-doubt'; readonly tab: OpenTab }
  /** The deposit cannot cover this price: a new transaction is needed. */
  | { readonly kind: 'exhausted'; readonly tab: OpenTab }
  /** The price is not a whole number of the tab's chain units, so the merchant would refuse it: not sent; a
   * new transaction is needed. */
  | { readonly kind: 'wrong-unit'; readonly tab: OpenTab }
  /** The merchant no longer trades on this tab (expired, stopped by the merchant). */
  | { readonly kind: 'tab-stopped'; readonly tab: OpenTab; readonly reason: 'timeout' | 'merchant-stop' };

/** A pending purchase after an attempt to settle it for anyone but the page that asked for it. */
export type Settlement =
  /** Nothing is pending any more: paid (recorded, its receipt owed to its page) or refused by the merchant. */
  { readonly kind: 'settled'; readonly tab: OpenTab } | Extract<PurchaseOutcome, { kind: 'in-doubt' | 'tab-stopped' }>;

/** The pending purchase continued for the page that asked for its item: its outcome, or `not-taken` when the merchant refused it. */
export type Continuation = PurchaseOutcome | { readonly kind: 'not-taken'; readonly tab: OpenTab };

/** What sending a purchase once came to. */
type Answer =
  | { readonly kind: 'paid'; readonly receipt: Receipt; readonly title: Promise<string | null> }
  | Extract<PurchaseOutcome, { kind: 'in-doubt' | 'exhausted' | 'tab-stopped' }>
  /** The merchant has a purchase at this sequence number that the wallet does not: catch up. */
  | { readonly kind: 'merchant-ahead'; readonly tab: OpenTab }
  /** Refused for a reason no new transaction cures (a price the catalogue no longer has, say). */
  | { readonly kind: 'refused'; readonly tab: OpenTab; readonly error: AgentError };

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
    private readonly owed: OwedReceipts,
    private readonly crypto: CryptoProvider,
    private readonly clock: Clock,
  ) {}

  /**
   * The click's purchase of `itemId`. A purchase of the same item still pending is this click's
   * purchase: it is continued, not bought again. One of another item is settled first, as the
   * next sequence number depends on it; while it stays in doubt nothing else is bought here.
   */
  async buy(tab: OpenTab, itemId: string, price: ParsedAmount): Promise<PurchaseOutcome> {
    let current = tab;
    if (tab.pendingPurchase?.itemId === itemId) {
      const continued = await this.continuePending(tab);
      if (continued.kind !== 'not-taken') return continued;
      current = continued.tab;
    } else if (tab.pendingPurchase) {
      const settled = await this.settlePending(tab);
      if (settled.kind === 'in-doubt') throw earlierPurchasePending();
      if (settled.kind === 'tab-stopped') return settled;
      current = settled.tab;
    }
    const outcome = await this.buyNext(current, itemId, price);
    if (outcome.kind !== 'merchant-ahead') return outcome;
    // Once: caught up, the wallet and the merchant agree on the next sequence number.
    const again = await this.buyNext(await this.catchUp(outcome.tab), itemId, price);
    if (again.kind === 'merchant-ahead')
      throw new AgentError(
        'merchant_refused',
        'The merchant refuses the next purchase of this tab even after returning its receipts.',
      );
    return again;
  }

  /** Whether `tab` can pay `price` at all: its currency, a whole number of its chain units, within its deposit. */
  canTake(tab: OpenTab, price: ParsedAmount): boolean {
    const unit = chainUnitOf(tab);
    return (
      price.wire.currency === tab.rate.merchant.currency &&
      price.minor % unit === 0n &&
      BigInt(tab.chainIndex) + price.minor / unit <= BigInt(tab.chainLength) &&
      spentMinor(tab) + price.minor <= tab.depositMerchant_minor
    );
  }

  /**
   * A purchase carried inside another message rather than sent on its own: a delivery's accept
   * (delivery/), which alone makes the product payable. `carry` sends it and answers the
   * merchant's receipt. It is never stored as the tab's pending purchase, so nothing ever re-sends
   * it as a plain purchase (which would pay without the accept): the delivery keeps its accept and
   * sends that again. Should the merchant have taken it unseen, the next purchase here meets a
   * sequence number it already has, and the receipts it lacks are fetched (catchUp).
   */
  async buyCarried(
    tab: OpenTab,
    itemId: string,
    price: ParsedAmount,
    carry: (purchase: Purchase) => Promise<Receipt>,
  ): Promise<PurchaseOutcome> {
    let current = tab;
    if (tab.pendingPurchase) {
      const settled = await this.settlePending(tab);
      if (settled.kind === 'in-doubt') throw earlierPurchasePending();
      if (settled.kind === 'tab-stopped') return settled;
      current = settled.tab;
    }
    const outcome = await this.buyNext(current, itemId, price, carry);
    if (outcome.kind !== 'merchant-ahead') return outcome;
    const again = await this.buyNext(await this.catchUp(outcome.tab), itemId, price, carry);
    if (again.kind === 'merchant-ahead')
      throw new AgentError(
        'merchant_refused',
        'The merchant refuses the next purchase of this tab even after returning its receipts.',
      );
    return again;
  }

  /**
   * A carried purchase sent again, unchanged, inside the same message (its first sending got no
   * answer), and its receipt: recorded unless catchUp already recorded it from the merchant's receipts.
   */
  async settleCarried(tab: OpenTab, purchase: Purchase, receipt: Receipt): Promise<void> {
    const check = await checkReceipt(this.crypto, receipt, tab, purchase);
    if (!check.ok)
      throw new AgentError('merchant_refused', `The merchant's receipt cannot be trusted: ${check.reason}.`);
    if (tab.count + 1 !== purchase.seq) return;
    await this.paid(tab, purchase, {
      kind: 'paid',
      receipt,
      title: this.merchants.itemTitle(tab.merchantCertificate.payload, purchase.itemId),
    }).recorded;
  }

  /** Re-sends the pending purchase for the page asking for its item, which is handed the outcome (and the
   * receipt) itself. */
  async continuePending(tab: OpenTab): Promise<Continuation> {
    const purchase = tab.pendingPurchase;
    if (!purchase) return { kind: 'not-taken', tab };
    const answer = await this.send(tab, purchase, Promise.resolve());
    switch (answer.kind) {
      case 'paid':
        return this.paid(tab, purchase, answer);
      case 'merchant-ahead':
        return { kind: 'not-taken', tab: await this.catchUp(answer.tab) };
      case 'refused':
        return { kind: 'not-taken', tab: answer.tab };
      default:
        return answer;
    }
  }

  /**
   * Finishes a purchase left in flight by an earlier click (or an earlier worker) for anyone but
   * the page that asked for it: paid, its receipt is owed to that page before it is recorded.
   */
  async settlePending(tab: OpenTab): Promise<Settlement> {
    const purchase = tab.pendingPurchase;
    if (!purchase) return { kind: 'settled', tab };
    const answer = await this.send(tab, purchase, Promise.resolve());
    switch (answer.kind) {
      case 'paid': {
        await this.owed.owe(tab, [answer.receipt]);
        const paid = this.paid(tab, purchase, answer);
        await paid.recorded;
        return { kind: 'settled', tab: paid.tab };
      }
      case 'merchant-ahead':
        return { kind: 'settled', tab: await this.catchUp(answer.tab) };
      // Refused, as too dear or otherwise: the earlier click is settled, nothing was paid.
      case 'exhausted':
      case 'refused':
        return { kind: 'settled', tab: answer.tab };
      default:
        return answer;
    }
  }

  /**
   * Records the purchases the merchant has beyond `tab.count`, each proven by the link it revealed
   * (catch-up.ts), and returns the tab after them; their receipts are owed to the page, which never
   * had them. Refuses a merchant whose account cannot be believed.
   */
  async catchUp(tab: OpenTab): Promise<OpenTab> {
    const secrets = await this.keyring.secretsOf(tab);
    let current = tab;
    // Every page but the last brings MAX_RECEIPTS_PER_ANSWER purchases, and the chain bounds them.
    const maxPages = Math.ceil(tab.chainLength / MAX_RECEIPTS_PER_ANSWER) + 1;
    for (let page = 0; page < maxPages; page++) {
      const body: PayloadBody<ReceiptsRequestPayload> = {
        type: 'receipts-request',
        tabId: current.tabId,
        afterSeq: current.count,
      };
      const request = seal(this.crypto, secrets.tabSigner, body, this.clock.now_ms());
      const list = await this.merchants.receipts(current, request).catch((error: unknown) => {
        throw fromMerchantFailure(error);
      });
      const caught =
        list.tabId === current.tabId
          ? await catchUpWith(this.crypto, current, secrets, list.receipts, this.clock.now_ms())
          : ({ ok: false, reason: 'the receipts are about another tab' } as const);
      if (!caught.ok)
        throw new AgentError(
          'merchant_refused',
          `The merchant's receipts for this tab cannot be trusted: ${caught.reason}.`,
        );
      if (caught.purchases.length > 0) {
        await this.owed.owe(
          current,
          caught.purchases.map((purchase) => purchase.receipt),
        );
        await this.book.recordPurchases(caught.tab, await this.withTitles(current, caught.purchases));
      }
      current = caught.tab;
      if (!list.more || caught.purchases.length === 0) return current;
    }
    return current;
  }

  private async buyNext(
    tab: OpenTab,
    itemId: string,
    price: ParsedAmount,
    carry?: (purchase: Purchase) => Promise<Receipt>,
  ): Promise<PurchaseOutcome | { kind: 'merchant-ahead'; tab: OpenTab }> {
    const plan = planPurchase(tab, await this.keyring.secretsOf(tab), itemId, price, newMessageId(this.crypto));
    if (!plan.ok) {
      if (plan.problem === 'exhausted') return { kind: 'exhausted', tab };
      if (plan.problem === 'not_whole_units') return { kind: 'wrong-unit', tab };
      throw new AgentError(
        'invalid_request',
        `The price ${price.wire.value} ${price.wire.currency} cannot be paid at this merchant (${plan.problem}).`,
      );
    }
    if (carry) {
      const answer = await this.send(tab, plan.purchase, Promise.resolve(), carry);
      if (answer.kind === 'paid') return this.paid(tab, plan.purchase, answer);
      if (answer.kind === 'refused') throw answer.error;
      return answer;
    }
    const pending = { ...tab, pendingPurchase: plan.purchase, pendingSince_ms: this.clock.now_ms() };
    const answer = await this.send(pending, plan.purchase, this.book.save(pending));
    if (answer.kind === 'paid') return this.paid(pending, plan.purchase, answer);
    if (answer.kind === 'refused') throw answer.error;
    return answer;
  }

  /** `stored`: the write of the pending purchase, settled before anything else is written about this tab. */
  private async send(
    tab: OpenTab,
    purchase: Purchase,
    stored: Promise<void>,
    carry: (purchase: Purchase) => Promise<Receipt> = (sent) => this.merchants.purchase(tab, sent),
  ): Promise<Answer> {
    // A failed write of the pending purchase is not the click's failure: the receipt's write
    // replaces it, and the merchant's receipts stand in for it should that fail too.
    const pendingWritten = stored.catch(() => undefined);
    // The item's title for the purchase record, from the certified merchant agent's catalogue:
    // known already in a worker that opened or used this tab, otherwise read beside the purchase,
    // so the page's answer never waits for it (only the record written after the answer does).
    const title = this.merchants.itemTitle(tab.merchantCertificate.payload, purchase.itemId);
    let receipt: Receipt;
    try {
      receipt = await carry(purchase);
    } catch (error) {
      await pendingWritten;
      const code = merchantRefusalCode(error);
      // No answer about it: it may have been taken, so it stays pending and is re-sent as it is.
      if (code === null) return { kind: 'in-doubt', tab };
      const cleared = { ...tab, pendingPurchase: null };
      await this.book.save(cleared);
      if (code === 'deposit_exhausted') return { kind: 'exhausted', tab: cleared };
      if (code === 'sequence_mismatch') return { kind: 'merchant-ahead', tab: cleared };
      const stopped = STOPPED_CODES[code];
      if (stopped) return { kind: 'tab-stopped', tab: cleared, reason: stopped };
      return { kind: 'refused', tab: cleared, error: fromMerchantFailure(error) };
    }
    await pendingWritten;
    const check = await checkReceipt(this.crypto, receipt, tab, purchase);
    if (!check.ok) {
      // The merchant answered, so it has the link; keep the purchase pending rather than pretend it was not paid.
      throw new AgentError('merchant_refused', `The merchant's receipt cannot be trusted: ${check.reason}.`);
    }
    return { kind: 'paid', receipt, title };
  }

  /** The tab after `purchase`, paid with `receipt` at `tab`; the receipt and that tab are being stored (`recorded`). */
  private paid(
    tab: OpenTab,
    purchase: Purchase,
    { receipt, title }: Extract<Answer, { kind: 'paid' }>,
  ): Extract<PurchaseOutcome, { kind: 'paid' }> {
    const after = afterPurchase(tab, purchase);
    const at_ms = this.clock.now_ms();
    const recorded = title.then((itemTitle) =>
      this.book.recordPurchases(after, [storedPurchaseOf(tab, purchase, receipt, at_ms, itemTitle)]),
    );
    return { kind: 'paid', receipt, tab: after, recorded };
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
