// What the page bridge and the popup ask of tabs: pay (opening a new transaction when there is
// no open tab, its deposit is used up, or it cannot take the price), tab status, and closing.
// One merchant's calls run one at a time (KeyedLock), so a double click cannot open two tabs.
//
// A purchase the merchant has not answered is answered `payment_pending` and stays in doubt
// (purchaser.ts): re-sent by the next pay or paymentStatus for its item, and by background rounds
// (retryInDoubt), until the merchant answers. A receipt that came after its page was told
// "pending" is owed to it (owed-receipts.ts): the next pay or paymentStatus for the item gets it.
//
// A paid purchase is answered as soon as its receipt checks out. Storing the receipt with the
// tab, and the badge, finish afterwards while the merchant's lock is still held, so the next
// call at this merchant starts from the stored tab.

import type { BridgeResult, Purchase, Receipt } from '@opentab/protocol';
import type { StopReason } from '@opentab/protocol';
import type { ParsedAmount } from '@opentab/protocol';
import { merchantKey, type MerchantRef } from '../../messaging/views';
import { badgeText } from '../badge/badge-text';
import { MerchantBadges } from '../badge/merchant-badges';
import type { EntitlementBook } from '../entitlements/entitlement-book';
import { AgentError, paymentPending } from '../errors';
import type { RulesService } from '../limits/rules-service';
import { isBlocked } from '../limits/spending-rules';
import type { BadgePort, Clock } from '../ports';
import { KeyedLock, type Answered } from '@opentab/protocol';
import type { InDoubtRetry } from './in-doubt-retry';
import { certificateInForce, originAllowed } from './merchant-check';
import type { OwedReceipts } from './owed-receipts';
import type { PurchaseOutcome, Purchaser } from './purchaser';
import type { TabBook } from './tab-book';
import type { TabCloser } from './tab-closer';
import type { TabExpiryAlarm } from './tab-expiry-alarm';
import type { OpeningRequest, TabOpener } from './tab-opener';
import { isExpired, type OpenTab } from './tab-record';
import { remainingCustomerMinor, tabStatusOf } from './tab-views';

/** Who is calling: the page origin and browser tab as the browser reported them, never as the page claimed. */
export interface PageCaller {
  readonly origin: string;
  readonly browserTabId: number | null;
}

export interface PayRequest extends MerchantRef {
  readonly itemId: string;
  /** Read once where the page's call enters (page-handler.ts); no later step parses it again. */
  readonly price: ParsedAmount;
}

export interface PaymentStatusRequest extends MerchantRef {
  readonly itemId: string;
}

/** A purchase a page can be answered: paid, or in doubt. */
type Answerable = Extract<PurchaseOutcome, { kind: 'paid' | 'in-doubt' }>;

export class TabService {
  private readonly locks = new KeyedLock();
  private readonly badges: MerchantBadges;

  constructor(
    private readonly book: TabBook,
    private readonly opener: TabOpener,
    private readonly purchaser: Purchaser,
    private readonly closer: TabCloser,
    private readonly expiry: TabExpiryAlarm,
    private readonly owed: OwedReceipts,
    private readonly retry: InDoubtRetry,
    private readonly rules: RulesService,
    badge: BadgePort,
    private readonly clock: Clock,
    private readonly entitlements: EntitlementBook,
  ) {
    this.badges = new MerchantBadges(badge);
  }

