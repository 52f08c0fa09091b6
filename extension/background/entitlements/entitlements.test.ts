import { describe, expect, it } from 'vitest';
import { hundredArticles } from '@opentab/test-kit/worlds';
import {
  agentWorldPerTest,
  ARTICLE_1,
  ARTICLE_2,
  ARTICLE_4,
  eur,
  expectOk,
  expectPaid,
  PASSPHRASE,
  type AgentWorld,
} from '../testing/agent-world';
import { ENTITLEMENT_MARGIN_MS } from './entitlement-record';

// The world's articles are entitlements for 30 days, except article-2 (one hour) and article-4,
// a consumable sold each time.
const CATALOGUE = hundredArticles().map((entry) => {
  if (entry.itemId === ARTICLE_2.itemId) return { ...entry, access_s: 3_600 };
  if (entry.itemId === ARTICLE_4.itemId) return { ...entry, kind: 'consumable' as const };
  return entry;
});
const EVIL_ORIGIN = 'https://evil.example';

let w: AgentWorld;

agentWorldPerTest(
  async (started) => {
    w = started;
  },
  { catalogue: CATALOGUE },
);

/** Purchases the merchant agent took, over all of this customer's tabs. */
async function merchantPurchases(): Promise<number> {
  return (await w.world.merchant.agent.tabs()).reduce((count, tab) => count + tab.purchaseCount, 0);
}

function askOwned(itemIds: string[], origin = w.shopOrigin, merchant = w.merchant) {
  return w.page('entitlements', { ...merchant, itemIds }, { origin });
}

describe('an entitlement bought before', () => {
  it('is answered with its stored token on a second pay, charging nothing', async () => {
    await w.readyWallet();
    const bought = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).receipt.payload;
    expect(bought.entitledUntil).toBeDefined();

    const again = expectOk(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }, { browserTabId: 2 }));
    expect(again).toEqual({
      kind: 'owned',
      itemId: 'article-1',
      accessToken: bought.accessToken,
      entitledUntil: bought.entitledUntil,
    });
    expect(w.world.merchant.agent.verifyAccess(again.kind === 'owned' ? again.accessToken : null, 'article-1')).toBe(
      true,
    );
    expect(await merchantPurchases()).toBe(1);
    expect(expectOk(await w.page('tabStatus', w.merchant))).toMatchObject({ spent: eur('0.08') });
    expect(expectOk(await w.ui('getHistory', {})).purchases).toHaveLength(1);
  });

  it('stays owned after the tab is closed and the service worker restarts, without opening a new tab', async () => {
    await w.readyWallet();
    const bought = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).receipt.payload;
    expect(expectOk(await w.page('closeTab', w.merchant))).toEqual({ closed: true });
    await w.restart();

    expect(expectOk(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }))).toMatchObject({
      kind: 'owned',
      accessToken: bought.accessToken,
    });
    expect(w.asked).toHaveLength(1);
    expect(expectOk(await w.page('tabStatus', w.merchant)).open).toBe(false);
    expect(await merchantPurchases()).toBe(1);
  });

  it('is sold again once its access period is over', async () => {
    await w.readyWallet();
    // A tab that outlives the one-hour entitlement, so the second purchase goes into the same tab.
    expectOk(
      await w.ui('setLimits', {
        limits: { maxDepositPerTab: null, dailyCap: null, monthlyCap: null, defaultDeposit: '20.00' },
        tabTimeout_s: 7_200,
        idleLock_min: 15,
      }),
    );
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).receipt.payload;
    const until_ms = Date.parse(first.entitledUntil!);

    // Held until the margin before the merchant's expiry…
    w.ports.clock.advance(until_ms - ENTITLEMENT_MARGIN_MS - 1 - w.ports.clock.now_ms());
    expect(expectOk(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }))).toMatchObject({
      kind: 'owned',
      accessToken: first.accessToken,
    });
    expect(expectOk(await askOwned([ARTICLE_2.itemId])).entitlements).toHaveLength(1);
    // …then bought again, and the new purchase is the one held from now on.
    w.ports.clock.advance(1);
    expect(expectOk(await askOwned([ARTICLE_2.itemId])).entitlements).toEqual([]);
    const second = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).receipt.payload;
    expect(second).toMatchObject({ seq: 2, spent: eur('0.30') });
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(expectOk(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }))).toMatchObject({
      kind: 'owned',
      accessToken: second.accessToken,
    });
    expect(await merchantPurchases()).toBe(2);
  });

  it('is still handed over after the customer blocks the merchant, who is paid nothing more', async () => {
    await w.readyWallet();
    const bought = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).receipt.payload;
    expectOk(await w.ui('blockMerchant', { ...w.merchant, displayName: 'The Daily Tab' }));
    expect(expectOk(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }))).toMatchObject({
      kind: 'owned',
      accessToken: bought.accessToken,
    });
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).toMatchObject({
      ok: false,
      error: { code: 'blocked_merchant' },
    });
    expect(await merchantPurchases()).toBe(1);
  });

  it('is given to no page of an origin its merchant certificate does not list', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }, { origin: EVIL_ORIGIN })).toMatchObject({
      ok: false,
      error: { code: 'origin_not_allowed' },
    });
    expect(expectOk(await askOwned([ARTICLE_1.itemId], EVIL_ORIGIN))).toEqual({ entitlements: [] });
    expect(await merchantPurchases()).toBe(1);
  });
});

describe('a consumable', () => {
  it('is charged on every pay, and never held', async () => {
    await w.readyWallet();
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 })).receipt.payload;
    const second = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 })).receipt.payload;
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(second.spent).toEqual(eur('0.12'));
    expect(first).not.toHaveProperty('entitledUntil');
    expect(await merchantPurchases()).toBe(2);
    expect(expectOk(await askOwned([ARTICLE_4.itemId])).entitlements).toEqual([]);
  });
});

describe('asking at page load which items are owned', () => {
  it('names the unexpired entitlements among the items asked about, with their tokens', async () => {
    await w.readyWallet();
    const article1 = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).receipt.payload;
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
    await w.restart();
    const owned = expectOk(await askOwned(['article-1', 'article-3', 'article-4', 'article-1']));
    expect(owned).toEqual({
      entitlements: [{ itemId: 'article-1', accessToken: article1.accessToken, entitledUntil: article1.entitledUntil }],
    });
    // Only what was asked about.
    expect(expectOk(await askOwned(['article-3'])).entitlements).toEqual([]);
    expect(await merchantPurchases()).toBe(2);
  });

  it("tells no other origin, and nothing about another merchant's items", async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(expectOk(await askOwned(['article-1'], EVIL_ORIGIN)).entitlements).toEqual([]);
    expect(
      expectOk(await askOwned(['article-1'], w.shopOrigin, { ...w.merchant, merchantId: 'elsewhere' })).entitlements,
    ).toEqual([]);
  });

  it('tells nothing while the wallet is locked', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expectOk(await w.ui('lock', {}));
    expect(await askOwned(['article-1'])).toMatchObject({ ok: false, error: { code: 'wallet_locked' } });
    expectOk(await w.ui('unlock', { passphrase: PASSPHRASE }));
    expect(expectOk(await askOwned(['article-1'])).entitlements).toHaveLength(1);
  });

  it('refuses a malformed question', async () => {
    await w.readyWallet();
    const tooMany = Array.from({ length: 501 }, (_, i) => `article-${i}`);
    expect(await askOwned(tooMany)).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await askOwned(['has space'])).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });
});
