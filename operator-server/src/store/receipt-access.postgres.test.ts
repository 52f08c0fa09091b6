// The receipts group of the operator store (the first answer to each message id), one suite run on
// both stores: the first answer stands however many race to store theirs, and pruning forgets the
// oldest first.

import { describe, expect, it } from 'vitest';
import type { StoredAnswer } from './message-receipt-store';
import { BOTH_STORES } from './testing/both-stores';

const NOW_MS = 1_800_000_000_000;

function answer(messageId: string, response: string, createdAt_ms = NOW_MS): StoredAnswer {
  return { messageId, route: 'peerClearing', bodyDigest: `sig-${response}`, status: 200, response, createdAt_ms };
}

describe.each(BOTH_STORES)('the message receipts of the operator store on $name', ({ open }) => {
  it('keeps the first answer to a message id and refuses to replace it', async () => {
    const { receipts } = await open();
    expect(await receipts.storedAnswer('m1')).toBeNull();
    expect(await receipts.insertAnswer(answer('m1', '"first"'))).toBe(true);
    expect(await receipts.insertAnswer({ ...answer('m1', '"second"'), status: 422 })).toBe(false);
    expect(await receipts.storedAnswer('m1')).toEqual(answer('m1', '"first"'));
  });

  it('keeps exactly one answer when transactions race to store theirs, and none a rollback undid', async () => {
    const store = await open();
    const stored = await Promise.all(
      ['"a"', '"b"', '"c"'].map((response) =>
        store.transaction(async (tx) => tx.receipts.insertAnswer(answer('m2', response))),
      ),
    );
    expect(stored.filter(Boolean)).toHaveLength(1);
    const winner = ['"a"', '"b"', '"c"'][stored.indexOf(true)]!;
    expect((await store.receipts.storedAnswer('m2'))?.response).toBe(winner);

    await expect(
      store.transaction(async (tx) => {
        await tx.receipts.insertAnswer(answer('m3', '"undone"'));
        throw new Error('the effects failed');
      }),
    ).rejects.toThrow('the effects failed');
    expect(await store.receipts.storedAnswer('m3')).toBeNull();
  });

  it('prunes answers older than asked, oldest first, at most as many as asked', async () => {
    const { receipts } = await open();
    await receipts.insertAnswer(answer('old-2', '2', NOW_MS - 2_000));
    await receipts.insertAnswer(answer('old-1', '1', NOW_MS - 3_000));
    await receipts.insertAnswer(answer('new', '3', NOW_MS));
    expect(await receipts.pruneAnswers(NOW_MS - 1_000, 1)).toBe(1);
    expect(await receipts.storedAnswer('old-1')).toBeNull();
    expect(await receipts.storedAnswer('old-2')).not.toBeNull();
    expect(await receipts.pruneAnswers(NOW_MS - 1_000, 10)).toBe(1);
    expect(await receipts.pruneAnswers(NOW_MS - 1_000, 10)).toBe(0);
    expect(await receipts.storedAnswer('new')).toEqual(answer('new', '3', NOW_MS));
  });
});