  pay(caller: PageCaller, request: PayRequest): Promise<BridgeResult<'pay'>> {
    const merchant = { merchantId: request.merchantId, operatorId: request.operatorId };
    return this.locks.runAnswering(merchantKey(merchant), async () => {
      // Paid after this page (or an earlier one) was told it was pending: its receipt, not a second purchase.
      const owed = await this.owed.take(merchant, request.itemId, caller.origin);
      if (owed) return { answer: { kind: 'paid', receipt: owed } };
      // Bought before and still open to the buyer: answered with its token, nothing charged.
      const owned = await this.entitlements.heldFor(caller.origin, merchant, request.itemId);
      if (owned) return { answer: { kind: 'owned', ...owned } };
      await this.refuseBlocked(merchant);
      const { price } = request;
      const tab = await this.usableTab(merchant, caller.origin);
      let replacing: OpeningRequest['replacing'];
      if (tab) {
        const outcome = await this.purchaser.buy(tab, request.itemId, price);
        if (outcome.kind === 'paid' || outcome.kind === 'in-doubt') return this.answered(caller, outcome);
        // Stopped: finished now. Used up or unable to take this price: still good for cheaper items, so
        // finished only once the customer agrees to a new transaction (under the same rules as the first).
        const retire = async () => void (await this.closer.close(outcome.tab, stopReasonOf(outcome)));
        if (outcome.kind === 'tab-stopped') await retire();
        else replacing = { tab: outcome.tab, retire };
      }
      const opened = await this.opener.open({
        merchant,
        pageOrigin: caller.origin,
        itemId: request.itemId,
        firstPrice: price,
        ...(replacing ? { replacing } : {}),
      });
      await this.expiry.reschedule();
      const outcome = await this.purchaser.buy(opened, request.itemId, price);
      if (outcome.kind !== 'paid' && outcome.kind !== 'in-doubt') {
        throw new AgentError('merchant_refused', 'The merchant refused the first purchase on a tab opened for it.');
      }
      return this.answered(caller, outcome);
    });
  }

  /**
   * The open tab a delivery is ordered on (its order is signed by the tab key, its accept pays
   * from it): the one open here if it can take `price`, else a new one, opened as for a payment
   * (the customer asked unless a rule allows it). Buys nothing.
   */
  tabForDelivery(
    caller: PageCaller,
    request: PayRequest,
    describe: NonNullable<OpeningRequest['describe']>,
  ): Promise<OpenTab> {
    const merchant = { merchantId: request.merchantId, operatorId: request.operatorId };
    return this.locks.run(merchantKey(merchant), async () => {
      await this.refuseBlocked(merchant);
      const tab = await this.usableTab(merchant, caller.origin);
      if (tab && this.purchaser.canTake(tab, request.price)) return tab;
      const opened = await this.opener.open({
        merchant,
        pageOrigin: caller.origin,
        itemId: request.itemId,
        firstPrice: request.price,
        describe,
        ...(tab ? { replacing: { tab, retire: async () => void (await this.closer.close(tab, 'exhausted')) } } : {}),
      });
      await this.expiry.reschedule();
      return opened;
    });
  }

  /**
   * Pays `itemId` from the open tab `localId` with a purchase that `carry` sends inside another
   * message (a delivery's accept), and records it; the receipt once it checks out.
   */
  payCarried(
    localId: string,
    itemId: string,
    price: ParsedAmount,
    carry: (purchase: Purchase) => Promise<Receipt>,
  ): Promise<Receipt> {
    return this.lockedOpenTab(localId, async (tab) => {
      const outcome = await this.purchaser.buyCarried(tab, itemId, price, carry);
      if (outcome.kind === 'paid') {
        await outcome.recorded;
        return outcome.receipt;
      }
      if (outcome.kind === 'in-doubt') throw paymentPending();
      throw new AgentError('merchant_refused', 'This tab cannot pay the product any more; order it again.');
    });
  }

  /** Records a carried purchase sent again and answered (`payCarried`'s in doubt), unless it is recorded already. */
  settleCarried(localId: string, purchase: Purchase, receipt: Receipt): Promise<void> {
    return this.lockedOpenTab(localId, (tab) => this.purchaser.settleCarried(tab, purchase, receipt));
  }

  private async lockedOpenTab<T>(localId: string, work: (tab: OpenTab) => Promise<T>): Promise<T> {
    const found = await this.book.get(localId);
    if (!found) throw new AgentError('not_found', 'There is no such tab.');
    return this.locks.run(merchantKey(found.merchant), async () => {
      const tab = await this.book.get(localId);
      if (tab?.phase !== 'open' || isExpired(tab, this.clock.now_ms()))
        throw new AgentError('merchant_refused', 'The tab this product was ordered on is closed; order it again.');
      return work(tab);
    });
  }

