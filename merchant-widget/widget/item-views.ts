// Keeps one ButtonView per item element on the page and re-renders them all from the state.

import { createButtonView, type ButtonView } from './button-view';
import { ITEM_ATTRIBUTE, mountItem, type MountedItem } from './mount';
import type { WidgetState } from './state';
import { describeItem } from './view-model';

export interface ItemViews {
  /** Mounts the elements not seen before and renders them; returns the item ids they name. */
  add(elements: Element[], state: WidgetState): string[];
  renderAll(state: WidgetState): void;
}

export type ActivateItem = (itemId: string, element: Element) => void;

interface Entry {
  mounted: MountedItem;
  view: ButtonView;
}

/** Read at each use, so a page that retags an element gets the new item. */
const itemIdOf = (element: Element): string | null => element.getAttribute(ITEM_ATTRIBUTE) || null;

export function createItemViews(installUrl: string, activate: ActivateItem): ItemViews {
  const entries = new WeakMap<Element, Entry>();
  // Only elements in the document; a removed element is dropped here and picked up again if re-added.
  const live = new Set<Element>();

  function entryFor(element: Element): Entry {
    const existing = entries.get(element);
    if (existing) return existing;
    const mounted = mountItem(element);
    const view = createButtonView(mounted.shadowRoot, () => {
      const itemId = itemIdOf(element);
      if (itemId) activate(itemId, element);
    });
    const entry = { mounted, view };
    entries.set(element, entry);
    return entry;
  }

  function render(element: Element, state: WidgetState): void {
    const itemId = itemIdOf(element);
    const entry = entries.get(element);
    if (!itemId || !entry) return;
    entry.view.render(describeItem(state, { itemId, ownTitle: entry.mounted.ownTitle, installUrl }));
  }

  return {
    add(elements, state) {
      const itemIds: string[] = [];
      for (const element of elements) {
        const itemId = itemIdOf(element);
        if (!itemId || !element.isConnected) continue;
        entryFor(element);
        live.add(element);
        render(element, state);
        itemIds.push(itemId);
      }
      return itemIds;
    },
    renderAll(state) {
      for (const element of live) {
        if (element.isConnected) render(element, state);
        else live.delete(element);
      }
    },
  };
}
