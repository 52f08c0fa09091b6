// Merchants' refunds as a group of the operator's store, one suite run on both stores: a refund is
// kept once under its id and listed per tab in the order taken, amounts stay exact beyond 2^53,
// and refunds racing for what a cleared tab has left take no more than it cleared.

import { describe, expect, it } from 'vitest';
import type { StoredRefund } from './records';
import { BOTH_STORES, type StoreGroups } from './testing/both-stores';

const NOW_MS = 1_800_000_000_000;
/** Past 2^53: a number would round it. */
const HUGE_MINOR = 2n ** 53n + 1n;

/** A merchant and one tab of it, in `state`, clearing `cleared_minor` when cleared. */
async function tabOf({ merchants, sql }: StoreGroups, state: 'open' | 'cleared', cleared_minor: bigint | null) {
  await merchants.upsertMerchant({
    merchantId: 'shop-1',
    displayName: 'Shop One',
    currency: 'EUR',
    origins: ['https://shop.example'],
    agentUrl: 'https://shop.example/opentab',
    publicKey: 'shop-key',
    createdAt: NOW_MS,
  });
  await sql.execute(
    `INSERT INTO tabs (tab_id, merchant_id, customer_operator_id, transaction_id, state, pseudonym, tab_public_key,
       deposit_minor, currency, chain, opened_at, expires_at, conclude_after, cleared_minor, chain_root)
     VALUES ('tab_1', 'shop-1', 'op-us', 'tx-1', '${state}', 'pseudonym', 'tab-key', ${3n * HUGE_MINOR}, 'EUR', '{}',
       ${NOW_MS}, ${NOW_MS + 3_600_000}, ${NOW_MS + 3_600_000}, ${cleared_minor ?? 'NULL'}, 'root-1')`,
  );
}

async function clearingOf({ sql }: StoreGroups) {
  const [row] = await sql.select("SELECT cleared_minor, clearing_revision FROM tabs WHERE tab_id = 'tab_1'");
  return { cleared_minor: BigInt(row!.cleared_minor as string), revision: Number(row!.clearing_revision) };
}

const refund = (refundId: string, amount_minor: bigint, revision: number | null = null): StoredRefund => ({
  refundId,
  tabId: 'tab_1',
  amount_minor,
  reason: 'returned unread',
  receivedAt: NOW_MS + 60_000,
  revision,
});

describe.each(BOTH_STORES)('the refunds of the operator store on $name', ({ open }) => {
  it('keeps a refund once under its id, exact beyond 2^53, and sums what a tab was refunded', async () => {
    const store = await open();
    const { refunds } = store;
    await tabOf(store, 'open', null);
    expect(await refunds.refund('refund-1')).toBeNull();
    expect(await refunds.refundedOfTab('tab_1')).toBe(0n);
    const kept = await Promise.all([
      refunds.insertRefund(refund('refund-1', HUGE_MINOR)),
      refunds.insertRefund(refund('refund-1', 5n)),
    ]);
    expect(kept.filter(Boolean)).toHaveLength(1);
    expect(await refunds.refund('refund-1')).toEqual(refund('refund-1', kept[0] ? HUGE_MINOR : 5n));
    await refunds.insertRefund(refund('refund-1', 7n));
    await refunds.insertRefund(refund('refund-2', HUGE_MINOR, 1));
    expect(await refunds.refund('refund-2')).toEqual(refund('refund-2', HUGE_MINOR, 1));
    expect(await refunds.refundedOfTab('tab_1')).toBe((kept[0] ? HUGE_MINOR : 5n) + HUGE_MINOR);
    expect(await refunds.refundedOfTab('tab_2')).toBe(0n);
  });

  it("lists a tab's refunds in the order they were taken, and none of another tab", async () => {
    const store = await open();
    const { refunds } = store;
    await tabOf(store, 'cleared', 2n * HUGE_MINOR);
    const first = { ...refund('refund-c', HUGE_MINOR), receivedAt: NOW_MS + 1_000 };
    const second = refund('refund-a', 2n, 1);
    const third = { ...refund('refund-b', 3n, 2), receivedAt: NOW_MS + 120_000 };
    for (const kept of [third, first, second]) await refunds.insertRefund(kept);
    expect(await refunds.refundsOfTab('tab_1')).toEqual([first, second, third]);
    expect(await refunds.refundsOfTab('tab_2')).toEqual([]);
  });

  it('lowers a cleared tab by each refund as its next revision, exactly', async () => {
    const store = await open();
    await tabOf(store, 'cleared', 2n * HUGE_MINOR);
    expect(await store.refunds.refundTabClearing('tab_1', HUGE_MINOR - 2n)).toBe(1);
    expect(await store.refunds.refundTabClearing('tab_1', 1n)).toBe(2);
    expect(await clearingOf(store)).toEqual({ cleared_minor: HUGE_MINOR + 1n, revision: 2 });
    // No more than the tab clears, and nothing on a tab that never cleared.
    expect(await store.refunds.refundTabClearing('tab_1', HUGE_MINOR + 2n)).toBeNull();
    expect(await store.refunds.refundTabClearing('tab_2', 1n)).toBeNull();
    expect(await clearingOf(store)).toEqual({ cleared_minor: HUGE_MINOR + 1n, revision: 2 });
  });

  it('takes refunds racing for a cleared tab only while it clears enough, each as a revision of its own', async () => {
    const store = await open();
    await tabOf(store, 'cleared', 3n * HUGE_MINOR);
    const revisions = await Promise.all(
      Array.from({ length: 5 }, () => store.refunds.refundTabClearing('tab_1', HUGE_MINOR)),
    );
    expect(revisions.filter((revision) => revision !== null).sort()).toEqual([1, 2, 3]);
    expect(await clearingOf(store)).toEqual({ cleared_minor: 0n, revision: 3 });
  });

  it('refunds nothing through the clearing of a tab still open', async () => {
    const store = await open();
    await tabOf(store, 'open', null);
    expect(await store.refunds.refundTabClearing('tab_1', 1n)).toBeNull();
    const [row] = await store.sql.select("SELECT clearing_revision FROM tabs WHERE tab_id = 'tab_1'");
    expect(Number(row!.clearing_revision)).toBe(0);
  });
});
