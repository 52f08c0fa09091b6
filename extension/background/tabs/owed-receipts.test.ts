import { describe, expect, it } from 'vitest';
import type { Receipt } from '@opentab/protocol';
import { MAX_OWED_RECEIPTS, owedIndex, withOwed, type OwedReceipt } from './owed-receipts';

// The bookkeeping of receipts owed to pages: each purchase owed once, handed only to its merchant's origins.

const shop = { merchantId: 'news', operatorId: 'op-eu' };
const origins = ['https://news.example'];

function owed(purchaseId: string, itemId: string, merchant = shop): OwedReceipt {
  const receipt = { payload: { purchaseId, itemId } } as unknown as Receipt;
  return { merchant, origins, receipt, owedSince_ms: 0 };
}

describe('receipts owed to pages', () => {
  it('owes a purchase once, however often its receipt comes back', () => {
    const list = withOwed(withOwed([], [owed('p1', 'article-1')]), [owed('p1', 'article-1'), owed('p2', 'article-2')]);
    expect(list.map((entry) => entry.receipt.payload.purchaseId)).toEqual(['p1', 'p2']);
  });

  it('keeps the newest when there are too many', () => {
    const many = Array.from({ length: MAX_OWED_RECEIPTS + 2 }, (_, i) => owed(`p${i}`, 'article-1'));
    const list = withOwed([], many);
    expect(list).toHaveLength(MAX_OWED_RECEIPTS);
    expect(list[0]!.receipt.payload.purchaseId).toBe('p2');
  });

  it('finds the oldest for the item at that merchant, and only for a page on its origins', () => {
    const list = [
      owed('p1', 'article-1', { merchantId: 'news', operatorId: 'op-se' }),
      owed('p2', 'article-1'),
      owed('p3', 'article-1'),
    ];
    expect(owedIndex(list, shop, 'article-1', 'https://news.example')).toBe(1);
    expect(owedIndex(list, shop, 'article-2', 'https://news.example')).toBe(-1);
    expect(owedIndex(list, shop, 'article-1', 'https://evil.example')).toBe(-1);
  });
});
