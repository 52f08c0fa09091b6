import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '../crypto/noble';
import { nodeCrypto } from '@opentab/test-kit';
import { toBase64url } from '../encoding/base64url';
import { purchaseListHash, purchaseListMatches } from './purchase-list';

const lines = [
  { seq: 1, itemId: 'article-1', price: { currency: 'EUR', value: '0.05' } },
  { seq: 2, itemId: 'article-2', price: { currency: 'EUR', value: '0.10' } },
];
const CANONICAL =
  '[{"itemId":"article-1","price":{"currency":"EUR","value":"0.05"},"seq":1},{"itemId":"article-2","price":{"currency":"EUR","value":"0.10"},"seq":2}]';
const listKey = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

describe('purchase-list hash', () => {
  it('is HMAC-SHA256 under the list key of the canonical JSON list, the same in both providers', () => {
    const expected = createHmac('sha256', listKey).update(CANONICAL).digest('base64url');
    expect(purchaseListHash(nodeCrypto, listKey, lines)).toBe(expected);
    expect(purchaseListHash(nobleCrypto, listKey, lines)).toBe(expected);
  });

  it('changes with the key, the order, a price or an item', () => {
    const base = purchaseListHash(nodeCrypto, listKey, lines);
    expect(
      purchaseListHash(
        nodeCrypto,
        listKey.map((byte) => byte ^ 1),
        lines,
      ),
    ).not.toBe(base);
    expect(purchaseListHash(nodeCrypto, listKey, [...lines].reverse())).not.toBe(base);
    expect(
      purchaseListHash(nodeCrypto, listKey, [lines[0]!, { ...lines[1]!, price: { currency: 'EUR', value: '0.11' } }]),
    ).not.toBe(base);
    expect(purchaseListHash(nodeCrypto, listKey, [lines[0]!, { ...lines[1]!, itemId: 'article-3' }])).not.toBe(base);
  });

  it('hashes an empty list under the all-zero key, whatever key the holder has or lacks', () => {
    const empty = createHmac('sha256', new Uint8Array(32)).update('[]').digest('base64url');
    expect(purchaseListHash(nodeCrypto, listKey, [])).toBe(empty);
    expect(purchaseListHash(nodeCrypto, null, [])).toBe(empty);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => purchaseListHash(nodeCrypto, new Uint8Array(16), lines)).toThrow(RangeError);
  });
});

describe('checking a claimed list against a recorded hash (a dispute, once a party reveals the key)', () => {
  const recorded = purchaseListHash(nodeCrypto, listKey, lines);
  const revealed = toBase64url(listKey);

  it('accepts the list that was recorded, under the key it was recorded with', () => {
    expect(purchaseListMatches(nodeCrypto, recorded, { listKey: revealed, lines })).toBe(true);
    expect(purchaseListMatches(nobleCrypto, recorded, { listKey: revealed, lines })).toBe(true);
  });

  it('refuses any other list: one purchase fewer, another item, another price, another order', () => {
    expect(purchaseListMatches(nodeCrypto, recorded, { listKey: revealed, lines: lines.slice(0, 1) })).toBe(false);
    expect(
      purchaseListMatches(nodeCrypto, recorded, {
        listKey: revealed,
        lines: [lines[0]!, { ...lines[1]!, itemId: 'article-9' }],
      }),
    ).toBe(false);
    expect(
      purchaseListMatches(nodeCrypto, recorded, {
        listKey: revealed,
        lines: [lines[0]!, { ...lines[1]!, price: { currency: 'EUR', value: '0.01' } }],
      }),
    ).toBe(false);
    expect(purchaseListMatches(nodeCrypto, recorded, { listKey: revealed, lines: [...lines].reverse() })).toBe(false);
  });

  it('refuses the right list under another key, and a key that is no key', () => {
    expect(purchaseListMatches(nodeCrypto, recorded, { listKey: toBase64url(new Uint8Array(32)), lines })).toBe(false);
    expect(purchaseListMatches(nodeCrypto, recorded, { listKey: revealed.slice(1), lines })).toBe(false);
    expect(purchaseListMatches(nodeCrypto, recorded, { listKey: 'not base64url!', lines })).toBe(false);
  });
});
