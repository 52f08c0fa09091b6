// The tabs and purchases in the database, looked up the ways the services need them.

import type { MerchantRef } from '../../messaging/views';
import { purchaseKey, purchasePrefix, type AgentDatabase } from '../storage/database';
import { sameMerchant } from '../limits/spending-rules';
import type { StoredPurchase } from './purchase-record';
import type { OpenTab, OpeningTab, StoredTab } from './tab-record';

export type ActiveTab = OpeningTab | OpenTab;

export function isActive(tab: StoredTab): tab is ActiveTab {
  return tab.phase === 'opening' || tab.phase === 'open';
}

export class TabBook {
  constructor(private readonly db: AgentDatabase) {}

  get(localId: string): Promise<StoredTab | undefined> {
    return this.db.tabs.get(localId);
  }

  save(tab: StoredTab): Promise<void> {
    return this.db.tabs.put(tab.localId, tab);
  }

  all(): Promise<StoredTab[]> {
    return this.db.tabs.all();
  }

  async active(): Promise<ActiveTab[]> {
    return (await this.all()).filter(isActive);
  }

  async activeAt(merchant: MerchantRef): Promise<ActiveTab | undefined> {
    return (await this.active()).find((tab) => sameMerchant(tab.merchant, merchant));
  }

  async byTransactionId(transactionId: string): Promise<StoredTab | undefined> {
    return (await this.all()).find((tab) => tab.phase !== 'opening' && tab.phase !== 'failed' && tab.transactionId === transactionId);
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
}
