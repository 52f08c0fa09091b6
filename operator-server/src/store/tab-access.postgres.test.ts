// The tabs group of the operator store (the MTA's side), one suite run on both stores: tabs,
// the records they wait for and when they conclude, late records, disputes and resolutions are
// read back whole and exact; every state update moves exactly the states the transition table
// allows; and each "first one only" write has one winner however many race for it.

import { beforeAll, describe, expect, it } from 'vitest';
import { nextTabState, TAB_STATES, type TabEvent, type TabState } from '../mta/tab-states';
import type { TabAccess } from './operator-storage';
import type { Dispute, DisputeResolution, LateRecord } from './records';
import { BOTH_STORES, type StoreGroups } from './testing/both-stores';
import {
  BEYOND_DOUBLE_MINOR,
  CUSTOMER_OPERATOR_ID,
  MERCHANT_ID,
  recordOf,
  sampleTab,
  seedCustomerAndMerchant,
} from './testing/sample-records';

async function openSeeded(open: () => Promise<StoreGroups>): Promise<StoreGroups> {
  const groups = await open();
  await seedCustomerAndMerchant(groups);
  return groups;
}

const tabId = (n: number) => sampleTab(n).tabId;

/** Each event of the tabs group as the store applies it; true when the row changed. */
const UPDATES: Partial<Record<TabEvent, (tabs: TabAccess, id: string) => Promise<boolean>>> = {
  'merchant-acknowledged': (tabs, id) => tabs.markTabOpen(id),
  'registration-failed': (tabs, id) => tabs.markTabFailed(id),
  'registration-interrupted': async (tabs, id) =>
    (await tabs.failOpeningTabs(Number.MAX_SAFE_INTEGER)).some((tab) => tab.tabId === id),
  cleared: (tabs, id) => tabs.markTabCleared(id, 10n, 'agreed', 5),
  'clearing-corrected': async (tabs, id) => (await tabs.correctTabClearing(id, 20n, 'agreed')) !== null,
  'dispute-resolved': async (tabs, id) => (await tabs.resolveTabClearing(id, 5n)) !== null,
  // 'refunded' is the refunds group's update (refundTabClearing), not this one's.
};

/** The events that bring a new ('opening') tab to each state. */
const PATHS: Record<TabState, readonly TabEvent[]> = {
  opening: [],
  open: ['merchant-acknowledged'],
  cleared: ['merchant-acknowledged', 'cleared'],
  failed: ['registration-failed'],
};

async function openTab(tabs: TabAccess, n: number, fields: Parameters<typeof sampleTab>[1] = {}): Promise<string> {
  await tabs.insertTab(sampleTab(n, fields));
  expect(await tabs.markTabOpen(tabId(n))).toBe(true);
  return tabId(n);
}

