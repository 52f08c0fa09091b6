// Pure pieces of one click-to-pay purchase: reveal the link price ÷ unit steps further down the chain,
// and accept only a receipt the merchant signed for exactly that purchase.

import type { CryptoProvider } from '@opentab/protocol';
import { fromBase64urlOfLength, toBase64url } from '@opentab/protocol';
import { verifyEnvelopeAsync } from '@opentab/protocol';
import type { Purchase, Receipt } from '@opentab/protocol';
import type { ParsedAmount } from '@opentab/protocol';
import { chainUnitOf, spentMinor, type OpenTab } from './tab-record';
import type { PaymentSecrets } from './tab-secrets';

export type PurchaseProblem =
  /** The deposit (or the chain) cannot cover this price: a new transaction is needed. */
  | 'exhausted'
  /**
   * The price is not a whole number of this tab's chain units (the merchant's prices changed since
   * the tab opened, or its unit could not be read then): the merchant would refuse it, so it is
   * not sent, and like an exhausted tab this one cannot take the purchase.
   */
  | 'not_whole_units'
  | 'wrong_currency'
  | 'invalid_price';

export type PurchasePlan =
  | { readonly ok: true; readonly purchase: Purchase }
  | { readonly ok: false; readonly problem: PurchaseProblem };

/** The purchase that pays `price` at this tab: the link price ÷ unit steps beyond the last one paid, and the tab's list key. */
export function planPurchase(
  tab: OpenTab,
  { chain, listKey }: PaymentSecrets,
  itemId: string,
  price: ParsedAmount,
  purchaseId: string,
): PurchasePlan {
  if (price.minor < 1n) return { ok: false, problem: 'invalid_price' };
  if (price.wire.currency !== tab.rate.merchant.currency) return { ok: false, problem: 'wrong_currency' };
  const unit = chainUnitOf(tab);
  if (price.minor % unit !== 0n) return { ok: false, problem: 'not_whole_units' };
  const nextIndex = BigInt(tab.chainIndex) + price.minor / unit;
  // The chain may reach a little past the deposit (its length is rounded up to whole units); the deposit is the limit.
  if (nextIndex > BigInt(tab.chainLength) || spentMinor(tab) + price.minor > tab.depositMerchant_minor) {
    return { ok: false, problem: 'exhausted' };
  }
  const chainIndex = Number(nextIndex);
  return {
    ok: true,
    purchase: {
      type: 'purchase',
      id: purchaseId,
      tabId: tab.tabId,
      seq: tab.count + 1,
      itemId,
      price: { currency: price.wire.currency, value: price.wire.value },
      chainIndex,
      chainLink: chain.encodedLinkAt(chainIndex),
      listKey: toBase64url(listKey),
    },
  };
}

export async function checkReceipt(
  crypto: CryptoProvider,
  receipt: Receipt,
  tab: OpenTab,
  purchase: Purchase,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const certificate = tab.merchantCertificate.payload;
  // Asynchronous: the browser's native Ed25519 where there is one (protocol/core/crypto/webcrypto-ed25519.ts).
  if (!(await verifyEnvelopeAsync(crypto, receipt, fromBase64urlOfLength(certificate.publicKey, 32)))) {
    return { ok: false, reason: "the receipt is not signed by the merchant's key" };
  }
  const payload = receipt.payload;
  const matches =
    payload.merchantId === certificate.merchantId &&
    payload.tabId === tab.tabId &&
    payload.purchaseId === purchase.id &&
    payload.seq === purchase.seq &&
    payload.itemId === purchase.itemId &&
    payload.price.currency === purchase.price.currency &&
    payload.price.value === purchase.price.value &&
    payload.chainIndex === purchase.chainIndex;
  return matches ? { ok: true } : { ok: false, reason: 'the receipt does not describe the purchase that was paid' };
}

/** The tab after a receipt: the revealed index is now paid. */
export function afterPurchase(tab: OpenTab, purchase: Purchase): OpenTab {
  return { ...tab, chainIndex: purchase.chainIndex, count: purchase.seq, pendingPurchase: null };
}
