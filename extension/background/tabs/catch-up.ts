// Pure check of purchases the merchant has and the wallet does not. A click's purchase leaves
// while it is being stored, so a browser that stops in between leaves the merchant a purchase
// ahead; the merchant's ReceiptList brings it back. Each receipt is accepted only with the link
// its purchase revealed, which the wallet recomputes from its own chain: a merchant cannot make
// the wallet count a purchase it never sent, only return what the wallet already paid.

import type { CryptoProvider } from '@opentab/protocol';
import { fromBase64urlOfLength, parsedAmount } from '@opentab/protocol';
import { verifyEnvelopeAsync } from '@opentab/protocol';
import type { PaidReceipt } from '@opentab/protocol';
import { afterPurchase, planPurchase } from './purchase';
import { storedPurchaseOf, type StoredPurchase } from './purchase-record';
import type { OpenTab } from './tab-record';
import type { PaymentSecrets } from './tab-secrets';

export type CatchUp =
  | { readonly ok: true; readonly tab: OpenTab; readonly purchases: readonly StoredPurchase[] }
  | { readonly ok: false; readonly reason: string };

/** The tab after the merchant's receipts that follow `tab.count`, in order, or why they cannot be believed. */
export async function catchUpWith(
  crypto: CryptoProvider,
  tab: OpenTab,
  secrets: PaymentSecrets,
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
    // The purchase this wallet would have sent for that item at that price: the same rules as a click.
    const plan = planPurchase(current, secrets, payload.itemId, parsedAmount(payload.price), payload.purchaseId);
    if (!plan.ok) {
      return {
        ok: false,
        reason:
          plan.problem === 'exhausted'
            ? `receipt ${seq} pays beyond the deposit`
            : `receipt ${seq} states a price this tab cannot pay`,
      };
    }
    if (plan.purchase.chainIndex !== payload.chainIndex)
      return { ok: false, reason: `receipt ${seq} does not reveal the links its price pays` };
    if (plan.purchase.chainLink !== chainLink)
      return { ok: false, reason: `receipt ${seq} comes without the link this wallet revealed` };
    if (!(await verifyEnvelopeAsync(crypto, receipt, merchantKey))) {
      return { ok: false, reason: `receipt ${seq} is not signed by the merchant's key` };
    }
    current = afterPurchase(current, plan.purchase);
    // Titles are the caller's to add: they come from the merchant agent (Purchaser.catchUp).
    purchases.push(storedPurchaseOf(tab, plan.purchase, receipt, now_ms, null));
  }
  return { ok: true, tab: current, purchases };
}
