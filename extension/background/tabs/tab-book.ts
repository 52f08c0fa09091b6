// The tabs and purchases in the database, looked up the ways the services need them.
//
// The active tabs (opening or open) are also kept in worker memory, loaded once per worker and
// written through: every click looks its tab up, and IndexedDB would hand back a copy of what
// this worker wrote itself a click earlier. Closed and failed tabs, which only the extension's
// pages list, are read from the database. Only this worker writes the tabs, so the copy cannot
// go stale except through a failed write, after which it is dropped and read again.

import type { MerchantRef } from '../../messaging/views';
import { purchaseKey, purchasePrefix, type AgentDatabase } from '../storage/database';
import { sameMerchant } from '../../messaging/views';
import { entitlementWrites } from '../entitlements/entitlement-record';
import type { StoredPurchase } from './purchase-record';
import type { OpenTab, OpeningTab, StoredTab } from './tab-record';

export type ActiveTab = OpeningTab | OpenTab;

export function isActive(tab: StoredTab): tab is ActiveTab {
  return tab.phase === 'opening' || tab.phase === 'open';
}

export class TabBook {
  /** By local id; null until read in this worker, or after a failed write. */
  private activeTabs: Map<string, ActiveTab> | null = null;
  private loading: Promise<Map<string, ActiveTab>> | null = null;
  /** Bumped by every write, so a load that raced one is not trusted. */
  private generation = 0;

  constructor(private readonly db: AgentDatabase) {}

  async get(localId: string): Promise<StoredTab | undefined> {
    return (await this.loaded()).get(localId) ?? this.db.tabs.get(localId);
  }

  save(tab: StoredTab): Promise<void> {
    return this.written([tab], () => this.db.tabs.put(tab.localId, tab));
  }

  /**
   * Paid purchases and the tab after them, in one transaction: a receipt is never stored without
   * the tab that counts it, nor an entitlement without the purchase that granted it.
   */
  recordPurchases(tab: OpenTab, purchases: readonly StoredPurchase[]): Promise<void> {
    return this.written([tab], () =>
      this.db.batch([
        ...purchases.map((purchase) => ({
          store: 'purchases' as const,
          key: purchaseKey(purchase.localTabId, purchase.seq),
          value: purchase,
        })),
        ...entitlementWrites(tab, purchases),
        { store: 'tabs', key: tab.localId, value: tab },
      ]),
    );
  }

  all(): Promise<StoredTab[]> {
    return this.db.tabs.all();
  }

  async active(): Promise<ActiveTab[]> {
    return [...(await this.loaded()).values()];
  }

  async activeAt(merchant: MerchantRef): Promise<ActiveTab | undefined> {
    return (await this.active()).find((tab) => sameMerchant(tab.merchant, merchant));
  }

  async byTransactionId(transactionId: string): Promise<StoredTab | undefined> {
    return (await this.all()).find(
      (tab) => tab.phase !== 'opening' && tab.phase !== 'failed' && tab.transactionId === transactionId,
    );
  }

  addPurchase(purchase: StoredPurchase): Promise<void> {
    return this.db.purchases.put(purchaseKey(purchase.localTabId, purchase.seq), purchase);
  }

  purchasesOf(localId: string): Promise<StoredPurchase[]> {
    return this.db.purchases.withPrefix(purchasePrefix(localId));
  }

  async allPurchases(): Promise<StoredPurchase[]> {
    return (await this.db.purchases.all()).sort((a, b) => a.at_ms - b.at_ms);
  }

  /** Updates the copy at once, as IndexedDB shows a write to every read issued after it; drops it if the
   * write fails. */
  private async written(tabs: readonly StoredTab[], write: () => Promise<void>): Promise<void> {
    this.generation++;
    if (this.activeTabs) for (const tab of tabs) this.remember(this.activeTabs, tab);
    try {
      await write();
    } catch (error) {
      this.activeTabs = null;
      this.generation++;
      throw error;
    }
  }

  private remember(activeTabs: Map<string, ActiveTab>, tab: StoredTab): void {
    if (isActive(tab)) activeTabs.set(tab.localId, tab);
    else activeTabs.delete(tab.localId);
  }

  private loaded(): Promise<Map<string, ActiveTab>> {
    if (this.activeTabs) return Promise.resolve(this.activeTabs);
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<Map<string, ActiveTab>> {
    for (;;) {
      const generation = this.generation;
      const stored = await this.db.tabs.all();
      if (generation !== this.generation) continue;
      this.activeTabs = new Map(stored.filter(isActive).map((tab) => [tab.localId, tab]));
      return this.activeTabs;
    }
  }
}
