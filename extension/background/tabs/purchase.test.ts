import { describe, expect, it } from 'vitest';
import { HashChain, checkLink } from '@opentab/protocol';
import { fromBase64url, parsedAmount } from '@opentab/protocol';
import { crypto, openFiveCentTab } from '../testing/fixtures';
import { customerRecordBody } from './conclusion';
import { afterPurchase, planPurchase } from './purchase';
import type { StoredPurchase } from './purchase-record';
import { remainingMinor, spentMinor, type OpenTab } from './tab-record';
import { tabStatusOf, tabView } from './tab-views';

// A tab at a merchant whose prices are all multiples of 5 cents: 174 cents of deposit, carried by
// 35 five-cent links (35 × 5 = 175 ≥ 174).
const eur = (value: string) => ({ currency: 'EUR', value });
const chain = HashChain.fromSeed(crypto, crypto.randomBytes(32), 35);

const openTab = openFiveCentTab;

const listKey = crypto.randomBytes(32);

function plan(tab: OpenTab, price: string, chainOfTab = chain) {
  return planPurchase(tab, { chain: chainOfTab, listKey }, 'article-1', parsedAmount(eur(price)), 'ab'.repeat(16));
}

/** What the merchant agent checks: the link lies exactly `steps` hashes beyond the last one paid. */
function merchantAccepts(tab: OpenTab, purchase: { chainIndex: number; chainLink: string }, steps: number): boolean {
  const known = { index: tab.chainIndex, link: chain.linkAt(tab.chainIndex) };
  return checkLink(crypto, known, { index: purchase.chainIndex, link: purchase.chainLink }, tab.chainLength, steps).ok;
}

describe('a purchase at a tab whose chain unit is 5 cents', () => {
  it('reveals one link for a 5-cent price and three for a 15-cent one', () => {
    const tab = openTab({ chainIndex: 2, count: 1 });
    const five = plan(tab, '0.05');
    expect(five).toMatchObject({
      ok: true,
      purchase: { seq: 2, chainIndex: 3, price: eur('0.05'), chainLink: chain.encodedLinkAt(3) },
    });
    if (five.ok) expect(merchantAccepts(tab, five.purchase, 1)).toBe(true);
    const fifteen = plan(tab, '0.15');
    expect(fifteen).toMatchObject({ ok: true, purchase: { chainIndex: 5, chainLink: chain.encodedLinkAt(5) } });
    if (fifteen.ok) expect(merchantAccepts(tab, fifteen.purchase, 3)).toBe(true);
  });

  it('does not send a price that is not a whole number of units', () => {
    expect(plan(openTab({ chainIndex: 2, count: 1 }), '0.07')).toEqual({ ok: false, problem: 'not_whole_units' });
    expect(plan(openTab(), '0.01')).toEqual({ ok: false, problem: 'not_whole_units' });
  });

  it('counts spent as chain index × unit, and the remaining deposit from it', () => {
    const tab = openTab({ chainIndex: 2, count: 1 });
    expect(spentMinor(tab)).toBe(10n);
    expect(remainingMinor(tab)).toBe(164n);
    const fifteen = plan(tab, '0.15');
    if (!fifteen.ok) throw new Error('expected a purchase');
    const after = afterPurchase(tab, fifteen.purchase);
    expect([after.chainIndex, after.count, spentMinor(after), remainingMinor(after)]).toEqual([5, 2, 25n, 149n]);
  });

  it('stops at the deposit even where the chain reaches further', () => {
    // 34 links paid = 170 cents; a 35th would be on the chain, but 175 cents exceed the 174 held.
    expect(plan(openTab({ chainIndex: 34, count: 34 }), '0.05')).toEqual({ ok: false, problem: 'exhausted' });
    expect(plan(openTab({ chainIndex: 33, count: 33 }), '0.05')).toMatchObject({
      ok: true,
      purchase: { chainIndex: 34 },
    });
    expect(plan(openTab({ chainIndex: 33, count: 33 }), '0.10')).toEqual({ ok: false, problem: 'exhausted' });
  });

  it('shows spent and remaining in merchant money to the popup and the page', () => {
    const tab = openTab({ chainIndex: 5, count: 2 });
    expect(tabView(tab)).toMatchObject({ depositMerchant: eur('1.74'), spent: eur('0.25'), remaining: eur('1.49') });
    expect(tabStatusOf(tab)).toMatchObject({
      open: true,
      deposit: eur('1.74'),
      spent: eur('0.25'),
      remaining: eur('1.49'),
    });
  });

  it('states total = chain index × unit in the customer record', () => {
    const tab = openTab({ chainIndex: 5, count: 2 });
    const purchases = [
      { seq: 1, itemId: 'article-1', price: eur('0.10') },
      { seq: 2, itemId: 'article-2', price: eur('0.15') },
    ] as unknown as StoredPurchase[];
    const record = customerRecordBody(crypto, tab, purchases, { chain, listKey });
    expect(record).toMatchObject({
      count: 2,
      total: eur('0.25'),
      lastChainIndex: 5,
      lastChainLink: chain.encodedLinkAt(5),
    });
    // The link proves the index: hashing it five times reaches the committed root.
    expect(
      checkLink(
        crypto,
        { index: 0, link: fromBase64url(chain.commitment.root) },
        { index: 5, link: record.lastChainLink },
        35,
        5,
      ).ok,
    ).toBe(true);
  });
});

describe('a tab stored before chain units were recorded', () => {
  // One link per cent, as every tab was opened then: 174 links for 174 cents.
  const legacyChain = HashChain.fromSeed(crypto, crypto.randomBytes(32), 174);
  const legacy = (overrides: Partial<OpenTab> = {}) => {
    const { chainUnit_minor: _dropped, ...tab } = openTab({ chainLength: 174, ...overrides });
    return tab as OpenTab;
  };

  it('pays one link per merchant minor unit', () => {
    const tab = legacy({ chainIndex: 8, count: 1 });
    expect(spentMinor(tab)).toBe(8n);
    expect(plan(tab, '0.05', legacyChain)).toMatchObject({ ok: true, purchase: { chainIndex: 13 } });
    expect(plan(tab, '0.07', legacyChain)).toMatchObject({ ok: true, purchase: { chainIndex: 15 } });
    expect(customerRecordBody(crypto, tab, [], { chain: legacyChain, listKey }).total).toEqual(eur('0.08'));
  });
});