  /**
   * What became of the item's payment a page was told was pending: its receipt once paid (handed
   * over once), `pending` while the merchant still has not answered (asking re-sends it), `none`
   * when nothing is pending or owed for the item (the merchant refused it). Never buys anything.
   */
  paymentStatus(caller: PageCaller, request: PaymentStatusRequest): Promise<BridgeResult<'paymentStatus'>> {
    const merchant = { merchantId: request.merchantId, operatorId: request.operatorId };
    return this.locks.runAnswering(
      merchantKey(merchant),
      async (): Promise<Answered<BridgeResult<'paymentStatus'>>> => {
        const owed = await this.owed.take(merchant, request.itemId, caller.origin);
        if (owed) return { answer: { status: 'paid', receipt: owed } };
        const tab = await this.book.activeAt(merchant);
        const pending =
          tab?.phase === 'open' &&
          tab.pendingPurchase?.itemId === request.itemId &&
          originAllowed(tab.merchantCertificate.payload, caller.origin);
        if (!pending) return { answer: { status: 'none' } };
        const outcome = await this.purchaser.continuePending(tab);
        if (outcome.kind === 'paid')
          return { answer: { status: 'paid', receipt: outcome.receipt }, aftermath: outcome.recorded };
        return { answer: { status: outcome.kind === 'in-doubt' ? 'pending' : 'none' } };
      },
    );
  }

  /**
   * One background round: re-sends every purchase still in doubt, and schedules the next round
   * while any is left. Returns how many are.
   */
  async retryInDoubt(): Promise<number> {
    let inDoubt = 0;
    for (const tab of await this.book.active()) {
      if (tab.phase !== 'open' || !tab.pendingPurchase) continue;
      const settled = await this.locks
        .run(merchantKey(tab.merchant), () => this.settleInDoubt(tab.localId))
        .catch(() => false);
      if (!settled) inDoubt++;
    }
    await this.retry.roundDone(inDoubt);
    return inDoubt;
  }

  tabStatus(caller: PageCaller, merchant: MerchantRef): Promise<BridgeResult<'tabStatus'>> {
    return this.locks.run(merchantKey(merchant), async () => {
      const tab = await this.book.activeAt(merchant);
      // A page learns about a tab only on an origin the merchant certificate lists.
      const visible =
        tab?.phase === 'open' &&
        originAllowed(tab.merchantCertificate.payload, caller.origin) &&
        !isExpired(tab, this.clock.now_ms());
      const open = visible ? (tab as OpenTab) : undefined;
      await this.showBadge(caller, merchant, open);
      return tabStatusOf(open);
    });
  }

  closeFromPage(caller: PageCaller, merchant: MerchantRef): Promise<BridgeResult<'closeTab'>> {
    return this.locks.run(merchantKey(merchant), async () => {
      const tab = await this.book.activeAt(merchant);
      if (tab?.phase !== 'open' || !originAllowed(tab.merchantCertificate.payload, caller.origin))
        return { closed: false };
      await this.closer.close(tab, 'customer-terminate');
      await this.badges.clear(merchantKey(merchant));
      await this.showBadge(caller, merchant, undefined);
      return { closed: true };
    });
  }

  async closeByTransactionId(transactionId: string): Promise<{ closed: boolean }> {
    const found = await this.book.byTransactionId(transactionId);
    if (!found) throw new AgentError('not_found', 'There is no such tab.');
    return this.locks.run(merchantKey(found.merchant), async () => {
      const tab = await this.book.get(found.localId);
      if (tab?.phase !== 'open') return { closed: false };
      await this.closer.close(tab, 'customer-terminate');
      await this.badges.clear(merchantKey(tab.merchant));
      return { closed: true };
    });
  }

  /**
   * Closes the open tab at `merchant`, if there is one: what blocking a merchant does to a tab the
   * customer no longer wants to pay, so its unspent deposit is released instead of held to the timeout.
   */
  async closeAt(merchant: MerchantRef): Promise<{ closed: boolean }> {
    // Looked at before taking the merchant's lock: "Decline and block" in the confirm window
    // arrives while a payment holds that lock waiting for the answer, and then there is no open
    // tab (a payment asks only to open one, after closing any it had), so nothing to wait for.
    if ((await this.book.activeAt(merchant))?.phase !== 'open') return { closed: false };
    return this.locks.run(merchantKey(merchant), async () => {
      const tab = await this.book.activeAt(merchant);
      if (tab?.phase !== 'open') return { closed: false };
      await this.closer.close(tab, 'customer-terminate');
      await this.badges.clear(merchantKey(merchant));
      return { closed: true };
    });
  }

