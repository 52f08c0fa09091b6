// A registration is answered only after its tab is marked open (and synced), so a tab still
// 'opening' when the MTA starts was cut off by a stop mid-registration: no AM holds its
// acknowledgement, so no customer can buy on it or send its record. It failed. The merchant agent
// may already have acknowledged its information, though, and would keep the tab open until its
// timeout and then send a record the MTA refuses for ever; so it is told, through the outbox, that
// the tab cleared at nothing (outcome 'no-records'), which closes it there.

import type { PayloadBody } from '../../../protocol/envelope';
import type { TabClearedPayload } from '../../../protocol/messages/merchant';
import { moneyToWire } from '../../../protocol/money/amount';
import type { OperatorContext } from '../operator-context';

/** The outbox record id of the notice that voids a failed tab at its merchant agent. */
export function voidNoticeId(tabId: string): string {
  return `tab-void:${tabId}`;
}

/** At startup: fails every tab left 'opening' and enqueues its void notice in the same transaction; their ids. */
export function voidInterruptedRegistrations(context: OperatorContext, now_ms: number): string[] {
  const interrupted = context.db.transaction(() => {
    const tabs = context.store.failOpeningTabs();
    for (const tab of tabs) {
      const notice: PayloadBody<TabClearedPayload> = {
        type: 'tab-cleared',
        operatorId: context.identity.operatorId,
        merchantId: tab.merchantId,
        tabId: tab.tabId,
        cleared: moneyToWire({ currency: tab.currency, minor: 0n }),
        outcome: 'no-records',
      };
      context.outbox.enqueue(voidNoticeId(tab.tabId), { kind: 'merchant-notice', merchantId: tab.merchantId }, notice, now_ms);
    }
    return tabs.map((tab) => tab.tabId);
  })();
  if (interrupted.length > 0) context.log.warn('tab.registration-interrupted', { tabs: interrupted.join(','), count: interrupted.length });
  return interrupted;
}
