// PRIOR-ART BASELINE (seed FIG 1) at the merchant's MTA: a peer AM says it holds the money for one
// purchase; credit the merchant at once (one ledger entry) and answer signed. Opentab's tabs
// never come here; the benchmark compares them against this path.

import { seal, type PayloadBody } from '../../../protocol/envelope';
import { OpentabError } from '../../../protocol/errors';
import type { DirectPaymentCredit, DirectPaymentCredited, DirectPaymentCreditedPayload } from '../../../protocol/api/direct-payment-api';
import { moneyFromWire } from '../../../protocol/money/amount';
import { assertFresh } from '../account-manager/customer-auth';
import { ledgerAccount } from '../ledger-accounts';
import type { OperatorContext } from '../operator-context';
import { ensureAccount } from './clearing';

export async function creditDirectPayment(context: OperatorContext, credit: DirectPaymentCredit, now_ms: number): Promise<DirectPaymentCredited> {
  const authenticate = () => {
    const sender = context.trust.verifyPeerEnvelope(credit, now_ms);
    assertFresh(context, credit.payload.iat, now_ms);
    return sender;
  };
  return context.receipts.once('peerDirectPayment', credit, now_ms, authenticate, (sender) => {
    const p = credit.payload;
    const merchant = context.store.merchant(p.merchantId);
    if (merchant === null) throw new OpentabError('unknown_merchant');
    const amount = moneyFromWire(p.amount);
    if (amount.currency !== merchant.currency) throw new OpentabError('currency_mismatch', `The merchant ${merchant.merchantId} takes ${merchant.currency}.`);
    if (amount.minor === 0n) throw new OpentabError('amount_invalid', 'The amount must be greater than zero.');
    const owedBy = ledgerAccount.settlement(sender.operatorId, amount.currency);
    context.db.transaction(() => {
      ensureAccount(context, owedBy, amount.currency, 'settlement');
      context.ledger.postEntry({
        // Keyed by the sender's payment id, so a resent credit under a new message id cannot pay twice.
        id: `direct-credit:${sender.operatorId}:${p.paymentId}`,
        memo: `direct payment ${p.paymentId} for ${p.itemId}`,
        ref: p.paymentId,
        postings: [
          { accountId: owedBy, amount: -amount.minor },
          { accountId: ledgerAccount.merchant(merchant.merchantId), amount: amount.minor },
        ],
      });
    })();
    return seal(context.crypto, context.identity.signer, {
      type: 'direct-payment-credited',
      operatorCertificate: context.identity.certificate,
      creditId: p.id,
      paymentId: p.paymentId,
      merchantId: merchant.merchantId,
      amount: p.amount,
    } satisfies PayloadBody<DirectPaymentCreditedPayload>, now_ms);
  });
}
