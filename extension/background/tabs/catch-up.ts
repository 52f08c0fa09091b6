// Pure check of purchases the merchant has and the wallet does not. A click's purchase leaves
// while it is being stored, so a browser that stops in between leaves the merchant a purchase
// ahead; the merchant's ReceiptList brings it back. Each receipt is accepted only with the link
// its purchase revealed, which the wallet recomputes from its own chain: a merchant cannot make
// the wallet count a purchase it never sent, only return what the wallet already paid.

import type { HashChain } from '../../../protocol/chain/hash-chain';
import type { CryptoProvider } from '../../../protocol/crypto/provider';
import { fromBase64urlOfLength } from '../../../protocol/encoding/base64url';
import { verifyEnvelopeAsync } from '../../../protocol/envelope';
import type { PaidReceipt } from '../../../protocol/messages/merchant';
import { parseWireAmount } from '../../../protocol/money/amount';
import type { StoredPurchase } from './purchase-record';
import { chainUnitOf, spentMinor, type OpenTab } from './tab-record';

export type CatchUp =
  | { readonly ok: true; readonly tab: OpenTab; readonly purchases: readonly StoredPurchase[] }
  | { readonly ok: false; readonly reason: string };

/** The tab after the merchant's receipts that follow `tab.count`, in order, or why they cannot be believed. */
export async function catchUpWith(
  crypto: CryptoProvider,
  tab: OpenTab,
  chain: HashChain,
  paid: readonly PaidReceipt[],
  now_ms: number,
): Promise<CatchUp> {
  const merchantKey = fromBase64urlOfLength(tab.merchantCertificate.payload.publicKey, 32);
  const purchases: StoredPurchase[] = [];
  let current = tab;
  for (const { receipt, chainLink } of paid) {
    const payload = receipt.payload;
    const seq = current.count + 1;
    if (payload.merchantId !== tab.merchantCertificate.payload.merchantId || payload.tabId !== tab.tabId) {
      return { ok: false, reason: `receipt ${seq} is not about this tab` };
    }
    if (payload.seq !== seq) return { ok: false, reason: `expected receipt ${seq}, got ${payload.seq}` };
    const price = parseWireAmount(payload.price);
    const unit = chainUnitOf(tab);
    if (!price.ok || price.money.currency !== tab.rate.merchant.currency || price.money.minor < unit || price.money.minor % unit !== 0n) {
      return { ok: false, reason: `receipt ${seq} states a price this tab cannot pay` };
    }
    if (BigInt(payload.chainIndex) !== BigInt(current.chainIndex) + price.money.minor / unit) {
      return { ok: false, reason: `receipt ${seq} does not reveal the links its price pays` };
    }
    if (payload.chainIndex > tab.chainLength || spentMinor(current) + price.money.minor > tab.depositMerchant_minor) {
      return { ok: false, reason: `receipt ${seq} pays beyond the deposit` };
    }
    if (chain.encodedLinkAt(payload.chainIndex) !== chainLink) {
      return { ok: false, reason: `receipt ${seq} comes without the link this wallet revealed` };
    }
    if (!(await verifyEnvelopeAsync(crypto, receipt, merchantKey))) {
      return { ok: false, reason: `receipt ${seq} is not signed by the merchant's key` };
    }
    current = { ...current, chainIndex: payload.chainIndex, count: seq };
    purchases.push({
      localTabId: tab.localId,
      transactionId: tab.transactionId,
      tabId: tab.tabId,
      merchantDisplayName: tab.merchantDisplayName,
      seq,
      itemId: payload.itemId,
      price: payload.price,
      chainIndex: payload.chainIndex,
      receipt,
      at_ms: now_ms,
    });
  }
  return { ok: true, tab: current, purchases };
}
