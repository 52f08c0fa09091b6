// Purchase acceptance: given what the agent knows of a tab and one purchase, accept it (and say
// what the tab looks like afterwards) or refuse it with a stable code. Pure: no storage, no
// clock, no I/O; the hash-chain check is the only computation that costs anything.

import { checkLink, type LinkCheck } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { fromBase64url } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import type { Purchase } from '@opentab/protocol';
import { formatMoney } from '@opentab/protocol';
import type { CatalogueItem } from './catalogue';
import { remainingOf, type TabRecord } from './tab-record';

export type PurchaseDecision =
  | {
      readonly accepted: true;
      /** The tab after this purchase (still `open`: stopping is the caller's decision). */
      readonly tab: TabRecord;
      readonly item: CatalogueItem;
      readonly price_minor: bigint;
      readonly remaining_minor: bigint;
      /** Nothing is left of the deposit: the tab must stop with reason 'exhausted'. */
      readonly exhausted: boolean;
    }
  | { readonly accepted: false; readonly refusal: OpentabError };

const LINK_PROBLEMS: Record<
  Exclude<LinkCheck, { ok: true }>['problem'],
  { code: 'stale_link' | 'wrong_link'; detail: string }
> = {
  not_forward: { code: 'stale_link', detail: 'chainIndex is not beyond the last index paid' },
  beyond_chain: { code: 'wrong_link', detail: 'chainIndex lies beyond the end of the chain' },
  too_many_steps: { code: 'wrong_link', detail: 'the link skips more units than the price' },
  malformed_link: { code: 'wrong_link', detail: 'chainLink is not a 32-byte base64url value' },
  wrong_link: { code: 'wrong_link', detail: 'the link does not hash to the last link paid' },
};

export function decidePurchase(
  crypto: CryptoProvider,
  tab: TabRecord,
  purchase: Purchase,
  item: CatalogueItem | undefined,
  now_ms: number,
): PurchaseDecision {
  const refuse = (code: OpentabError['code'], message?: string, details: string[] = []): PurchaseDecision => ({
    accepted: false,
    refusal: new OpentabError(code, message, details),
  });

  if (tab.lifecycle.status !== 'open') {
    return tab.lifecycle.reason === 'timeout' ? refuse('tab_expired') : refuse('tab_closed');
  }
  if (now_ms >= tab.expiresAt_ms) return refuse('tab_expired');
  // Both records hash the list under one key: the first purchase fixes it for the tab.
  if (tab.listKey !== null && purchase.listKey !== tab.listKey) return refuse('list_key_mismatch');
  if (item === undefined) return refuse('unknown_item', `The merchant sells no item ${purchase.itemId}.`);
  // The exact spelling is required, not just the same value: both sides hash the price string
  // into the purchase-list hash, and "0.1" and "0.10" would hash differently.
  if (purchase.price.currency !== item.wirePrice.currency || purchase.price.value !== item.wirePrice.value) {
    return refuse('price_mismatch', `${item.itemId} costs ${formatMoney(item.price)}.`, [
      `price: expected ${item.wirePrice.value} ${item.wirePrice.currency}`,
    ]);
  }
  const expectedSeq = tab.purchaseCount + 1;
  if (purchase.seq !== expectedSeq) return refuse('sequence_mismatch', undefined, [`seq: expected ${expectedSeq}`]);
  const price_minor = item.price.minor;
  if (price_minor > remainingOf(tab)) return refuse('deposit_exhausted');
  if (price_minor % tab.chainUnit_minor !== 0n) {
    return refuse('price_mismatch', 'The price is not a whole number of chain units of this tab.');
  }

  // Fits a number: price ≤ deposit ≤ chain length × unit, checked when the tab opened.
  const steps = Number(price_minor / tab.chainUnit_minor);
  const expectedIndex = tab.lastChainIndex + steps;
  // The price fixes the index exactly; a link that proves less pays less, one that proves more
  // overpays. Checked before any hashing, so a wrong index costs nothing.
  if (purchase.chainIndex !== expectedIndex) {
    if (purchase.chainIndex <= tab.lastChainIndex)
      return refuse('stale_link', undefined, [LINK_PROBLEMS.not_forward.detail]);
    return refuse('wrong_link', undefined, [`chainIndex: the price pays ${steps} units, expected ${expectedIndex}`]);
  }
  const check = checkLink(
    crypto,
    { index: tab.lastChainIndex, link: fromBase64url(tab.lastChainLink) },
    { index: purchase.chainIndex, link: purchase.chainLink },
    tab.chainLength,
    steps,
  );
  if (!check.ok) {
    const problem = LINK_PROBLEMS[check.problem];
    return refuse(problem.code, undefined, [problem.detail]);
  }

  const next: TabRecord = {
    ...tab,
    spent_minor: tab.spent_minor + price_minor,
    lastChainIndex: purchase.chainIndex,
    // The strict decoder accepted it, so the purchase's spelling is the one canonical encoding.
    lastChainLink: purchase.chainLink,
    purchaseCount: expectedSeq,
    listKey: purchase.listKey,
  };
  const remaining_minor = remainingOf(next);
  return { accepted: true, tab: next, item, price_minor, remaining_minor, exhausted: remaining_minor === 0n };
}
