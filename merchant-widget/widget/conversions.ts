// Asks the extension to convert the prices of the items on the page (and only those: a catalogue
// can hold thousands) into the customer's currency. The extension does the arithmetic with its
// signed rate table; the widget only displays what comes back.

import type { BridgeClient } from './bridge-client';
import { OpentabError } from './errors';
import type { RateTableSource } from '@opentab/protocol';
import type { Amount } from './amount-text';
import type { Store, WidgetState } from './state';

/** The bridge's limit on prices per convert call. */
export const MAX_PRICES_PER_CALL = 500;

export interface Conversions {
  /** Converts these items' prices as soon as the catalogue and the extension are both there. */
  request(itemIds: string[]): void;
  /** Retries the outstanding requests; call when the catalogue or the extension becomes ready. */
  flush(): void;
}

export function createConversions(bridge: BridgeClient, store: Store<WidgetState>): Conversions {
  const outstanding = new Set<string>();
  const requested = new Set<string>();

  function record(
    byItem: Map<string, Amount | null>,
    rateStatus: WidgetState['conversion']['rateStatus'],
    rateSource?: RateTableSource | null,
  ): void {
    store.update((state) => ({
      ...state,
      conversion: { rateStatus, rateSource, byItem: new Map([...state.conversion.byItem, ...byItem]) },
    }));
  }

  async function convert(itemIds: string[], prices: Amount[]): Promise<void> {
    try {
      const result = await bridge.call('convert', { prices });
      if (result.converted.length !== prices.length) return;
      record(
        new Map(itemIds.map((itemId, index) => [itemId, result.converted[index] ?? null])),
        result.rateStatus,
        result.rateSource,
      );
    } catch (error) {
      // Without a conversion the merchant's price alone is shown; only a stale table earns a note.
      if (error instanceof OpentabError && error.code === 'rate_table_expired') record(new Map(), 'expired');
    }
  }

  function flush(): void {
    const { catalogue, extension } = store.get();
    if (catalogue.kind !== 'loaded' || extension.kind !== 'present') return;
    const items = [...outstanding].flatMap((itemId) => {
      const item = catalogue.items.get(itemId);
      return item && !requested.has(itemId) ? [item] : [];
    });
    outstanding.clear();
    for (let start = 0; start < items.length; start += MAX_PRICES_PER_CALL) {
      const batch = items.slice(start, start + MAX_PRICES_PER_CALL);
      for (const item of batch) requested.add(item.itemId);
      void convert(
        batch.map((item) => item.itemId),
        batch.map((item) => item.price),
      );
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
