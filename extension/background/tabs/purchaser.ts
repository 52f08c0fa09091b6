// One purchase at an open tab. The purchase is stored as pending before it is sent, so a worker
// stopped mid-request re-sends the very same message (the merchant is idempotent on its id)
// instead of revealing a second link for the same click.
//
// Once the receipt checks out the purchase is paid, and the caller can answer the page: the
// receipt and the tab after it are written in one transaction that the caller awaits only before
// the next purchase at this tab (`recorded`). Should the worker stop before that write, the
// purchase is still pending in the database, and is re-sent and recorded before anything else.
import type { CryptoProvider } from '../../../protocol/crypto/provider';
import { newMessageId } from '../../../protocol/ids';
import type { Purchase, Receipt } from '../../../protocol/messages/merchant';
import type { WireAmount } from '../../../protocol/money/amount';
import { AgentError } from '../errors';
import type { Clock } from '../ports';
import { fromMerchantFailure, isUnreachable, refusalCode } from '../wallet/remote-errors';
import type { MerchantAgentClient } from './merchant-agent';
import { afterPurchase, checkReceipt, planPurchase } from './purchase';
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
    let current = settled.tab;
    const { chain } = await this.keyring.secretsOf(current);
    const plan = planPurchase(current, chain, itemId, price, newMessageId(this.crypto));
    if (!plan.ok) {
      if (plan.problem === 'exhausted') return { kind: 'exhausted', tab: current };
      if (plan.problem === 'not_whole_units') return { kind: 'wrong-unit', tab: current };
      throw new AgentError('invalid_request', `The price ${price.value} ${price.currency} cannot be paid at this merchant (${plan.problem}).`);
    }
    current = { ...current, pendingPurchase: plan.purchase };
    await this.book.save(current);
    return this.send(current, plan.purchase);
  }

  /** Finishes a purchase left in flight by an earlier click (or an earlier worker). */
  async settlePending(tab: OpenTab): Promise<PurchaseOutcome | { kind: 'settled'; tab: OpenTab }> {
    if (!tab.pendingPurchase) return { kind: 'settled', tab };
    const outcome = await this.send(tab, tab.pendingPurchase);
    if (outcome.kind === 'paid') await outcome.recorded;
    // Paid or refused as too dear, the earlier click is settled either way; a stopped tab is not.
    return outcome.kind === 'tab-stopped' ? outcome : { kind: 'settled', tab: outcome.tab };
  }

  private async send(tab: OpenTab, purchase: Purchase): Promise<PurchaseOutcome> {
    let receipt: Receipt;
    try {
      receipt = await this.merchants.purchase(tab, purchase);
    } catch (error) {
      // Unanswered: it may have arrived, so it stays pending and is re-sent as it is.
      if (isUnreachable(error)) throw fromMerchantFailure(error);
      const cleared = { ...tab, pendingPurchase: null };
      await this.book.save(cleared);
      const code = refusalCode(error);
      if (code === 'deposit_exhausted') return { kind: 'exhausted', tab: cleared };
      const stopped = code === null ? undefined : STOPPED_CODES[code];
      if (stopped) return { kind: 'tab-stopped', tab: cleared, reason: stopped };
      throw fromMerchantFailure(error);
    }
    const check = await checkReceipt(this.crypto, receipt, tab, purchase);
    if (!check.ok) {
      // The merchant answered, so it has the link; keep the purchase pending rather than pretend it was not paid.
      throw new AgentError('merchant_refused', `The merchant's receipt cannot be trusted: ${check.reason}.`);
    }
    const paid = afterPurchase(tab, purchase);
    const recorded = this.book.recordPurchase(paid, {
      localTabId: tab.localId,
      transactionId: tab.transactionId,
      tabId: tab.tabId,
      merchantDisplayName: tab.merchantDisplayName,
      seq: purchase.seq,
      itemId: purchase.itemId,
      price: purchase.price,
      chainIndex: purchase.chainIndex,
      receipt,
      at_ms: this.clock.now(),
    });
    return { kind: 'paid', receipt, tab: paid, recorded };
  }
}
