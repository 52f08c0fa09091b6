// Asks the extension, once per item, whether the wallet already holds an entitlement to the items
// on the page, so that a reload or a new browser tab shows what was bought before as bought (and
// tells the page, which can unlock it) without a click. Only items the catalogue sells as
// entitlements are asked about, only once the wallet is ready, and only what the extension answers
// for this page's origin comes back. An extension that cannot answer (one from before the call, a
// locked wallet) leaves the buttons as they are: a click then pays, or answers owned itself.

import type { BridgeClient } from './bridge-client';
import { emitOpentabEvent } from './events';
import { withPayment, type Store, type WidgetState } from './state';

/** The bridge's limit on item ids per entitlements call. */
export const MAX_ITEMS_PER_CALL = 500;

export interface OwnedItems {
  /** Asks about these items as soon as the catalogue and a ready wallet are both there. */
  request(itemIds: string[]): void;
  /** Asks about the outstanding items; call when the catalogue or the extension becomes ready. */
  flush(): void;
}

export function createOwnedItems(bridge: BridgeClient, store: Store<WidgetState>): OwnedItems {
  const outstanding = new Set<string>();
  const asked = new Set<string>();

  async function ask(merchant: { merchantId: string; operatorId: string }, itemIds: string[]): Promise<void> {
    let answer;
    try {
      answer = await bridge.call('entitlements', { ...merchant, itemIds });
    } catch {
      return;
    }
    for (const entitlement of answer.entitlements) {
      // A click may have settled the item meanwhile; it is shown as that click left it.
      if (!itemIds.includes(entitlement.itemId) || store.get().payments.has(entitlement.itemId)) continue;
      emitOpentabEvent(null, 'opentab:owned', entitlement);
      store.update((state) => withPayment(state, entitlement.itemId, { kind: 'owned', entitlement }));
    }
  }

  function flush(): void {
    const { catalogue, extension } = store.get();
    if (catalogue.kind !== 'loaded' || extension.kind !== 'present' || extension.walletState !== 'ready') return;
    const itemIds = [...outstanding].filter(
      (itemId) => catalogue.items.get(itemId)?.kind === 'entitlement' && !asked.has(itemId),
    );
    outstanding.clear();
    const merchant = { merchantId: catalogue.info.merchantId, operatorId: catalogue.info.operatorId };
    for (let start = 0; start < itemIds.length; start += MAX_ITEMS_PER_CALL) {
      const batch = itemIds.slice(start, start + MAX_ITEMS_PER_CALL);
      for (const itemId of batch) asked.add(itemId);
      void ask(merchant, batch);
    }
  }

  return {
    request(itemIds) {
      for (const itemId of itemIds) outstanding.add(itemId);
      // Elements usually arrive in bursts (one mutation each); one microtask gathers them into one call.
      queueMicrotask(flush);
    },
    flush,
  };
}
