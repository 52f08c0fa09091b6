// One readable line per merchant-agent event, in the operators' log format, so the demo's
// console tells one story: the tab id links the shop's lines to the operators'.

import { formatMoney } from '@opentab/protocol';
import type { MerchantAgent } from '@opentab/merchant-agent';
import type { Logger } from '@opentab/operator-server';

export function logShopEvents(agent: MerchantAgent, log: Logger): () => void {
  const unsubscribe = [
    agent.on('tab-opened', ({ tab }) =>
      log.info('shop.tab-opened', {
        tab: tab.tabId,
        deposit: formatMoney(tab.deposit),
        expires: new Date(tab.expiresAt_ms).toISOString(),
      }),
    ),
    agent.on('purchase', ({ tab, purchase }) =>
      log.info('shop.purchase', {
        tab: tab.tabId,
        seq: purchase.seq,
        item: purchase.itemId,
        price: formatMoney(purchase.price),
        remaining: formatMoney(tab.remaining),
      }),
    ),
    agent.on('tab-stopped', ({ tab, reason }) =>
      log.info('shop.tab-stopped', {
        tab: tab.tabId,
        reason,
        spent: formatMoney(tab.spent),
        purchases: tab.purchaseCount,
      }),
    ),
    agent.on('record-acknowledged', ({ tabId, status }) => log.info('shop.record-acked', { tab: tabId, status })),
    agent.on('record-delivery-failed', ({ tabId, attempts, error }) =>
      log.warn('shop.record-retry', { tab: tabId, attempts, error }),
    ),
    agent.on('tab-cleared', ({ tab, outcome }) =>
      log.info('shop.tab-cleared', {
        tab: tab.tabId,
        cleared: tab.cleared === null ? null : formatMoney(tab.cleared.amount),
        outcome,
      }),
    ),
  ];
  return () => unsubscribe.forEach((off) => off());
}
