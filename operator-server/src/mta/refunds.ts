// A merchant's refund at its MTA (docs/DESIGN.md, Refunds). Before the tab clears, the refund is
// kept and the clearing subtracts it; after, it is the tab's next clearing revision, lower by the
// amount, in one store transaction: the refund row, the revision, one ledger entry moving the
// amount from the merchant back to the customer operator's settlement account (sum zero), and,
// through the outbox, the revised clearing for the customer's AM (which gives the difference back
// at the locked rate), the notice for the merchant agent and the deposit record for billing.
// Each refund id is taken once: the same refund again is answered as before, whatever its message
// id; another tab or amount under that id is refused.

import { fromBase64urlOfLength, moneyFromWire, moneyToWire, signedMoneyToWire } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import { seal, verifyEnvelope, type PayloadBody } from '@opentab/protocol';
import type { Refund, RefundAck, RefundAckPayload } from '@opentab/protocol';
import { assertFresh } from '../account-manager/customer-auth';
import { isLedgerError } from '../ledger';
import { ensureOwnAccount, ledgerAccount } from '../ledger-accounts';
import type { OperatorContext } from '../operator-context';
import type { OperatorStoreTransaction } from '../store/operator-storage';
import type { Merchant, StoredRefund, Tab } from '../store/records';
import { announceClearing } from './clearing';

export async function receiveRefund(context: OperatorContext, refund: Refund, now_ms: number): Promise<RefundAck> {
  const authenticate = async () => {
    const merchant = await context.storage.merchants.merchant(refund.payload.merchantId);
    if (merchant === null) throw new OpentabError('unknown_merchant');
    if (refund.kid !== merchant.publicKey)
      throw new OpentabError('unknown_key', "The refund is not signed with the merchant's registered key.");
    if (!verifyEnvelope(context.crypto, refund, fromBase64urlOfLength(merchant.publicKey, 32)))
      throw new OpentabError('bad_signature');
    assertFresh(context, refund.payload.iat, now_ms);
    return merchant;
  };
  return context.receipts.onceInTransaction('merchantRefund', refund, now_ms, authenticate, async (tx, merchant) =>
    acknowledge(context, tx, await takeRefund(context, tx, merchant, refund, now_ms), now_ms),
  );
}

/** Takes the refund, or finds it taken before; runs in the caller's transaction. */
async function takeRefund(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  merchant: Merchant,
  refund: Refund,
  now_ms: number,
): Promise<StoredRefund> {
  const { tabId, refundId, reason } = refund.payload;
  // Locked: whether the refund comes before or after the clearing is decided on what this reads.
  const tab = await tx.tabs.tabForUpdate(tabId);
  if (tab === null || tab.merchantId !== merchant.merchantId) throw new OpentabError('unknown_tab');
  if (tab.state === 'opening' || tab.state === 'failed')
    throw new OpentabError('tab_not_opened', 'The tab never opened: nothing was paid on it to refund.');
  const amount = moneyFromWire(refund.payload.amount);
  if (amount.currency !== tab.currency)
    throw new OpentabError('currency_mismatch', `Tab ${tabId} paid in ${tab.currency}; refund in that currency.`);
  if (amount.minor <= 0n) throw new OpentabError('amount_invalid', 'A refund gives back more than nothing.');
  const earlier = await tx.refunds.refund(refundId);
  if (earlier !== null) {
    if (earlier.tabId === tabId && earlier.amount_minor === amount.minor) return earlier;
    throw new OpentabError(
      'refund_conflict',
      `Refund ${refundId} was taken for ${describe(tab, earlier.amount_minor)} on tab ${earlier.tabId}.`,
    );
  }
  const taken = { refundId, tabId, amount_minor: amount.minor, reason, receivedAt: now_ms };
  if (tab.state !== 'cleared') {
    const refunded = await tx.refunds.refundedOfTab(tabId);
    if (refunded + amount.minor > tab.deposit_minor)
      throw new OpentabError(
        'refund_exceeds_paid',
        `Tab ${tabId} holds a deposit of ${describe(tab, tab.deposit_minor)}, of which ${describe(tab, refunded)} is refunded already.`,
      );
    const stored = { ...taken, revision: null };
    await tx.refunds.insertRefund(stored);
    context.log.info('refund.before-clearing', { tab: tabId, refund: refundId, amount: describe(tab, amount.minor) });
    return stored;
  }
  const stored = { ...taken, revision: await giveBack(context, tx, merchant, tab, taken, now_ms) };
  await tx.refunds.insertRefund(stored);
  return stored;
}

/** Lowers the cleared tab by the refund as its next revision and tells everyone; that revision. */
async function giveBack(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  merchant: Merchant,
  tab: Tab,
  refund: Omit<StoredRefund, 'revision'>,
  now_ms: number,
): Promise<number> {
  const cleared = tab.cleared_minor ?? 0n;
  const revision = await tx.refunds.refundTabClearing(tab.tabId, refund.amount_minor);
  if (revision === null)
    throw new OpentabError(
      'refund_exceeds_paid',
      `Tab ${tab.tabId} clears ${describe(tab, cleared)}; a refund gives back at most that.`,
    );
  const owedTo = ledgerAccount.settlement(tab.customerOperatorId, tab.currency);
  await ensureOwnAccount(tx.ledger, owedTo, tab.currency, 'settlement');
  try {
    await tx.ledger.postEntry({
      id: `refund:${refund.refundId}`,
      memo: `tab ${tab.tabId} refund by the merchant: ${describe(tab, refund.amount_minor)}`,
      ref: tab.tabId,
      postings: [
        { accountId: ledgerAccount.merchant(tab.merchantId), amount: -refund.amount_minor },
        { accountId: owedTo, amount: refund.amount_minor },
      ],
    });
  } catch (error) {
    if (isLedgerError(error, 'insufficient_funds'))
      throw new OpentabError(
        'insufficient_funds',
        `The merchant's balance does not cover the ${describe(tab, refund.amount_minor)} the refund gives back.`,
      );
    throw error;
  }
  await announceClearing(
    context,
    tx,
    tab,
    {
      revision,
      total_minor: cleared - refund.amount_minor,
      added_minor: -refund.amount_minor,
      outcome: tab.outcome ?? 'agreed',
      note: `Refund from ${merchant.displayName}: ${refund.reason}`.slice(0, 500),
    },
    now_ms,
  );
  context.log.info('refund.after-clearing', {
    tab: tab.tabId,
    refund: refund.refundId,
    amount: describe(tab, refund.amount_minor),
    revision,
  });
  return revision;
}

async function acknowledge(
  context: OperatorContext,
  tx: OperatorStoreTransaction,
  refund: StoredRefund,
  now_ms: number,
): Promise<RefundAck> {
  const tab = (await tx.tabs.tab(refund.tabId))!;
  return seal(
    context.crypto,
    context.identity.signer,
    {
      type: 'refund-ack',
      operatorId: context.identity.operatorId,
      refundId: refund.refundId,
      tabId: refund.tabId,
      amount: moneyToWire({ currency: tab.currency, minor: refund.amount_minor }),
      timing: refund.revision === null ? 'before-clearing' : 'after-clearing',
      ...(refund.revision === null ? {} : { revision: refund.revision }),
    } satisfies PayloadBody<RefundAckPayload>,
    now_ms,
  );
}

function describe(tab: Tab, minor: bigint): string {
  return `${signedMoneyToWire(tab.currency, minor).value} ${tab.currency}`;
}
