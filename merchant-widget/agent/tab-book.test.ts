import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashChain } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import type { Purchase } from '@opentab/protocol';
import { Catalogue } from './catalogue';
import { decidePurchase, type PurchaseDecision } from './tab-book';
import type { TabRecord } from './tab-record';

const NOW_MS = 1_750_000_000_000;
const LIST_KEY = 'L'.repeat(42) + 'A';
const built = Catalogue.fromEntries('EUR', [
  { itemId: 'brief', title: 'Brief', price: '0.01' },
  { itemId: 'article', title: 'Article', price: '0.05' },
  { itemId: 'odd', title: 'Odd price', price: '0.03' },
]);
if (!built.ok) throw new Error('test catalogue');
const catalogue = built.catalogue;

function openTab(chain: HashChain, overrides: Partial<TabRecord> = {}): TabRecord {
  return {
    tabId: 'tab_aaaaaaaaaaaaaaaaaaaaaaaa',
    informationId: '0'.repeat(32),
    pseudonym: 'psn_aaaaaaaaaaaaaaaaaaaaaaaa',
    tabPublicKey: 'A'.repeat(43),
    currency: 'EUR',
    deposit_minor: 20n,
    spent_minor: 0n,
    chainUnit_minor: 1n,
    chainLength: chain.length,
    chainRoot: chain.encodedLinkAt(0),
    lastChainIndex: 0,
    lastChainLink: chain.encodedLinkAt(0),
    purchaseCount: 0,
    listKey: null,
    openedAt_ms: NOW_MS,
    expiresAt_ms: NOW_MS + 60_000,
    lifecycle: { status: 'open' },
    ...overrides,
  };
}

function purchaseOf(
  chain: HashChain,
  tab: TabRecord,
  itemId: string,
  units: number,
  overrides: Partial<Purchase> = {},
): Purchase {
  const price = catalogue.item(itemId)?.wirePrice ?? { currency: 'EUR', value: '0.05' };
  const chainIndex = tab.lastChainIndex + units;
  return {
    type: 'purchase',
    id: 'f'.repeat(32),
    tabId: tab.tabId,
    seq: tab.purchaseCount + 1,
    itemId,
    price,
    chainIndex,
    chainLink: chain.encodedLinkAt(Math.min(chainIndex, chain.length)),
    listKey: LIST_KEY,
    ...overrides,
  };
}

const decide = (tab: TabRecord, purchase: Purchase, now_ms = NOW_MS): PurchaseDecision =>
  decidePurchase(nodeCrypto, tab, purchase, catalogue.item(purchase.itemId), now_ms);

const refusalCode = (decision: PurchaseDecision) => (decision.accepted ? 'accepted' : decision.refusal.code);

