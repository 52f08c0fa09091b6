import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeCrypto } from '@opentab/server-kit';
import { fromBase64url } from '@opentab/protocol';
import { signerFromSecretKey, verifyEnvelope } from '@opentab/protocol';
import { MAX_RECEIPTS_PER_ANSWER, ReceiptList, type Receipt } from '@opentab/protocol';
import { parseMessage } from '@opentab/protocol';
import { RECEIPTS_AFTER } from './sqlite-store';
import {
  AgentHarness,
  MERCHANT_ID,
  errorCode,
  eur,
  type HttpAnswer,
  type OpenedTab,
} from '@opentab/test-kit/merchant-agent';

describe('receipts read back over HTTP', () => {
  let harness: AgentHarness;
  let tab: OpenedTab;
  /** What each purchase was answered with, by seq, and the chain link it revealed. */
  let answered: { receipt: Receipt; text: string; chainLink: string }[];

  beforeEach(async () => {
    harness = await AgentHarness.start();
    tab = await harness.openTab();
    answered = [];
  });
  afterEach(() => harness.close());

  async function buy(count: number, itemId = 'article-2', price = '0.05', units = 5): Promise<void> {
    for (let i = 0; i < count; i++) {
      const purchase = tab.customer.purchase(tab.tabId, itemId, eur(price), units);
      const response = await fetch(`${harness.agentUrl}/purchase`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(purchase),
      });
      const text = await response.text();
      expect(response.status, text).toBe(200);
      tab.customer.paid(purchase);
      answered.push({ receipt: JSON.parse(text) as Receipt, text, chainLink: purchase.chainLink });
    }
  }

  function askReceipts(afterSeq: number, now_ms = harness.clock.now_ms()): Promise<HttpAnswer> {
    return harness.post('/receipts', tab.customer.receiptsRequest(tab.tabId, afterSeq, undefined, now_ms));
  }

  function listOf(answer: HttpAnswer): ReceiptList {
    expect(answer.status).toBe(200);
    const parsed = parseMessage(ReceiptList, answer.body);
    expect(parsed.ok).toBe(true);
    return answer.body as ReceiptList;
  }

  it('answers the receipts after afterSeq exactly as the purchases were answered, with their chain links', async () => {
    await buy(3);
    const list = listOf(await askReceipts(1));
    expect(list).toEqual({
      tabId: tab.tabId,
      receipts: answered.slice(1).map(({ receipt, chainLink }) => ({ receipt, chainLink })),
      more: false,
    });
    for (const [index, paid] of list.receipts.entries()) {
      // Byte for byte, key order included, and still verifying under the merchant key.
      expect(JSON.stringify(paid.receipt)).toBe(answered[index + 1]!.text);
      expect(verifyEnvelope(nodeCrypto, paid.receipt, fromBase64url(harness.agent.publicKey))).toBe(true);
      expect(paid.chainLink).toBe(tab.customer.chain.encodedLinkAt(paid.receipt.payload.chainIndex));
    }
    expect(list.receipts.map((paid) => paid.receipt.payload.seq)).toEqual([2, 3]);
    expect(listOf(await askReceipts(0)).receipts.map((paid) => paid.receipt.payload.seq)).toEqual([1, 2, 3]);
    expect(listOf(await askReceipts(3))).toEqual({ tabId: tab.tabId, receipts: [], more: false });
  });

  it('writes nothing: the same request twice gets the same answer and leaves every table as it was', async () => {
    await buy(2);
    const before = await harness.storedRows();
    const request = tab.customer.receiptsRequest(tab.tabId, 0, undefined, harness.clock.now_ms());
    const first = await harness.post('/receipts', request);
    expect(listOf(first).receipts).toHaveLength(2);
    expect((await harness.post('/receipts', request)).body).toEqual(first.body);
    expect(await harness.storedRows()).toEqual(before);
  });

  it('still answers after the customer terminated the tab and after it was cleared', async () => {
    await buy(2);
    expect(
      (await harness.post('/terminate', tab.customer.terminate(tab.tabId, undefined, harness.clock.now_ms()))).status,
    ).toBe(200);
    expect((await harness.agent.tab(tab.tabId))?.status).toBe('stopped');
    expect(listOf(await askReceipts(1)).receipts.map((paid) => paid.receipt)).toEqual([answered[1]!.receipt]);

    expect(
      (await harness.post('/mta/tab-cleared', harness.mta.tabCleared(MERCHANT_ID, tab.tabId, eur('0.10')))).status,
    ).toBe(200);
    expect((await harness.agent.tab(tab.tabId))?.status).toBe('cleared');
    expect(listOf(await askReceipts(0)).receipts.map((paid) => paid.receipt)).toEqual(
      answered.map(({ receipt }) => receipt),
    );
  });

  it('refuses a request signed by a key other than the tab key, for an unknown tab, with a stale iat, or failing the schema, changing nothing', async () => {
    await buy(1);
    const before = await harness.storedRows();
    const stranger = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const now_ms = harness.clock.now_ms();
    const refusals = [
      await harness.post('/receipts', tab.customer.receiptsRequest(tab.tabId, 0, stranger, now_ms)),
      await harness.post(
        '/receipts',
        tab.customer.receiptsRequest('tab_000000000000000000000000', 0, undefined, now_ms),
      ),
      await askReceipts(0, now_ms - 3_600_000),
      await askReceipts(0, now_ms + 3_600_000),
      await harness.post('/receipts', { ...tab.customer.receiptsRequest(tab.tabId, 0, undefined, now_ms), extra: 1 }),
      await harness.post('/receipts', tab.customer.receiptsRequest(tab.tabId, -1, undefined, now_ms)),
      await harness.post('/receipts', tab.customer.terminate(tab.tabId, undefined, now_ms)),
    ];
    expect(refusals.map((answer) => [answer.status, errorCode(answer)])).toEqual([
      [401, 'bad_signature'],
      [404, 'unknown_tab'],
      [401, 'stale_message'],
      [401, 'stale_message'],
      [400, 'invalid_message'],
      [400, 'invalid_message'],
      [400, 'invalid_message'],
    ]);
    expect(await harness.storedRows()).toEqual(before);
    expect(await harness.agent.tab(tab.tabId)).toMatchObject({ status: 'open', purchaseCount: 1 });
  });

  it(`answers at most ${MAX_RECEIPTS_PER_ANSWER} receipts with more: true, then the rest`, async () => {
    // One-cent purchases: 51 of them fit in the one-euro deposit.
    await buy(MAX_RECEIPTS_PER_ANSWER + 1, 'article-1', '0.01', 1);
    const first = listOf(await askReceipts(0));
    expect(first.more).toBe(true);
    expect(first.receipts.map((paid) => paid.receipt.payload.seq)).toEqual(
      Array.from({ length: MAX_RECEIPTS_PER_ANSWER }, (_, index) => index + 1),
    );
    const rest = listOf(await askReceipts(MAX_RECEIPTS_PER_ANSWER));
    expect(rest).toEqual({
      tabId: tab.tabId,
      receipts: [
        {
          receipt: answered[MAX_RECEIPTS_PER_ANSWER]!.receipt,
          chainLink: answered[MAX_RECEIPTS_PER_ANSWER]!.chainLink,
        },
      ],
      more: false,
    });
    // Exactly a full page left is not "more".
    const full = listOf(await askReceipts(1));
    expect([full.receipts.length, full.more, full.receipts.at(-1)?.receipt.payload.seq]).toEqual([
      MAX_RECEIPTS_PER_ANSWER,
      false,
      MAX_RECEIPTS_PER_ANSWER + 1,
    ]);
  });

  it('answers CORS, as the other routes the extension calls', async () => {
    const preflight = await harness.request('/receipts', {
      method: 'OPTIONS',
      headers: { origin: 'chrome-extension://abc', 'access-control-request-method': 'POST' },
    });
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, '*']);
    const answer = await askReceipts(0);
    expect([answer.status, answer.headers.get('access-control-allow-origin')]).toEqual([200, '*']);
  });

  it('reads them with a search of the (tab_id, seq) index, not a scan of the purchases', async () => {
    if (harness.storeKind === 'sqlite') {
      const plan = (await harness.query(`EXPLAIN QUERY PLAN ${RECEIPTS_AFTER}`, ['tab_x', 0, 51])).map(
        (step) => step.detail,
      );
      expect(plan).toHaveLength(1);
      expect(plan[0]).toMatch(/^SEARCH purchases USING INDEX \S+ \(tab_id=\? AND seq>\?\)$/);
    } else {
      // PostgreSQL plans by the table's size: its plan for a large table, given the same index, is an index scan.
      const plan = await harness.query(
        `EXPLAIN (FORMAT JSON) SELECT receipt_json, chain_link FROM purchases WHERE tab_id = ? AND seq > ?
         ORDER BY seq LIMIT ?`,
        ['tab_x', 0, 51],
      );
      const text = JSON.stringify(plan);
      expect(text).toMatch(/purchases_tab_id_seq_key/);
    }
  });
});
