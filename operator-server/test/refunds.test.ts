// A merchant's refunds at its MTA, over real HTTP with real operators and a real merchant agent:
// before the clearing a refund lowers what clears; after it, it is a new revision that gives the
// customer back the amount at the locked rate, bills it on both sides and shows in the settlement
// statement. Every refund counts once by its id, and none gives back more than was paid. The
// world checks after each test that every currency's accounts sum to zero.

import { describe, expect, it } from 'vitest';
import {
  callRoute,
  formatTimestamp,
  fromBase64urlOfLength,
  OPERATOR_API,
  seal,
  signerFromSecretKey,
  toBase64url,
} from '@opentab/protocol';
import type { PayloadBody, RefundPayload, WireAmount } from '@opentab/protocol';
import { nodeCrypto, waitFor } from '@opentab/test-kit';
import {
  CUSTOMER_OPERATOR,
  hundredArticles,
  MERCHANT_OPERATOR,
  worldPerTest,
  type TestCustomer,
  type TestTab,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { expectAuditsClean } from '../testing/audits-clean';
import { settlementStatement } from '../src/settlement/statement';

const merchantSecretKey = toBase64url(nodeCrypto.randomBytes(32));
let w: TwoOperatorWorld;
worldPerTest((started) => (w = started), { merchantSecretKey });

const eu = () => w.world.operator(MERCHANT_OPERATOR);
const eur = (value: string): WireAmount => ({ currency: 'EUR', value });
const price = (itemId: string) => eur(hundredArticles().find((a) => a.itemId === itemId)!.price);
const newRefundId = () => Buffer.from(nodeCrypto.randomBytes(16)).toString('hex');

function signedRefund(tab: TestTab, refundId: string, amount: WireAmount, reason = 'The article was broken.') {
  const merchantKey = signerFromSecretKey(nodeCrypto, fromBase64urlOfLength(merchantSecretKey, 32));
  return seal(
    nodeCrypto,
    merchantKey,
    {
      type: 'refund',
      merchantId: w.merchantId,
      tabId: tab.tabId,
      refundId,
      amount,
      reason,
    } satisfies PayloadBody<RefundPayload>,
    w.clock.now_ms(),
  );
}

const refund = (tab: TestTab, refundId: string, amount: WireAmount, reason?: string) =>
  callRoute(eu().url, OPERATOR_API.merchantRefund, signedRefund(tab, refundId, amount, reason));

/** Three articles (0.15 + 0.22 + 0.06 = 0.43 EUR) on a 50.00 SEK deposit. */
async function tabWithThreeArticles(): Promise<{ customer: TestCustomer; tab: TestTab }> {
  const customer = await w.newCustomer('100.00');
  const tab = await customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '50.00' },
  });
  for (const itemId of ['article-2', 'article-3', 'article-4'])
    await tab.buy(w.merchant.agentUrl, itemId, price(itemId));
  return { customer, tab };
}

async function conclude(customer: TestCustomer, tab: TestTab) {
  await w.merchant.agent.stop(tab.tabId);
  await customer.sendRecord(tab);
}

async function chargedAt(customer: TestCustomer, value: string) {
  return waitFor(
    `the AM to charge ${value} SEK`,
    async () => {
      const view = await customer.account();
      return view.tabs[0]?.charged?.value === value ? view : undefined;
    },
    10_000,
    100,
  );
}

/** The audit of both operators finds nothing wrong. */
function auditsClean(): Promise<void> {
  const configs = [CUSTOMER_OPERATOR, MERCHANT_OPERATOR].map((id) => w.world.operator(id).running.context.config);
  return expectAuditsClean(configs, w.clock.now_ms());
}

async function merchantBalance() {
  const [merchant] = await eu().admin.call('listMerchants', undefined);
  return merchant?.balance;
}

