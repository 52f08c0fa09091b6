import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purchaseListHash } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { fromBase64url } from '@opentab/protocol';
import { verifyEnvelope } from '@opentab/protocol';
import { Receipt } from '@opentab/protocol';
import { parseMessage } from '@opentab/protocol';
import { AgentHarness, errorCode, eur, eventually, type OpenedTab } from '@opentab/test-kit/merchant-agent';

describe('purchases over HTTP', () => {
  let harness: AgentHarness;
  let tab: OpenedTab;

  beforeEach(async () => {
    harness = await AgentHarness.start();
    tab = await harness.openTab();
  });
  afterEach(() => harness.close());

  async function buy(itemId: string, price: string, units: number) {
    const purchase = tab.customer.purchase(tab.tabId, itemId, eur(price), units);
    const answer = await harness.post('/purchase', purchase);
    if (answer.status === 200) tab.customer.paid(purchase);
    return { purchase, answer };
  }

  it('accepts valid purchases with signed receipts whose access tokens open exactly their item', async () => {
    const first = await buy('article-2', '0.05', 5);
    const second = await buy('article-3', '0.25', 25);
    for (const { answer } of [first, second]) {
      expect(answer.status).toBe(200);
      const parsed = parseMessage(Receipt, answer.body);
      expect(parsed.ok).toBe(true);
      expect(verifyEnvelope(nodeCrypto, answer.body as Receipt, fromBase64url(harness.agent.publicKey))).toBe(true);
    }
    const receipt = (second.answer.body as Receipt).payload;
    expect(receipt).toMatchObject({
      seq: 2,
      itemId: 'article-3',
      chainIndex: 30,
      spent: eur('0.30'),
      remaining: eur('0.70'),
      price: eur('0.25'),
    });
    expect(harness.agent.verifyAccess(receipt.accessToken, 'article-3')).toBe(true);
    expect(harness.agent.verifyAccess(receipt.accessToken, 'article-2')).toBe(false);
    expect(await harness.agent.tab(tab.tabId)).toMatchObject({
      status: 'open',
      purchaseCount: 2,
      spent: { minor: 30n },
      lastChainIndex: 30,
    });
    expect((await harness.agent.purchases(tab.tabId)).map((purchase) => purchase.itemId)).toEqual([
      'article-2',
      'article-3',
    ]);
  });

  it('opens an entitlement for its access period, stated in the receipt, and a consumable for the token lifetime only', async () => {
    const DAY_MS = 86_400_000;
    const boughtAt_ms = harness.clock.now_ms();
    const article = (await buy('article-2', '0.05', 5)).answer.body as Receipt;
    const longRead = (await buy('article-3', '0.25', 25)).answer.body as Receipt;
    const tip = (await buy('tip-1', '0.10', 10)).answer.body as Receipt;
    expect(article.payload.entitledUntil).toBe(new Date(boughtAt_ms + 30 * DAY_MS).toISOString());
    expect(longRead.payload.entitledUntil).toBe(new Date(boughtAt_ms + 7 * DAY_MS).toISOString());
    expect(tip.payload).not.toHaveProperty('entitledUntil');
    // The token names the item, its expiry and a random reference: neither the tab nor the purchase.
    expect(harness.agent.readAccess(article.payload.accessToken)).toEqual({
      itemId: 'article-2',
      reference: expect.any(String),
      expiresAt_ms: boughtAt_ms + 30 * DAY_MS,
    });
    const claimsText = Buffer.from(article.payload.accessToken.split('.')[0]!, 'base64url').toString('utf8');
    expect(claimsText).not.toContain(tab.tabId);
    expect(claimsText).not.toContain(article.payload.purchaseId);

    const opens = () => ({
      article: harness.agent.verifyAccess(article.payload.accessToken, 'article-2'),
      longRead: harness.agent.verifyAccess(longRead.payload.accessToken, 'article-3'),
      tip: harness.agent.verifyAccess(tip.payload.accessToken, 'tip-1'),
    });
    harness.clock.advance(DAY_MS - 1);
    expect(opens()).toEqual({ article: true, longRead: true, tip: true });
    harness.clock.advance(1);
    expect(opens()).toEqual({ article: true, longRead: true, tip: false });
    harness.clock.advance(6 * DAY_MS - 1);
    expect(opens()).toEqual({ article: true, longRead: true, tip: false });
    harness.clock.advance(1);
    expect(opens()).toEqual({ article: true, longRead: false, tip: false });
    harness.clock.advance(23 * DAY_MS - 1);
    expect(opens()).toEqual({ article: true, longRead: false, tip: false });
    harness.clock.advance(1);
    expect(opens()).toEqual({ article: false, longRead: false, tip: false });
  });

  it('refuses a link that does not hash to the last one paid', async () => {
    const purchase = tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5, {
      chainLink: tab.customer.chain.encodedLinkAt(6),
    });
    const answer = await harness.post('/purchase', purchase);
    expect([answer.status, errorCode(answer)]).toEqual([409, 'wrong_link']);
    expect((await harness.agent.tab(tab.tabId))?.purchaseCount).toBe(0);
  });

  it('refuses a link that was already used', async () => {
    const { purchase: first } = await buy('article-2', '0.05', 5);
    const reused = tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5, {
      chainIndex: first.chainIndex,
      chainLink: first.chainLink,
    });
    const answer = await harness.post('/purchase', reused);
    expect([answer.status, errorCode(answer)]).toEqual([409, 'stale_link']);
    expect((await harness.agent.tab(tab.tabId))?.spent.minor).toBe(5n);
  });

  it('refuses a link that skips more units than the price, and one that pays fewer', async () => {
    const tooFar = tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 6);
    expect(errorCode(await harness.post('/purchase', tooFar))).toBe('wrong_link');
    const tooShort = tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 4);
    expect(errorCode(await harness.post('/purchase', tooShort))).toBe('wrong_link');
    expect((await harness.agent.tab(tab.tabId))?.purchaseCount).toBe(0);
  });

  it('refuses a purchase beyond the remaining deposit', async () => {
    for (let i = 0; i < 3; i++) expect((await buy('article-3', '0.25', 25)).answer.status).toBe(200);
    expect((await buy('article-2', '0.05', 5)).answer.status).toBe(200);
    const { answer } = await buy('article-3', '0.25', 25);
    expect([answer.status, errorCode(answer)]).toEqual([409, 'deposit_exhausted']);
    expect(await harness.agent.tab(tab.tabId)).toMatchObject({
      status: 'open',
      spent: { minor: 80n },
      remaining: { minor: 20n },
    });
  });

  it('refuses a price the page changed, and one spelled differently from the catalogue', async () => {
    const cheaper = tab.customer.purchase(tab.tabId, 'article-3', eur('0.01'), 1);
    expect(errorCode(await harness.post('/purchase', cheaper))).toBe('price_mismatch');
    const respelled = tab.customer.purchase(tab.tabId, 'ebook-1', eur('1'), 100);
    expect(errorCode(await harness.post('/purchase', respelled))).toBe('price_mismatch');
    const tooPrecise = tab.customer.purchase(tab.tabId, 'article-2', eur('0.050'), 5);
    expect(errorCode(await harness.post('/purchase', tooPrecise))).toBe('amount_invalid');
    const otherCurrency = tab.customer.purchase(tab.tabId, 'article-2', { currency: 'SEK', value: '0.05' }, 5);
    expect(errorCode(await harness.post('/purchase', otherCurrency))).toBe('price_mismatch');
    expect((await harness.agent.tab(tab.tabId))?.purchaseCount).toBe(0);
  });

  it('refuses an unknown item, an unknown tab and a wrong sequence number', async () => {
    expect(
      errorCode(await harness.post('/purchase', tab.customer.purchase(tab.tabId, 'no-such-item', eur('0.05'), 5))),
    ).toBe('unknown_item');
    expect(
      errorCode(
        await harness.post(
          '/purchase',
          tab.customer.purchase('tab_000000000000000000000000', 'article-2', eur('0.05'), 5),
        ),
      ),
    ).toBe('unknown_tab');
    expect(
      errorCode(
        await harness.post('/purchase', tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5, { seq: 2 })),
      ),
    ).toBe('sequence_mismatch');
  });

  it('refuses purchases on a tab the merchant stopped, and sends its record', async () => {
    await buy('article-2', '0.05', 5);
    expect(await harness.agent.stop(tab.tabId)).toMatchObject({ status: 'stopped', stopReason: 'merchant-stop' });
    const { answer } = await buy('article-2', '0.05', 5);
    expect([answer.status, errorCode(answer)]).toEqual([409, 'tab_closed']);
    await eventually(() => harness.mta.records.length === 1);
    expect(harness.mta.records[0]!.payload).toMatchObject({
      tabId: tab.tabId,
      reason: 'merchant-stop',
      count: 1,
      total: eur('0.05'),
      lastChainIndex: 5,
    });
  });

  it('refuses purchases on an expired tab and stops it with reason timeout', async () => {
    harness.clock.advance(600_001);
    const { answer } = await buy('article-2', '0.05', 5);
    expect([answer.status, errorCode(answer)]).toEqual([409, 'tab_expired']);
    expect(await harness.agent.tab(tab.tabId)).toMatchObject({ status: 'stopped', stopReason: 'timeout' });
    expect(errorCode((await buy('article-2', '0.05', 5)).answer)).toBe('tab_expired');
  });

  it('stops the tab when the deposit is used up, with a record whose hash the customer can reproduce', async () => {
    const stopped: string[] = [];
    harness.agent.on('tab-stopped', (event) => stopped.push(event.reason));
    for (let i = 0; i < 4; i++) expect((await buy('article-3', '0.25', 25)).answer.status).toBe(200);
    expect(await harness.agent.tab(tab.tabId)).toMatchObject({
      status: 'stopped',
      stopReason: 'exhausted',
      remaining: { minor: 0n },
    });
    expect(stopped).toEqual(['exhausted']);
    expect(errorCode((await buy('article-1', '0.01', 1)).answer)).toBe('tab_closed');
    await eventually(() => harness.mta.records.length === 1);
    const lines = [1, 2, 3, 4].map((seq) => ({ seq, itemId: 'article-3', price: eur('0.25') }));
    expect(harness.mta.records[0]!.payload).toMatchObject({
      reason: 'exhausted',
      count: 4,
      total: eur('1.00'),
      lastChainIndex: 100,
      lastChainLink: tab.customer.chain.encodedLinkAt(100),
      purchaseListHash: purchaseListHash(nodeCrypto, fromBase64url(tab.customer.listKey), lines),
    });
  });

  it('answers a replayed purchase with the first receipt and refuses its id on a different purchase', async () => {
    const { purchase, answer } = await buy('article-2', '0.05', 5);
    const replay = await harness.post('/purchase', purchase);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(answer.body);
    const sameIdNewBody = { ...tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5), id: purchase.id };
    expect(errorCode(await harness.post('/purchase', sameIdNewBody))).toBe('id_reused');
    expect(await harness.agent.tab(tab.tabId)).toMatchObject({ purchaseCount: 1, spent: { minor: 5n } });
  });
});