describe.each(BOTH_STORES)('the tabs of the operator store on $name', ({ open }) => {
  it('keeps a tab whole and exact, found by its id, its chain root and its transaction', async () => {
    const { tabs } = await openSeeded(open);
    const fields = sampleTab(1, { deposit_minor: BEYOND_DOUBLE_MINOR });
    await tabs.insertTab(fields);
    const stored = await tabs.tab(fields.tabId);
    expect(stored).toEqual({
      ...fields,
      state: 'opening',
      customerRecord: null,
      merchantRecord: null,
      cleared_minor: null,
      outcome: null,
      clearedAt: null,
      chainRoot: 'root-1',
      merchantAskedAt: null,
      merchantHasNoRecord: false,
      clearingRevision: 0,
    });
    expect(await tabs.tabByChainRoot('root-1')).toEqual(stored);
    expect(await tabs.tabByTransaction(CUSTOMER_OPERATOR_ID, 'op-se.1.1')).toEqual(stored);
    expect(await tabs.tabByTransaction('op-no', 'op-se.1.1')).toBeNull();
    expect(await tabs.tab(tabId(2))).toBeNull();
    expect(await tabs.tabByChainRoot('root-2')).toBeNull();
    // One tab per transaction of a customer's operator, and per chain.
    await expect(tabs.insertTab(sampleTab(2, { transactionId: 'op-se.1.1' }))).rejects.toThrow();
    await expect(tabs.insertTab(sampleTab(3, { chain: sampleTab(1).chain }))).rejects.toThrow();
  });

  it('clears a tab with an amount beyond a double exact, and lists a merchant newest first up to a limit', async () => {
    const { tabs } = await openSeeded(open);
    for (const [n, openedAt] of [
      [1, 200],
      [2, 300],
      [3, 100],
    ] as const)
      await openTab(tabs, n, { openedAt });
    expect(await tabs.markTabCleared(tabId(1), BEYOND_DOUBLE_MINOR, 'customer-record-missing', 7_000)).toBe(true);
    expect(await tabs.tab(tabId(1))).toMatchObject({
      state: 'cleared',
      cleared_minor: BEYOND_DOUBLE_MINOR,
      outcome: 'customer-record-missing',
      clearedAt: 7_000,
    });
    const ids = async (limit: number) => (await tabs.tabsOfMerchant(MERCHANT_ID, limit)).map((tab) => tab.tabId);
    expect(await ids(10)).toEqual([tabId(2), tabId(1), tabId(3)]);
    expect(await ids(2)).toEqual([tabId(2), tabId(1)]);
    expect(await tabs.tabsOfMerchant('nobody', 10)).toEqual([]);
  });

  it("keeps the first record of each party; the customer's never moves the conclusion, the merchant's only earlier", async () => {
    const { tabs } = await openSeeded(open);
    const id = await openTab(tabs, 1, { concludeAfter: 3_000 });
    expect(await tabs.setTabCustomerRecord(id, recordOf('c1'))).toBe(true);
    expect(await tabs.setTabCustomerRecord(id, recordOf('c2'))).toBe(false);
    expect(await tabs.tab(id)).toMatchObject({ concludeAfter: 3_000, customerRecord: recordOf('c1') });
    expect(await tabs.setTabMerchantRecord(id, recordOf('m1'), 4_000)).toBe(true);
    expect(await tabs.tab(id)).toMatchObject({ concludeAfter: 3_000, merchantRecord: recordOf('m1') });
    expect(await tabs.setTabMerchantRecord(id, recordOf('m2'), 1_000)).toBe(false);
    expect(await tabs.tab(id)).toMatchObject({ concludeAfter: 3_000, merchantRecord: recordOf('m1') });

    const other = await openTab(tabs, 2, { concludeAfter: 3_000 });
    expect(await tabs.setTabMerchantRecord(other, recordOf('m3'), 2_000)).toBe(true);
    expect((await tabs.tab(other))?.concludeAfter).toBe(2_000);
  });

  it('asks the merchant once, only for an open tab, waiting at least until the given time', async () => {
    const { tabs } = await openSeeded(open);
    await tabs.insertTab(sampleTab(1, { concludeAfter: 3_000 }));
    expect(await tabs.markMerchantAsked(tabId(1), 100, 5_000)).toBe(false);
    expect(await tabs.markTabOpen(tabId(1))).toBe(true);
    expect(await tabs.markMerchantAsked(tabId(1), 100, 5_000)).toBe(true);
    expect(await tabs.tab(tabId(1))).toMatchObject({ merchantAskedAt: 100, concludeAfter: 5_000 });
    expect(await tabs.markMerchantAsked(tabId(1), 200, 9_000)).toBe(false);
    expect(await tabs.tab(tabId(1))).toMatchObject({ merchantAskedAt: 100, concludeAfter: 5_000 });

    // Asked with less time than the tab already has: it keeps its time.
    const later = await openTab(tabs, 2, { concludeAfter: 8_000 });
    expect(await tabs.markMerchantAsked(later, 100, 5_000)).toBe(true);
    expect((await tabs.tab(later))?.concludeAfter).toBe(8_000);
  });

  it('concludes an open tab no later than the given time once the merchant has no record', async () => {
    const { tabs } = await openSeeded(open);
    await tabs.insertTab(sampleTab(1, { concludeAfter: 3_000 }));
    expect(await tabs.markMerchantHasNoRecord(tabId(1), 1_000)).toBe(false);
    expect(await tabs.tab(tabId(1))).toMatchObject({ merchantHasNoRecord: false, concludeAfter: 3_000 });
    expect(await tabs.markTabOpen(tabId(1))).toBe(true);
    expect(await tabs.markMerchantHasNoRecord(tabId(1), 4_000)).toBe(true);
    expect(await tabs.tab(tabId(1))).toMatchObject({ merchantHasNoRecord: true, concludeAfter: 3_000 });
    expect(await tabs.markMerchantHasNoRecord(tabId(1), 1_000)).toBe(true);
    expect((await tabs.tab(tabId(1)))?.concludeAfter).toBe(1_000);
    expect(await tabs.markTabCleared(tabId(1), 0n, 'merchant-record-missing', 2_000)).toBe(true);
    expect(await tabs.markMerchantHasNoRecord(tabId(1), 500)).toBe(false);
  });

  it('postpones every open tab to a time and finds the due ones soonest first, up to a limit', async () => {
    const { tabs } = await openSeeded(open);
    await openTab(tabs, 1, { concludeAfter: 300 });
    await openTab(tabs, 2, { concludeAfter: 100 });
    await openTab(tabs, 3, { concludeAfter: 900 });
    await openTab(tabs, 4, { concludeAfter: 200 });
    await tabs.insertTab(sampleTab(5, { concludeAfter: 100 }));
    expect(await tabs.markTabCleared(tabId(4), 1n, 'agreed', 1)).toBe(true);
    const due = async (now_ms: number, limit: number) => (await tabs.dueTabs(now_ms, limit)).map((tab) => tab.tabId);
    expect(await due(300, 10)).toEqual([tabId(2), tabId(1)]);
    expect(await due(1_000, 2)).toEqual([tabId(2), tabId(1)]);

    // The open tabs are counted, whether they had less time or more.
    expect(await tabs.postponeDueTabs(500)).toBe(3);
    expect(await due(499, 10)).toEqual([]);
    // Both now due at the same time: in either order.
    expect((await due(500, 10)).sort()).toEqual([tabId(1), tabId(2)]);
    expect((await tabs.tab(tabId(3)))?.concludeAfter).toBe(900);
    expect((await tabs.tab(tabId(4)))?.concludeAfter).toBe(200);
    expect((await tabs.tab(tabId(5)))?.concludeAfter).toBe(100);
  });

  it('fails every tab still opening at start-up, and says which', async () => {
    const { tabs } = await openSeeded(open);
    await tabs.insertTab(sampleTab(1));
    await tabs.insertTab(sampleTab(2, { currency: 'SEK' }));
    await openTab(tabs, 3);
    const failed = await tabs.failOpeningTabs(Number.MAX_SAFE_INTEGER);
    expect([...failed].sort((a, b) => a.tabId.localeCompare(b.tabId))).toEqual([
      { tabId: tabId(1), merchantId: MERCHANT_ID, currency: 'EUR' },
      { tabId: tabId(2), merchantId: MERCHANT_ID, currency: 'SEK' },
    ]);
    expect((await tabs.tab(tabId(1)))?.state).toBe('failed');
    expect((await tabs.tab(tabId(3)))?.state).toBe('open');
    expect(await tabs.failOpeningTabs(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('fails only the tabs opened before the time given: a registration begun since may still be under way', async () => {
    const { tabs } = await openSeeded(open);
    await tabs.insertTab(sampleTab(1)); // opened at 1 001
    await tabs.insertTab(sampleTab(2)); // opened at 1 002
    expect(await tabs.failOpeningTabs(1_001)).toEqual([]);
    expect(await tabs.failOpeningTabs(1_002)).toEqual([{ tabId: tabId(1), merchantId: MERCHANT_ID, currency: 'EUR' }]);
    expect((await tabs.tab(tabId(2)))?.state).toBe('opening');
    expect(await tabs.markTabOpen(tabId(2))).toBe(true);
  });

  it('searches by merchant, state and opening time (from inclusive, until exclusive), newest first', async () => {
    const { tabs, merchants } = await openSeeded(open);
    await merchants.upsertMerchant({
      merchantId: 'shop',
      displayName: 'Shop',
      currency: 'EUR',
      origins: [],
      agentUrl: 'http://shop.invalid',
      publicKey: 'shop-key',
      createdAt: 1,
    });
    await openTab(tabs, 1, { openedAt: 100 });
    await openTab(tabs, 2, { openedAt: 200, merchantId: 'shop' });
    await tabs.insertTab(sampleTab(3, { openedAt: 300 }));
    await openTab(tabs, 4, { openedAt: 400 });
    const search = async (filter: Parameters<TabAccess['searchTabs']>[0]) =>
      (await tabs.searchTabs(filter)).map((tab) => tab.tabId);
    expect(await search({ limit: 10 })).toEqual([tabId(4), tabId(3), tabId(2), tabId(1)]);
    expect(await search({ limit: 3 })).toEqual([tabId(4), tabId(3), tabId(2)]);
    expect(await search({ merchantId: MERCHANT_ID, limit: 10 })).toEqual([tabId(4), tabId(3), tabId(1)]);
    expect(await search({ state: 'opening', limit: 10 })).toEqual([tabId(3)]);
    expect(await search({ from_ms: 200, until_ms: 400, limit: 10 })).toEqual([tabId(3), tabId(2)]);
    expect(await search({ merchantId: MERCHANT_ID, state: 'open', until_ms: 400, limit: 10 })).toEqual([tabId(1)]);
  });

  it('raises a correction only to more than was cleared, counting revisions', async () => {
    const { tabs } = await openSeeded(open);
    const id = await openTab(tabs, 1);
    expect(await tabs.markTabCleared(id, 10n, 'agreed', 5)).toBe(true);
    expect(await tabs.correctTabClearing(id, 20n, 'customer-record-missing')).toBe(1);
    expect(await tabs.correctTabClearing(id, 20n, 'customer-record-missing')).toBeNull();
    expect(await tabs.correctTabClearing(id, 15n, 'agreed')).toBeNull();
    expect(await tabs.correctTabClearing(id, BEYOND_DOUBLE_MINOR, 'disputed')).toBe(2);
    expect(await tabs.tab(id)).toMatchObject({
      cleared_minor: BEYOND_DOUBLE_MINOR,
      clearingRevision: 2,
      outcome: 'disputed',
    });
  });

  it("sets a resolved dispute's amount either way, as the next revision, and keeps the resolution once", async () => {
    const { tabs } = await openSeeded(open);
    const id = await openTab(tabs, 1);
    expect(await tabs.markTabCleared(id, 10n, 'disputed', 5)).toBe(true);
    const dispute: Dispute = {
      disputeId: 'dispute-1',
      tabId: id,
      createdAt: 6,
      cleared_minor: 10n,
      reason: 'the records disagree',
      customerRecord: recordOf('c1'),
      merchantRecord: null,
    };
    await tabs.insertDispute(dispute);
    expect(await tabs.resolveTabClearing(id, 4n)).toBe(1);
    expect(await tabs.tab(id)).toMatchObject({ cleared_minor: 4n, clearingRevision: 1, outcome: 'disputed' });
    expect(await tabs.resolveTabClearing(id, 9n)).toBe(2);
    expect(await tabs.tab(id)).toMatchObject({ cleared_minor: 9n, clearingRevision: 2 });

    const resolution: DisputeResolution = {
      tabId: id,
      disputeId: 'dispute-1',
      decision: 'adjust',
      clearedBefore_minor: 10n,
      clearedAfter_minor: BEYOND_DOUBLE_MINOR,
      revision: 2,
      reason: 'the merchant showed more',
      envelope: '{"sealed":true}',
      decidedAt: 8,
    };
    expect(await tabs.resolutionOfTab(id)).toBeNull();
    await tabs.insertResolution(resolution);
    expect(await tabs.resolutionOfTab(id)).toEqual(resolution);
    await expect(tabs.insertResolution({ ...resolution, decision: 'uphold' })).rejects.toThrow();
    expect(await tabs.resolutionOfTab(id)).toEqual(resolution);
  });

  it('keeps disputes whole, lists them newest first up to a limit, and those of a tab', async () => {
    const { tabs } = await openSeeded(open);
    const first = await openTab(tabs, 1);
    const second = await openTab(tabs, 2);
    const dispute = (n: number, tab: string, createdAt: number): Dispute => ({
      disputeId: `dispute-${n}`,
      tabId: tab,
      createdAt,
      cleared_minor: BEYOND_DOUBLE_MINOR + BigInt(n),
      reason: `reason ${n}`,
      customerRecord: n % 2 === 0 ? null : recordOf(`c${n}`),
      merchantRecord: n % 2 === 0 ? recordOf(`m${n}`) : null,
    });
    await tabs.insertDispute(dispute(1, first, 200));
    await tabs.insertDispute(dispute(2, second, 300));
    await tabs.insertDispute(dispute(3, first, 100));
    expect(await tabs.dispute('dispute-2')).toEqual(dispute(2, second, 300));
    expect(await tabs.dispute('dispute-9')).toBeNull();
    expect(await tabs.disputes(10)).toEqual([dispute(2, second, 300), dispute(1, first, 200), dispute(3, first, 100)]);
    expect((await tabs.disputes(1)).map((d) => d.disputeId)).toEqual(['dispute-2']);
    const ofFirst = await tabs.disputesOfTab(first);
    expect([...ofFirst].sort((a, b) => a.createdAt - b.createdAt)).toEqual([
      dispute(3, first, 100),
      dispute(1, first, 200),
    ]);
    expect(await tabs.disputesOfTab(tabId(9))).toEqual([]);
    await expect(tabs.insertDispute(dispute(1, second, 400))).rejects.toThrow();
  });

  it('keeps a late record once by its id, oldest first', async () => {
    const { tabs } = await openSeeded(open);
    const id = await openTab(tabs, 1);
    const late = (n: number, receivedAt: number, party: LateRecord['party']): LateRecord => ({
      recordId: `record-${n}`,
      tabId: id,
      party,
      record: recordOf(`r${n}`),
      receivedAt,
      effect: n === 1 ? 'corrected:1' : 'no-change',
    });
    const inserts = await Promise.all([1, 2, 3].map(() => tabs.insertLateRecord(late(1, 500, 'merchant'))));
    expect(inserts.filter(Boolean)).toHaveLength(1);
    expect(await tabs.insertLateRecord(late(2, 400, 'customer'))).toBe(true);
    expect(await tabs.insertLateRecord({ ...late(2, 900, 'merchant'), effect: 'after-window' })).toBe(false);
    expect(await tabs.lateRecordsOfTab(id)).toEqual([late(2, 400, 'customer'), late(1, 500, 'merchant')]);
    expect(await tabs.lateRecordsOfTab(tabId(2))).toEqual([]);
  });

  it('clears a tab once when ten clearings race for it, and keeps one correction of a raced amount', async () => {
    const { tabs } = await openSeeded(open);
    const id = await openTab(tabs, 1);
    const clearings = await Promise.all(
      Array.from({ length: 10 }, (_, i) => tabs.markTabCleared(id, BigInt(i + 1), 'agreed', 100 + i)),
    );
    expect(clearings.filter(Boolean)).toHaveLength(1);
    const winner = clearings.indexOf(true);
    expect(await tabs.tab(id)).toMatchObject({
      state: 'cleared',
      cleared_minor: BigInt(winner + 1),
      clearedAt: 100 + winner,
    });

    const corrections = await Promise.all([1, 2, 3, 4].map(() => tabs.correctTabClearing(id, 50n, 'agreed')));
    expect(corrections.filter((revision) => revision !== null)).toEqual([1]);
    const records = await Promise.all(['m1', 'm2', 'm3'].map((r) => tabs.setTabMerchantRecord(id, recordOf(r), 0)));
    expect(records.filter(Boolean)).toHaveLength(1);
  });

  describe('state updates follow the transition table', () => {
    let groups: StoreGroups;
    let n = 0;
    beforeAll(async () => {
      groups = await openSeeded(open);
    });

    /** A new tab brought to `state` through the store's own updates. */
    async function tabIn(state: TabState): Promise<string> {
      n += 1;
      await groups.tabs.insertTab(sampleTab(n));
      for (const event of PATHS[state]) expect(await UPDATES[event]!(groups.tabs, tabId(n))).toBe(true);
      expect((await groups.tabs.tab(tabId(n)))?.state).toBe(state);
      return tabId(n);
    }

    const cases = TAB_STATES.flatMap((state) =>
      (Object.keys(UPDATES) as TabEvent[]).map((event) => [state, event] as const),
    );
    it.each(cases)('from %s on %s', async (state, event) => {
      const id = await tabIn(state);
      const next = nextTabState(state, event);
      expect(await UPDATES[event]!(groups.tabs, id)).toBe(next !== null);
      expect((await groups.tabs.tab(id))?.state).toBe(next ?? state);
    });
  });
});