describe("a merchant's refund", () => {
  it('before the clearing lowers what clears, and the customer is charged only the rest', async () => {
    const { customer, tab } = await tabWithThreeArticles();
    const refundId = newRefundId();
    const ack = await refund(tab, refundId, eur('0.22'));
    expect(ack.payload).toMatchObject({ refundId, tabId: tab.tabId, amount: eur('0.22'), timing: 'before-clearing' });
    expect(ack.payload.revision).toBeUndefined();

    await conclude(customer, tab);
    // 0.43 − 0.22 = 0.21 EUR clears; at the locked 11.3595 SEK per EUR: 2.385 → 2.39 SEK (half even of 2.385495).
    await chargedAt(customer, '2.39');
    expect(await eu().admin.call('getTab', undefined, { tabId: tab.tabId })).toMatchObject({
      cleared: eur('0.21'),
      outcome: 'agreed',
    });
    expect(await merchantBalance()).toEqual(eur('0.21'));
    await waitFor(
      'the merchant agent to learn the clearing',
      async () => (await w.merchant.agent.tab(tab.tabId))?.cleared?.amount.minor === 21n,
    );
    await auditsClean();
  });

  it('after the clearing gives back through a new revision, billed on both sides and settled', async () => {
    const { customer, tab } = await tabWithThreeArticles();
    await conclude(customer, tab);
    await chargedAt(customer, '4.88'); // 0.43 × 11.3595 = 4.884585
    expect(await merchantBalance()).toEqual(eur('0.43'));

    const refundId = newRefundId();
    const ack = await refund(tab, refundId, eur('0.15'), 'Article 2 never loaded.');
    expect(ack.payload).toMatchObject({ timing: 'after-clearing', revision: 1, amount: eur('0.15') });
    const operatorKey = fromBase64urlOfLength(eu().running.context.identity.signer.kid, 32);
    const { verifyEnvelope } = await import('@opentab/protocol');
    expect(verifyEnvelope(nodeCrypto, ack, operatorKey)).toBe(true);

    expect(await merchantBalance()).toEqual(eur('0.28'));
    // 0.28 × 11.3595 = 3.18066 → 3.18 SEK charged: 1.70 SEK given back.
    const account = await chargedAt(customer, '3.18');
    expect(account.balance).toEqual({ currency: 'SEK', value: '-3.18' });
    expect(account.history).toContainEqual(
      expect.objectContaining({
        amount: { currency: 'SEK', value: '1.70' },
        memo: expect.stringContaining('Refund from The Daily Tab: Article 2 never loaded.'),
      }),
    );

    // A retry after a lost answer: a fresh message (new id and time), the same refund id: counted once.
    w.clock.advance(1_000);
    const again = await refund(tab, refundId, eur('0.15'), 'Article 2 never loaded.');
    expect(again.payload).toMatchObject({ refundId, timing: 'after-clearing', revision: 1 });
    expect(await merchantBalance()).toEqual(eur('0.28'));
    // The same id for another amount is refused and changes nothing.
    await expect(refund(tab, refundId, eur('0.16'))).rejects.toMatchObject({
      failure: { code: 'refund_conflict', status: 409 },
    });
    // Never more than the tab still clears: 0.28 EUR is left, 0.29 is refused, 0.28 is taken.
    await expect(refund(tab, newRefundId(), eur('0.29'))).rejects.toMatchObject({
      failure: { code: 'refund_exceeds_paid', status: 422 },
    });
    expect(await merchantBalance()).toEqual(eur('0.28'));
    const last = await refund(tab, newRefundId(), eur('0.28'));
    expect(last.payload).toMatchObject({ revision: 2 });
    expect(await merchantBalance()).toEqual(eur('0.00'));
    await chargedAt(customer, '0.00');
    await expect(refund(tab, newRefundId(), eur('0.01'))).rejects.toMatchObject({
      failure: { code: 'refund_exceeds_paid', status: 422 },
    });

    // Billing: the merchant's operator bills each refund as a negative deposit of its revision.
    const deposits = () => w.billingRecords(MERCHANT_OPERATOR).filter((r) => r.recordType === 'deposit');
    await waitFor('the deposit record of revision 2', () => deposits().some((r) => r.revision === 2));
    expect(deposits().map((r) => [r.amount.value, r.revision ?? 0])).toEqual([
      ['0.43', 0],
      ['-0.15', 1],
      ['-0.28', 2],
    ]);
    const withdrawals = () => w.billingRecords(CUSTOMER_OPERATOR).filter((r) => r.recordType === 'withdrawal');
    await waitFor('the withdrawal record of revision 2', () => withdrawals().some((r) => r.revision === 2));
    expect(withdrawals().map((r) => [r.amount.value, r.revision ?? 0])).toEqual([
      ['4.88', 0],
      ['-1.70', 1],
      ['-3.18', 2],
    ]);

    // The settlement statement with the customer's operator: 0.43 receivable, 0.43 refunded back.
    const statement = await settlementStatement(
      eu().running.context.storage.ledger,
      MERCHANT_OPERATOR,
      CUSTOMER_OPERATOR,
      0,
      w.clock.now_ms() + 1,
    );
    expect(statement.lines).toEqual([
      expect.objectContaining({
        currency: 'EUR',
        receivable: eur('0.43'),
        payable: eur('0.43'),
        refunded: eur('0.43'),
      }),
    ]);
    await auditsClean();
  });

  it("shows in the tab's story at the merchant's operator, before and after the clearing, with its revision", async () => {
    const { customer, tab } = await tabWithThreeArticles();
    const early = newRefundId();
    await refund(tab, early, eur('0.10'), 'Article 1 was a duplicate.');
    await conclude(customer, tab);
    await chargedAt(customer, '3.75'); // 0.33 × 11.3595 = 3.748635
    w.clock.advance(1_000);
    const late = newRefundId();
    await refund(tab, late, eur('0.05'), 'Article 3 loaded late.');

    const story = await eu().admin.call('tabStory', undefined, { tabId: tab.tabId });
    expect(story.refunds).toEqual([
      {
        refundId: early,
        amount: eur('0.10'),
        reason: 'Article 1 was a duplicate.',
        receivedAt: expect.any(String),
        timing: 'before-clearing',
        revision: null,
      },
      {
        refundId: late,
        amount: eur('0.05'),
        reason: 'Article 3 loaded late.',
        receivedAt: formatTimestamp(w.clock.now_ms()),
        timing: 'after-clearing',
        revision: 1,
      },
    ]);
    expect(story.tab).toMatchObject({ cleared: eur('0.28'), revision: 1 });
    const sentences = story.events.filter((event) => event.actor === 'merchant').map((event) => event.what);
    expect(sentences).toContainEqual(
      `Refund ${early} of 0.10 EUR before the clearing, which subtracts it. Reason: Article 1 was a duplicate.`,
    );
    expect(sentences).toContainEqual(
      `Refund ${late} of 0.05 EUR after the clearing, given back as clearing revision 1. Reason: Article 3 loaded late.`,
    );
    // The customer's operator keeps no refunds of the merchant's tabs.
    await expect(
      w.world.operator(CUSTOMER_OPERATOR).admin.call('tabStory', undefined, { tabId: tab.tabId }),
    ).rejects.toMatchObject({
      failure: { code: 'unknown_tab' },
    });
  });

  it('is refused in another currency, for nothing, under a forged signature, for a tab it does not know, or beyond the deposit', async () => {
    const { customer, tab } = await tabWithThreeArticles();
    await expect(refund(tab, newRefundId(), { currency: 'SEK', value: '1.00' })).rejects.toMatchObject({
      failure: { code: 'currency_mismatch', status: 422 },
    });
    await expect(refund(tab, newRefundId(), eur('0.00'))).rejects.toMatchObject({
      failure: { code: 'amount_invalid', status: 400 },
    });
    const forged = signedRefund(tab, newRefundId(), eur('0.01'));
    await expect(
      callRoute(eu().url, OPERATOR_API.merchantRefund, {
        ...forged,
        payload: { ...forged.payload, amount: eur('0.02') },
      }),
    ).rejects.toMatchObject({ failure: { code: 'bad_signature', status: 401 } });
    // Signed by the merchant, for a tab its MTA does not know.
    const unknownTab = { ...tab, tabId: 'tab_000000000000000000000000' } as TestTab;
    await expect(refund(unknownTab, newRefundId(), eur('0.01'))).rejects.toMatchObject({
      failure: { code: 'unknown_tab', status: 404 },
    });
    // All refunds before the clearing together stay within the deposit (50.00 SEK → 4.40 EUR).
    await expect(refund(tab, newRefundId(), eur('4.41'))).rejects.toMatchObject({
      failure: { code: 'refund_exceeds_paid', status: 422 },
    });
    expect(await merchantBalance()).toEqual(eur('0.00'));
    // None of it changed what clears.
    await conclude(customer, tab);
    await chargedAt(customer, '4.88');
    expect(await merchantBalance()).toEqual(eur('0.43'));
  });
});