describe('decidePurchase', () => {
  const chain = HashChain.fromSeed(nodeCrypto, new Uint8Array(32).fill(7), 20);

  it('accepts a purchase paid by exactly price ÷ unit links and moves the tab forward', () => {
    const tab = openTab(chain);
    const decision = decide(tab, purchaseOf(chain, tab, 'article', 5));
    expect(decision).toMatchObject({ accepted: true, price_minor: 5n, remaining_minor: 15n, exhausted: false });
    if (!decision.accepted) return;
    expect(decision.tab).toMatchObject({
      spent_minor: 5n,
      lastChainIndex: 5,
      lastChainLink: chain.encodedLinkAt(5),
      purchaseCount: 1,
    });
    const next = decide(decision.tab, purchaseOf(chain, decision.tab, 'brief', 1));
    expect(next).toMatchObject({ accepted: true, remaining_minor: 14n });
  });

  it('says when the deposit is used up', () => {
    const tab = openTab(chain, {
      spent_minor: 15n,
      lastChainIndex: 15,
      lastChainLink: chain.encodedLinkAt(15),
      purchaseCount: 3,
    });
    expect(decide(tab, purchaseOf(chain, tab, 'article', 5))).toMatchObject({
      accepted: true,
      remaining_minor: 0n,
      exhausted: true,
    });
  });

  it('refuses wrong, stale, skipping and short links', () => {
    const tab = openTab(chain, {
      spent_minor: 5n,
      lastChainIndex: 5,
      lastChainLink: chain.encodedLinkAt(5),
      purchaseCount: 1,
    });
    expect(refusalCode(decide(tab, purchaseOf(chain, tab, 'article', 5, { chainLink: chain.encodedLinkAt(9) })))).toBe(
      'wrong_link',
    );
    expect(
      refusalCode(
        decide(tab, purchaseOf(chain, tab, 'article', 5, { chainIndex: 5, chainLink: chain.encodedLinkAt(5) })),
      ),
    ).toBe('stale_link');
    expect(
      refusalCode(
        decide(tab, purchaseOf(chain, tab, 'article', 5, { chainIndex: 3, chainLink: chain.encodedLinkAt(3) })),
      ),
    ).toBe('stale_link');
    expect(refusalCode(decide(tab, purchaseOf(chain, tab, 'article', 6)))).toBe('wrong_link');
    expect(refusalCode(decide(tab, purchaseOf(chain, tab, 'article', 4)))).toBe('wrong_link');
    expect(refusalCode(decide(tab, purchaseOf(chain, tab, 'article', 5, { chainLink: 'A'.repeat(43) })))).toBe(
      'wrong_link',
    );
  });

  it('refuses what the deposit cannot pay, foreign prices, unknown items and wrong sequence numbers', () => {
    const nearlySpent = openTab(chain, {
      spent_minor: 17n,
      lastChainIndex: 17,
      lastChainLink: chain.encodedLinkAt(17),
      purchaseCount: 2,
    });
    expect(refusalCode(decide(nearlySpent, purchaseOf(chain, nearlySpent, 'article', 5)))).toBe('deposit_exhausted');
    const tab = openTab(chain);
    expect(
      refusalCode(decide(tab, purchaseOf(chain, tab, 'article', 1, { price: { currency: 'EUR', value: '0.01' } }))),
    ).toBe('price_mismatch');
    expect(refusalCode(decide(tab, purchaseOf(chain, tab, 'unknown', 5)))).toBe('unknown_item');
    expect(refusalCode(decide(tab, purchaseOf(chain, tab, 'article', 5, { seq: 2 })))).toBe('sequence_mismatch');
  });

  it('refuses a price that is not a whole number of chain units', () => {
    const tab = openTab(chain, { chainUnit_minor: 2n });
    expect(refusalCode(decide(tab, purchaseOf(chain, tab, 'odd', 2)))).toBe('price_mismatch');
  });

  it('refuses purchases on stopped, cleared and expired tabs', () => {
    const stopped = openTab(chain, { lifecycle: { status: 'stopped', reason: 'merchant-stop', stoppedAt_ms: NOW_MS } });
    expect(refusalCode(decide(stopped, purchaseOf(chain, stopped, 'article', 5)))).toBe('tab_closed');
    const timedOut = openTab(chain, { lifecycle: { status: 'stopped', reason: 'timeout', stoppedAt_ms: NOW_MS } });
    expect(refusalCode(decide(timedOut, purchaseOf(chain, timedOut, 'article', 5)))).toBe('tab_expired');
    const cleared = openTab(chain, {
      lifecycle: {
        status: 'cleared',
        reason: null,
        stoppedAt_ms: null,
        cleared_minor: 0n,
        outcome: 'agreed',
        clearedAt_ms: NOW_MS,
        revision: 0,
      },
    });
    expect(refusalCode(decide(cleared, purchaseOf(chain, cleared, 'article', 5)))).toBe('tab_closed');
    const open = openTab(chain);
    expect(refusalCode(decide(open, purchaseOf(chain, open, 'article', 5), NOW_MS + 60_000))).toBe('tab_expired');
  });

  it('never lets the spent amount pass the deposit or the chain index pass what was paid', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('brief', 'article'), fc.integer({ min: 0, max: 7 })), { maxLength: 30 }),
        (attempts) => {
          let tab = openTab(chain);
          for (const [itemId, units] of attempts) {
            const decision = decide(tab, purchaseOf(chain, tab, itemId, units));
            if (decision.accepted) tab = decision.tab;
          }
          expect(tab.spent_minor <= tab.deposit_minor).toBe(true);
          expect(BigInt(tab.lastChainIndex) * tab.chainUnit_minor).toBe(tab.spent_minor);
        },
      ),
    );
  });
});
