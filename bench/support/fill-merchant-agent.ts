// Fills the merchant agent's store with the same finished tabs the operators hold: each tab
// with its purchase, its stored answers and its acknowledged record, in one SQLite transaction,
// through the agent store's own statements.

import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import { newMessageId } from '@opentab/protocol';
import { SqliteAgentStore } from '@opentab/merchant-agent/store';
import type { TabRecord } from '@opentab/merchant-agent/store';
import type { BenchLayout } from './bench-world';
import { ARTICLE_ID } from './catalogue';
import {
  HISTORY_CHAIN_LENGTH,
  HISTORY_CHAIN_UNIT_MINOR,
  HISTORY_DEPOSIT_MINOR,
  HISTORY_LAST_CHAIN_INDEX,
  HISTORY_SPENT_MINOR,
  type HistoricTab,
} from './history';

/** The size of a typical stored answer (a receipt, an ack, a tab-closed summary). */
const ANSWER_JSON = JSON.stringify({ payload: { padding: 'x'.repeat(600) } });

export async function fillMerchantAgentStore(
  layout: BenchLayout,
  tabs: readonly HistoricTab[],
  at_ms: number,
): Promise<void> {
  const store = SqliteAgentStore.open(layout.merchant.databasePath);
  try {
    await store.transaction(async (store) => {
      for (const history of tabs) {
        const informationId = newMessageId(nodeCrypto);
        const open: TabRecord = {
          tabId: history.tabId,
          informationId,
          pseudonym: history.pseudonym,
          tabPublicKey: history.tabPublicKey,
          currency: 'EUR',
          deposit_minor: HISTORY_DEPOSIT_MINOR,
          spent_minor: 0n,
          chainUnit_minor: HISTORY_CHAIN_UNIT_MINOR,
          chainLength: HISTORY_CHAIN_LENGTH,
          chainRoot: history.chainRoot,
          lastChainIndex: 0,
          lastChainLink: history.chainRoot,
          purchaseCount: 0,
          listKey: null,
          openedAt_ms: at_ms,
          expiresAt_ms: at_ms + 600_000,
          lifecycle: { status: 'open' },
        };
        await store.insertTab(open, ANSWER_JSON);
        const purchaseId = newMessageId(nodeCrypto);
        await store.insertPurchase(
          {
            purchaseId,
            tabId: history.tabId,
            seq: 1,
            itemId: ARTICLE_ID,
            price_minor: HISTORY_SPENT_MINOR,
            chainIndex: HISTORY_LAST_CHAIN_INDEX,
            chainLink: history.lastChainLink,
            createdAt_ms: at_ms,
          },
          toBase64url(nodeCrypto.randomBytes(32)),
          ANSWER_JSON,
        );
        await store.advanceTab(open, {
          ...open,
          spent_minor: HISTORY_SPENT_MINOR,
          lastChainIndex: HISTORY_LAST_CHAIN_INDEX,
          lastChainLink: history.lastChainLink,
          purchaseCount: 1,
          listKey: toBase64url(nodeCrypto.randomBytes(32)),
        });
        await store.updateTabLifecycle(history.tabId, {
          status: 'cleared',
          reason: 'customer-terminate',
          stoppedAt_ms: at_ms,
          cleared_minor: HISTORY_SPENT_MINOR,
          outcome: 'agreed',
          clearedAt_ms: at_ms,
          revision: 0,
        });
        const recordId = history.merchantRecord.payload.id;
        await store.enqueueRecord(history.tabId, recordId, JSON.stringify(history.merchantRecord), at_ms);
        await store.markRecordAcknowledged(history.tabId, recordId, ANSWER_JSON, at_ms);
        for (const kind of ['tab-information', 'terminate', 'tab-cleared']) {
          await store.insertReply(
            newMessageId(nodeCrypto),
            kind,
            { requestDigest: toBase64url(nodeCrypto.randomBytes(32)), responseJson: ANSWER_JSON },
            at_ms,
          );
        }
      }
    });
  } finally {
    await store.close();
  }
}
