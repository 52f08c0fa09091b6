// Every path that fails a tab tells its merchant agent. A registration that fails (the agent
// refused, could not be reached, or answered with an acknowledgement that cannot be believed) and
// one a stop cut off (a tab still 'opening' at start-up: no AM holds its acknowledgement, so no
// customer can buy on it or send its record) both end 'failed'. The merchant agent may already
// have acknowledged the information (it stopped or the connection broke before its answer left),
// and would keep the tab open until its timeout and then send a record the MTA refuses for ever;
// so a void notice (a clearing at nothing, outcome 'voided') goes to it through the outbox, in the
// same transaction that fails the tab.

import type { PayloadBody } from '@opentab/protocol';
import type { TabClearedPayload } from '@opentab/protocol';
import { moneyToWire } from '@opentab/protocol';
import type { OperatorContext } from '../operator-context';
import type { OutboxAccess } from '../store/operator-storage';
import type { Tab } from '../store/records';

/**
 * Longer than a registration can take (six times the merchant agent's ten seconds to answer, see
 * tab-registration.ts): a tab opening for longer was cut off by a stop, whichever process began it.
 */
export const REGISTRATION_BOUND_MS = 60_000;

/** The outbox record id of the notice that voids a failed tab at its merchant agent. */
export function voidNoticeId(tabId: string): string {
  return `tab-void:${tabId}`;
}

type FailedTab = Pick<Tab, 'tabId' | 'merchantId' | 'currency'>;

function enqueueVoidNotice(
  context: OperatorContext,
  outbox: OutboxAccess,
  tab: FailedTab,
  now_ms: number,
): Promise<void> {
  const notice: PayloadBody<TabClearedPayload> = {
    type: 'tab-cleared',
    operatorId: context.identity.operatorId,
    merchantId: tab.merchantId,
    tabId: tab.tabId,
    cleared: moneyToWire({ currency: tab.currency, minor: 0n }),
    outcome: 'voided',
  };
  return outbox.enqueue(
    voidNoticeId(tab.tabId),
    { kind: 'merchant-notice', merchantId: tab.merchantId },
    notice,
    now_ms,
  );
}

/** A registration that did not complete: the tab fails and its void notice is queued, together; false if it
 * had left 'opening'. */
export function failRegistration(context: OperatorContext, tab: FailedTab, now_ms: number): Promise<boolean> {
  return context.storage.transaction(async (tx) => {
    if (!(await tx.tabs.markTabFailed(tab.tabId))) return false;
    await enqueueVoidNotice(context, tx.outbox, tab, now_ms);
    return true;
  });
}

/**
 * Fails every tab left 'opening' that was opened before `openedBefore_ms`, and enqueues its void
 * notice in the same transaction; their ids. At the start of an operator alone on its SQLite file
 * every such tab was cut off; processes sharing a database pass a time a registration in flight
 * at another process cannot have begun before (REGISTRATION_BOUND_MS ago).
 */
export async function voidInterruptedRegistrations(
  context: OperatorContext,
  now_ms: number,
  openedBefore_ms: number,
): Promise<string[]> {
  const interrupted = await context.storage.transaction(async (tx) => {
    const tabs = await tx.tabs.failOpeningTabs(openedBefore_ms);
    for (const tab of tabs) await enqueueVoidNotice(context, tx.outbox, tab, now_ms);
    return tabs.map((tab) => tab.tabId);
  });
  if (interrupted.length > 0)
    context.log.warn('tab.registration-interrupted', { tabs: interrupted.join(','), count: interrupted.length });
  return interrupted;
}
