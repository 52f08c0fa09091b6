import { describe, expect, it } from 'vitest';
import { HashChain } from '@opentab/protocol';
import { seal, type Signer } from '@opentab/protocol';
import type { PaidReceipt } from '@opentab/protocol';
import { crypto, merchantCertificate, newSigner, openFiveCentTab } from '../testing/fixtures';
import { catchUpWith } from './catch-up';

// A tab at 5 cents a link, 2 links (10 cents) paid, 174 cents of deposit on 35 links.
const NOW_MS = 1_800_000_000_000;
const eur = (value: string) => ({ currency: 'EUR', value });
const chain = HashChain.fromSeed(crypto, crypto.randomBytes(32), 35);
const secrets = { chain, listKey: crypto.randomBytes(32) };
const merchantKey = newSigner();
const certificate = merchantCertificate(newSigner(), merchantKey, NOW_MS);
const TAB_ID = 'tab_0123456789abcdef01234567';

const tab = openFiveCentTab({
  merchantCertificate: certificate,
  tabId: TAB_ID,
  expiresAt_ms: NOW_MS + 3_600_000,
  chainIndex: 2,
  count: 1,
});

function paid(
  seq: number,
  price: string,
  chainIndex: number,
  overrides: { signer?: Signer; tabId?: string; chainLink?: string } = {},
): PaidReceipt {
  const receipt = seal(
    crypto,
    overrides.signer ?? merchantKey,
    {
      type: 'receipt' as const,
      merchantId: 'news',
      tabId: overrides.tabId ?? TAB_ID,
      purchaseId: `p${seq}`.padEnd(32, '0'),
      seq,
      itemId: `article-${seq}`,
      price: eur(price),
      chainIndex,
      spent: eur('0.00'),
      remaining: eur('0.00'),
      accessToken: 'token',
    },
    NOW_MS,
  );
  return { receipt, chainLink: overrides.chainLink ?? chain.encodedLinkAt(chainIndex) };
}

describe('catchUpWith', () => {
  it('accepts receipts that follow the tab, each with the link the wallet revealed, and counts them', async () => {
    const caught = await catchUpWith(crypto, tab, secrets, [paid(2, '0.15', 5), paid(3, '0.05', 6)], NOW_MS);
    expect(caught.ok).toBe(true);
    if (!caught.ok) return;
    expect(caught.tab).toMatchObject({ count: 3, chainIndex: 6 });
    expect(
      caught.purchases.map((purchase) => [purchase.seq, purchase.itemId, purchase.price.value, purchase.chainIndex]),
    ).toEqual([
      [2, 'article-2', '0.15', 5],
      [3, 'article-3', '0.05', 6],
    ]);
  });

  it('changes nothing for an empty list', async () => {
    expect(await catchUpWith(crypto, tab, secrets, [], NOW_MS)).toEqual({ ok: true, tab, purchases: [] });
  });

  it.each([
    [
      'a link the wallet never revealed',
      () => [paid(2, '0.15', 5, { chainLink: chain.encodedLinkAt(4) })],
      /without the link/,
    ],
    [
      'a link of another chain',
      () => [
        paid(2, '0.15', 5, { chainLink: HashChain.fromSeed(crypto, crypto.randomBytes(32), 35).encodedLinkAt(5) }),
      ],
      /without the link/,
    ],
    ['another key', () => [paid(2, '0.15', 5, { signer: newSigner() })], /not signed/],
    ['another tab', () => [paid(2, '0.15', 5, { tabId: 'tab_ffffffffffffffffffffffff' })], /not about this tab/],
    ['a gap in the sequence', () => [paid(3, '0.15', 5)], /expected receipt 2/],
    ['an index its price does not pay', () => [paid(2, '0.10', 5)], /does not reveal/],
    ['a price off the chain unit', () => [paid(2, '0.07', 5)], /cannot pay/],
    ['more than the deposit', () => [paid(2, '1.65', 35)], /beyond the deposit/],
  ])('refuses %s', async (_, receipts, reason) => {
    const caught = await catchUpWith(crypto, tab, secrets, receipts(), NOW_MS);
    expect(caught.ok).toBe(false);
    if (!caught.ok) expect(caught.reason).toMatch(reason);
  });

  it('refuses the whole list when a later receipt fails, so nothing is half recorded', async () => {
    const caught = await catchUpWith(
      crypto,
      tab,
      secrets,
      [paid(2, '0.15', 5), paid(3, '0.05', 6, { signer: newSigner() })],
      NOW_MS,
    );
    expect(caught).toEqual({ ok: false, reason: expect.stringMatching(/receipt 3 is not signed/) });
  });
});
