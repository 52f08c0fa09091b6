// Stops a tab: Terminate (signed by the tab key) to the merchant agent, then the customer record
// (signed by the tab key) to the own operator through the outbox. The record is built from what
// the customer agent itself paid, whatever the merchant answers.

import type { CryptoProvider } from '../../../protocol/crypto/provider';
import { seal } from '../../../protocol/envelope';
import type { StopReason } from '../../../protocol/messages/merchant';
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
      // Settle an unanswered purchase first, so the record states what the merchant saw.
      const settled = await this.purchaser.settlePending(current).catch(() => null);
      current = settled?.tab ?? current;
    }
    const { tabSigner, chain } = await this.keyring.secretsOf(current);
    let merchantCount: number | null = null;
    if (reason === 'customer-terminate' || reason === 'exhausted') {
      // Best effort: a merchant that is down or already stopped the tab still gets the tab cleared by the MTA.
      const closedByMerchant = await this.merchants.terminate(current, seal(this.crypto, tabSigner, terminateBody(current), this.clock.now())).catch(() => null);
      merchantCount = closedByMerchant?.payload.count ?? null;
    }
    if (merchantCount === null || merchantCount > current.count) {
      // The merchant may hold a purchase whose pending write the browser never finished (purchaser.ts):
      // the record states it too, with its receipt in the history. Best effort, as the terminate.
      current = await this.purchaser.catchUp(current).catch(() => current);
    }
    const purchases = await this.book.purchasesOf(current.localId);
    const record = seal(this.crypto, tabSigner, customerRecordBody(this.crypto, current, purchases, chain), this.clock.now());
    await this.outbox.enqueue(current.localId, current.transactionId, record);
    const closed: ClosedTab = { ...current, phase: 'closed', pendingPurchase: null, stopReason: reason, closedAt_ms: this.clock.now() };
    await this.book.save(closed);
    this.keyring.forget(current.localId);
    await this.outbox.deliver(current.localId);
    return closed;
  }
}