  /** Sends the records of tabs whose timeout has passed (the merchant stops them on its side). */
  async closeExpired(): Promise<number> {
    let closed = 0;
    for (const tab of await this.book.active()) {
      if (tab.phase !== 'open' || !isExpired(tab, this.clock.now_ms())) continue;
      await this.locks.run(merchantKey(tab.merchant), async () => {
        const current = await this.book.get(tab.localId);
        if (current?.phase === 'open') await this.closer.close(current, 'timeout');
        await this.badges.clear(merchantKey(tab.merchant));
      });
      closed++;
    }
    await this.expiry.reschedule();
    return closed;
  }

  private async usableTab(merchant: MerchantRef, origin: string): Promise<OpenTab | undefined> {
    let tab = await this.book.activeAt(merchant);
    if (!tab) return undefined;
    if (!originAllowed(tab.merchantCertificate.payload, origin)) {
      throw new AgentError(
        'origin_not_allowed',
        `${tab.merchantDisplayName} does not take Opentab payments on ${origin}.`,
      );
    }
    // An initiation left unanswered by an earlier worker: re-send it (the AM answers it once).
    if (tab.phase === 'opening') {
      tab = await this.opener.complete(tab);
      await this.expiry.reschedule();
    }
    if (isExpired(tab, this.clock.now_ms())) {
      await this.closer.close(tab, 'timeout');
      return undefined;
    }
    // Nobody vouches for the merchant past its certificate's end: the tab is finished and the
    // purchase goes to a new one, under a current certificate. Only a tab opened under a
    // certificate shorter than the tab gets here; its operator should issue one that outlasts it.
    if (!certificateInForce(tab.merchantCertificate.payload, this.clock.now_ms())) {
      await this.closer.close(tab, 'customer-terminate');
      return undefined;
    }
    return tab;
  }

  private async refuseBlocked(merchant: MerchantRef): Promise<void> {
    if (isBlocked(await this.rules.get(), merchant)) {
      throw new AgentError(
        'blocked_merchant',
        'You have blocked this merchant; unblock it in the Opentab options to pay here.',
      );
    }
  }

  /** true once nothing is pending at the tab any more: paid (its receipt owed to the page) or refused. */
  private async settleInDoubt(localId: string): Promise<boolean> {
    const tab = await this.book.get(localId);
    if (tab?.phase !== 'open' || !tab.pendingPurchase) return true;
    const settled = await this.purchaser.settlePending(tab);
    if (settled.kind === 'in-doubt') return false;
    if (settled.kind === 'tab-stopped') {
      // As a click would: the merchant trades no more on it, so its record goes now. Best effort:
      // a locked wallet cannot sign it, and the expiry alarm or the next click closes it then.
      await this.closer.close(settled.tab, settled.reason).catch(() => undefined);
      await this.badges.clear(merchantKey(tab.merchant));
    }
    return true;
  }

  private async answered(caller: PageCaller, outcome: Answerable): Promise<Answered<BridgeResult<'pay'>>> {
    if (outcome.kind === 'in-doubt') {
      await this.retry.purchaseInDoubt();
      throw paymentPending();
    }
    // The badge is a courtesy: shown after the answer has left (its calls would queue ahead of
    // the answer in the browser process), and nothing waits for it.
    const recorded = outcome.recorded.finally(() => void this.showBadge(caller, outcome.tab.merchant, outcome.tab));
    return { answer: { kind: 'paid', receipt: outcome.receipt }, aftermath: recorded };
  }

  private async showBadge(caller: PageCaller, merchant: MerchantRef, tab: OpenTab | undefined): Promise<void> {
    if (caller.browserTabId === null) return;
    const text = tab ? badgeText(remainingCustomerMinor(tab), tab.customerCurrency) : '';
    await this.badges.show(merchantKey(merchant), caller.browserTabId, text);
  }
}

/** Why a tab that could not take a purchase is closed; a price the tab's unit cannot pay is the customer's
 * choice to stop, not a used-up deposit. */
function stopReasonOf(outcome: Exclude<PurchaseOutcome, Answerable>): StopReason {
  switch (outcome.kind) {
    case 'exhausted':
      return 'exhausted';
    case 'wrong-unit':
      return 'customer-terminate';
    case 'tab-stopped':
      return outcome.reason;
  }
}
