// Raises opentab:tab-opened and opentab:tab-closed. The bridge has no push messages, so the
// widget infers them: from tabStatus when it starts, from the tab id of each receipt (a new id
// means the extension opened a new tab, replacing any earlier one), and from closeTab.

import type { Receipt } from '@opentab/protocol';
import { emitOpentabEvent } from './events';

export type KnownTab =
  | { kind: 'unknown' }
  | { kind: 'none' }
  /** tabId is null for a tab opened before this page loaded, until a receipt names it. */
  | { kind: 'open'; tabId: string | null };

export interface TabTracker {
  noteStatus(open: boolean): void;
  noteReceipt(receipt: Receipt, source: Element | null): void;
  noteClosed(source: Element | null): void;
}

export function createTabTracker(): TabTracker {
  let known: KnownTab = { kind: 'unknown' };

  return {
    noteStatus(open) {
      known = open ? { kind: 'open', tabId: null } : { kind: 'none' };
    },
    noteReceipt(receipt, source) {
      const tabId = receipt.payload.tabId;
      if (known.kind === 'open') {
        if (known.tabId === tabId) return;
        if (known.tabId === null) {
          known = { kind: 'open', tabId };
          return;
        }
        emitOpentabEvent(source, 'opentab:tab-closed', { tabId: known.tabId });
      }
      known = { kind: 'open', tabId };
      emitOpentabEvent(source, 'opentab:tab-opened', { tabId });
    },
    noteClosed(source) {
      const tabId = known.kind === 'open' ? known.tabId : null;
      known = { kind: 'none' };
      emitOpentabEvent(source, 'opentab:tab-closed', { tabId });
    },
  };
}
