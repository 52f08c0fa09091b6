// Operators see a purchase-list hash, never the list (docs/DESIGN.md). Played here by an attacker
// with everything both operators store once a tab has cleared (both records, tab and transaction
// rows, message receipts, outbox, billing records, keys) and the merchant's public catalogue: it
// tries every list of up to three of the 100 items that adds up to the recorded total, hashed the
// old way (unkeyed) and under every 32-byte value it holds.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '@opentab/protocol';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  hundredArticles,
  worldPerTest,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { waitFor } from '@opentab/test-kit';
import { readOperatorKnowledge } from '../testing/operator-knowledge';
import { bruteForcePurchaseList, candidateKeys, type RecordedList } from '../testing/purchase-list-attack';

let w: TwoOperatorWorld;

worldPerTest((started) => (w = started));

const catalogue = hundredArticles().map((item) => ({
  itemId: item.itemId,
  price: { currency: 'EUR', value: item.price },
}));
const BOUGHT = ['article-17', 'article-42', 'article-93'];

describe('the purchase list, as the operators hold it', () => {
  it('cannot be recovered from everything both operators store, with the public catalogue', async () => {
    const customer = await w.newCustomer('500.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '50.00' },
    });
    for (const itemId of BOUGHT)
      await tab.buy(w.merchant.agentUrl, itemId, catalogue.find((item) => item.itemId === itemId)!.price);
    await tab.terminate(w.merchant.agentUrl);
    await customer.sendRecord(tab);
    await waitFor('the withdrawal record', () =>
      w.billingRecords(CUSTOMER_OPERATOR).find((record) => record.recordType === 'withdrawal'),
    );
    await waitFor('the deposit record', () =>
      w.billingRecords(MERCHANT_OPERATOR).find((record) => record.recordType === 'deposit'),
    );

    const knowledge = readOperatorKnowledge([
      w.world.operator(CUSTOMER_OPERATOR).dir,
      w.world.operator(MERCHANT_OPERATOR).dir,
    ]);
    const tabView = await w.world.operator(MERCHANT_OPERATOR).admin.call('getTab', undefined, { tabId: tab.tabId });
    expect(tabView.outcome).toBe('agreed');
    const recorded: RecordedList = {
      purchaseListHash: tabView.customerRecord!.purchaseListHash,
      total: tabView.customerRecord!.total,
    };
    // The attacker reads the hash from its own storage, not from this test.
    expect(knowledge.text).toContain(recorded.purchaseListHash);

    // The key itself is nowhere in what the operators hold, in any spelling.
    const listKey = Buffer.from(tab.listKey);
    for (const spelling of [
      listKey,
      ...['base64url', 'base64', 'hex'].map((encoding) => Buffer.from(listKey.toString(encoding as BufferEncoding))),
    ]) {
      expect(knowledge.files.some((file) => file.includes(spelling))).toBe(false);
    }

    const keys = candidateKeys(knowledge.text);
    expect(keys.length).toBeGreaterThan(10);
    const attack = bruteForcePurchaseList(recorded, catalogue, keys, 3);
    console.info(
      `purchase-list attack on the stored records: ${attack.listsTried} lists × ${attack.keysTried} keys in ${Math.round(attack.elapsed_ms)} ms, recovered ${JSON.stringify(attack.recovered)}`,
    );
    expect(attack.recovered).toBeNull();
    expect(attack.listsTried).toBeGreaterThan(1000);
  }, 60_000);

  it('is recovered by the same attack from an unkeyed hash, as the protocol once recorded it', () => {
    const lines = BOUGHT.map((itemId, i) => ({
      seq: i + 1,
      itemId,
      price: catalogue.find((item) => item.itemId === itemId)!.price,
    }));
    const unkeyed = createHash('sha256').update(canonicalJson(lines)).digest('base64url');
    // article-17, -42 and -93 cost 0.05, 0.19 and 0.08.
    const total = { currency: 'EUR', value: '0.32' };
    const attack = bruteForcePurchaseList({ purchaseListHash: unkeyed, total }, catalogue, [], 3);
    console.info(
      `purchase-list attack on an unkeyed hash: recovered ${JSON.stringify(attack.recovered)} after ${attack.listsTried} lists in ${Math.round(attack.elapsed_ms)} ms`,
    );
    expect(attack.recovered).toEqual(BOUGHT);
  });
});
