import { describe, expect, it } from 'vitest';
import type { BatchWrite } from '../storage/database';
import { waitFor } from '@opentab/test-kit';
import {
  agentWorldPerTest,
  ARTICLE_1,
  ARTICLE_2,
  ARTICLE_4,
  eur,
  expectOk,
  expectPaid,
  type AgentWorld,
} from '../testing/agent-world';
import type { OpenTab } from './tab-record';

// What one click inside an open tab costs the worker, and what it may leave for after the answer:
// the page is answered once the receipt checks out; storing it with the tab finishes under the
// merchant's lock, before the next call at that merchant starts.

let w: AgentWorld;

agentWorldPerTest((started) => {
  w = started;
});

/** One task later: every promise chain that needs no I/O and no timer has run to its end. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}

/** Every storage call that reaches the database or the session area, by name. */
function recordStorageCalls(): string[] {
  const calls: string[] = [];
  const { db, session } = w;
  const metaGet = db.meta.get.bind(db.meta);
  (db.meta as { get: unknown }).get = (key: string) => (calls.push(`meta.get ${key}`), metaGet(key as never));
  const metaPut = db.meta.put.bind(db.meta);
  (db.meta as { put: unknown }).put = (key: string, value: unknown) => (
    calls.push(`meta.put ${key}`), metaPut(key as never, value as never)
  );
  for (const name of ['get', 'put', 'all'] as const) {
    const original = db.tabs[name].bind(db.tabs) as (...args: unknown[]) => Promise<unknown>;
    (db.tabs as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => (
      calls.push(`tabs.${name}`), original(...args)
    );
  }
  for (const name of ['get', 'withPrefix', 'all'] as const) {
    const original = db.entitlements[name].bind(db.entitlements) as (...args: unknown[]) => Promise<unknown>;
    (db.entitlements as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => (
      calls.push(`entitlements.${name}`), original(...args)
    );
  }
  const batch = db.batch.bind(db);
  (db as { batch: unknown }).batch = (writes: readonly BatchWrite[]) => (
    calls.push(`batch ${writes.map((write) => write.store).join('+')}`), batch(writes)
  );
  const sessionGet = session.get.bind(session);
  session.get = (key) => (calls.push(`session.get ${key}`), sessionGet(key));
  const sessionSet = session.set.bind(session);
  session.set = (key, value) => (calls.push(`session.set ${key}`), sessionSet(key, value));
  return calls;
}

async function storedTab(): Promise<OpenTab> {
  return (await w.db.tabs.all()).find((tab): tab is OpenTab => tab.phase === 'open')!;
}

describe('a click inside an open tab', () => {
  it('reads nothing from storage: one write of the pending purchase while sending, one batch after', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expectOk(await w.page('tabStatus', w.merchant));
    const calls = recordStorageCalls();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expectOk(await w.page('tabStatus', w.merchant)); // waits for the bookkeeping of the click
    expect(calls).toEqual(['tabs.put', 'batch purchases+entitlements+tabs']);
  });

  it("a restarted worker reads wallet, settings, tabs and the merchant's entitlements from storage again, each once", async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    const calls = recordStorageCalls();
    await w.restart();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
    const reads = calls.filter(
      (call) =>
        call.startsWith('meta.get') ||
        call.startsWith('session.get') ||
        call === 'tabs.all' ||
        call.startsWith('entitlements.'),
    );
    for (const read of [
      'meta.get vault',
      'meta.get enrolment',
      'meta.get preferences',
      'meta.get rules',
      'session.get unlockedIdentityKey',
      'tabs.all',
      'entitlements.withPrefix',
    ]) {
      expect(
        reads.filter((call) => call === read),
        read,
      ).toHaveLength(1);
    }
    expect(reads.filter((call) => call.startsWith('entitlements.'))).toEqual(['entitlements.withPrefix']);
  });

  it('sends the purchase while its pending write is under way, and answers only once that write is done', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    const pendingWrite = deferred();
    const put = w.db.tabs.put.bind(w.db.tabs);
    (w.db.tabs as { put: unknown }).put = async (key: string, tab: OpenTab) => (
      await pendingWrite.promise, put(key, tab)
    );
    const purchasesBefore = w.ports.fetched.filter((url) => url.endsWith('/purchase')).length;
    let answered = false;
    const paying = w.page('pay', { ...w.merchant, ...ARTICLE_2 }).finally(() => (answered = true));

    const { tabId } = await storedTab();
    await waitFor(
      'the merchant to sell article-2',
      async () => (await w.world.merchant.agent.purchases(tabId)).length === 2,
    );
    expect(w.ports.fetched.filter((url) => url.endsWith('/purchase'))).toHaveLength(purchasesBefore + 1);
    // The receipt is in the agent's hands, and all it could do without the write is done: no answer yet.
    await waitFor(
      'the receipt to reach the agent',
      () => w.ports.answered.filter((url) => url.endsWith('/purchase')).length === purchasesBefore + 1,
    );
    await nextTask();
    expect(answered).toBe(false);
    pendingWrite.resolve();
    expect(expectPaid(await paying).receipt.payload).toMatchObject({ seq: 2, chainIndex: 23 });
  });

  it('answers before the receipt is stored, and the next click at the merchant waits for it', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    const storing = deferred();
    const batch = w.db.batch.bind(w.db);
    (w.db as { batch: unknown }).batch = async (writes: readonly BatchWrite[]) => (
      await storing.promise, batch(writes)
    );

    const paid = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(paid.receipt.payload).toMatchObject({ seq: 2, chainIndex: 23 });
    // Answered; in storage the purchase is still pending, so a stopped worker would re-send it.
    expect((await storedTab()).pendingPurchase).toMatchObject({ seq: 2, chainIndex: 23 });

    const purchasesBefore = w.ports.fetched.filter((url) => url.endsWith('/purchase')).length;
    const next = w.page('pay', { ...w.merchant, ...ARTICLE_4 });
    await nextTask(); // all it could do without the stored receipt is done: nothing sent
    expect(w.ports.fetched.filter((url) => url.endsWith('/purchase'))).toHaveLength(purchasesBefore);
    storing.resolve();
    expect(expectPaid(await next).receipt.payload).toMatchObject({ seq: 3, chainIndex: 29 });
    expect((await storedTab()).pendingPurchase).toBeNull();
  });

  it('a receipt that could not be stored is fetched again by the next click, never paid twice', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    const batch = w.db.batch.bind(w.db);
    let failures = 1;
    (w.db as { batch: unknown }).batch = async (writes: readonly BatchWrite[]) => {
      if (failures-- > 0) throw new Error('disk full');
      return batch(writes);
    };
    expect(expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).receipt.payload).toMatchObject({
      seq: 2,
      chainIndex: 23,
    });
    const next = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
    // The pending article-2 was re-sent (the merchant answers it again) and stored, then article-4 paid.
    expect(next.receipt.payload).toMatchObject({ seq: 3, chainIndex: 29 });
    const history = expectOk(await w.ui('getHistory', {})).purchases.map((purchase) => purchase.itemId);
    expect(history).toEqual(['article-4', 'article-2', 'article-1']);
  });

  it('does not wait for the badge', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    w.ports.badge.show = () => new Promise(() => undefined);
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
  });
});
