// Stops a tab: Terminate (signed by the tab key) to the merchant agent, then the customer record
// (signed by the tab key) to the own operator through the outbox. The record is built from what
// the customer agent itself paid, whatever the merchant answers: the purchases it holds a receipt
// for, and the tab they were recorded with.
//
// A purchase still in doubt is settled first: re-sent (the merchant answers with its stored receipt
// or a definite refusal), and failing that, the merchant is asked to stop the tab and then for
// the receipts it has (a receipt, checked against the link the wallet revealed, proves what it
// accepted; a stopped tab takes nothing more). What stays in doubt, with the merchant out of
// reach throughout, is not counted: the record states only what the customer can prove.

import type { CryptoProvider } from '@opentab/protocol';
import { seal } from '@opentab/protocol';
import type { StopReason } from '@opentab/protocol';
import type { Clock } from '../ports';
import { customerRecordBody, terminateBody } from './conclusion';
import type { MerchantAgentClient } from './merchant-agent';
import type { Purchaser } from './purchaser';
import type { RecordOutbox } from './record-outbox';
import type { TabBook } from './tab-book';
import type { TabKeyring } from './tab-keyring';
import type { ClosedTab, OpenTab } from './tab-record';

export class TabCloser {
  constructor(
    private readonly book: TabBook,
    private readonly keyring: TabKeyring,
    private readonly purchaser: Purchaser,
    private readonly merchants: MerchantAgentClient,
    private readonly outbox: RecordOutbox,
    private readonly crypto: CryptoProvider,
    private readonly clock: Clock,
  ) {}

  async close(tab: OpenTab, reason: StopReason): Promise<ClosedTab> {
    let current = tab;
    if (current.pendingPurchase) {
      const settled = await this.purchaser.settlePending(current).catch(() => null);
      current = settled?.tab ?? current;
    }
    const secrets = await this.keyring.secretsOf(current);
    const { tabSigner } = secrets;
    let merchantCount: number | null = null;
    // The customer ends it, or a purchase is still in doubt: once the merchant has stopped the tab
    // it takes nothing more, and its count says whether it took that purchase.
    if (reason === 'customer-terminate' || reason === 'exhausted' || current.pendingPurchase) {
      // Best effort: a merchant that is down or already stopped the tab still gets the tab cleared by the MTA.
      const closedByMerchant = await this.merchants
        .terminate(current, seal(this.crypto, tabSigner, terminateBody(current), this.clock.now_ms()))
        .catch(() => null);
      merchantCount = closedByMerchant?.payload.count ?? null;
    }
    if (merchantCount === null || merchantCount > current.count) {
      // The merchant may hold a purchase whose answer was lost, or whose pending write the browser
      // never finished (purchaser.ts): the record states it too, with its receipt in the history.
      // Best effort, as the terminate.
      await this.purchaser.catchUp(current).catch(() => undefined);
    }
    // The tab as last recorded, with exactly the purchases recorded with it (each batch holds
    // both): never a count or chain index that the purchase list does not bear out.
    const recorded = await this.book.get(current.localId);
    if (recorded?.phase === 'open') current = recorded;
    const purchases = await this.book.purchasesOf(current.localId);
    const record = seal(
      this.crypto,
      tabSigner,
      customerRecordBody(this.crypto, current, purchases, secrets),
      this.clock.now_ms(),
    );
    await this.outbox.enqueue(current.localId, current.transactionId, record);
    const closed: ClosedTab = {
      ...current,
      phase: 'closed',
      pendingPurchase: null,
      stopReason: reason,
      closedAt_ms: this.clock.now_ms(),
    };
    await this.book.save(closed);
    this.keyring.forget(current.localId);
    await this.outbox.deliver(current.localId);
    return closed;
  }
}
