// The entitlements in the database, read the ways a page asks about them. They are written with
// the purchases that grant them (TabBook.recordPurchases), in the same transaction.

import type { Entitlement } from '@opentab/protocol';
import type { MerchantRef } from '../../messaging/views';
import type { Clock } from '../ports';
import type { AgentDatabase } from '../storage/database';
import { entitlementForPage, entitlementKey, merchantPrefix, servableTo } from './entitlement-record';

export class EntitlementBook {
  constructor(
    private readonly db: AgentDatabase,
    private readonly clock: Clock,
  ) {}

  /** The entitlement to `itemId` at `merchant` that a page of `origin` may be given now; undefined when the wallet holds none. */
  async heldFor(origin: string, merchant: MerchantRef, itemId: string): Promise<Entitlement | undefined> {
    const entitlement = await this.db.entitlements.get(entitlementKey(merchant, itemId));
    return entitlement !== undefined && servableTo(entitlement, origin, this.clock.now_ms())
      ? entitlementForPage(entitlement)
      : undefined;
  }

  /** Those of `itemIds` the wallet holds an entitlement to at `merchant` that a page of `origin` may be given now. */
  async heldAmong(origin: string, merchant: MerchantRef, itemIds: readonly string[]): Promise<Entitlement[]> {
    const asked = new Set(itemIds);
    const now_ms = this.clock.now_ms();
    // One range read of this merchant's entitlements, however many items the page asks about.
    const held = await this.db.entitlements.withPrefix(merchantPrefix(merchant));
    return held
      .filter((entitlement) => asked.has(entitlement.itemId) && servableTo(entitlement, origin, now_ms))
      .map(entitlementForPage);
  }
}
