// The operator decides a disputed tab over its admin API: uphold what the chain proves, or adjust
// what the tab clears within its deposit, in favour of either party. The decision is signed and
// kept with its reason, moves the difference in one ledger entry, reaches the customer's AM (which
// charges or gives back at the locked rate), the merchant agent and both billing sinks, and the
// audit of both operators still finds every clearing, charge and record in agreement.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { callRoute, fromBase64urlOfLength, OPERATOR_API, seal, verifyEnvelope } from '@opentab/protocol';
import { boundForProcessSteps, nodeCrypto, waitFor } from '@opentab/test-kit';
import { toBase64url } from '@opentab/protocol';
import {
  CUSTOMER_OPERATOR,
  hundredArticles,
  MERCHANT_OPERATOR,
  RECORD_GRACE_MS,
  worldPerTest,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { expectAuditsClean } from '../testing/audits-clean';
import { merchantStopRecord } from '@opentab/test-kit/worlds';
import { send } from '../testing/http';

const run = promisify(execFile);
const merchantSecretKey = toBase64url(nodeCrypto.randomBytes(32));
let w: TwoOperatorWorld;
worldPerTest((started) => (w = started), { merchantSecretKey });

const eu = () => w.world.operator(MERCHANT_OPERATOR);
const price = (itemId: string) => ({
  currency: 'EUR',
  value: hundredArticles().find((a) => a.itemId === itemId)!.price,
});

/** Three articles (0.45 EUR); the merchant claims 5.00 EUR: the MTA clears 0.45 EUR and records a dispute. */
async function disputedTab() {
  const customer = await w.newCustomer('100.00');
  const tab = await customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '50.00' },
  });
  for (const itemId of ['article-1', 'article-2', 'article-3'])
    await tab.buy(w.merchant.agentUrl, itemId, price(itemId));
  const inflated = merchantStopRecord(merchantSecretKey, w.merchantId, tab, {
    count: 3,
    total: { currency: 'EUR', value: '5.00' },
    lastChainIndex: 45,
  });
  await callRoute(eu().url, OPERATOR_API.merchantRecord, inflated);
  await customer.sendRecord(tab);
  await chargedAt(customer, '5.11'); // 0.45 EUR × 11.3595
  const [dispute] = await eu().admin.call('listDisputes', undefined);
  expect(dispute).toMatchObject({ tabId: tab.tabId, cleared: { value: '0.45' }, resolved: null });
  return { customer, tab, disputeId: dispute!.disputeId };
}

async function chargedAt(customer: Awaited<ReturnType<TwoOperatorWorld['newCustomer']>>, value: string) {
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

/** The tab's clearing in the customer's account, once the operator's decision has reached it. */
function decisionIn(customer: Awaited<ReturnType<TwoOperatorWorld['newCustomer']>>) {
  return waitFor(
    "the decision to reach the customer's account",
    async () => {
      const clearing = (await customer.account()).tabs[0]?.clearing;
      return clearing?.decision ? clearing : undefined;
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

describe('a dispute resolved', () => {
  it("in the customer's favour gives back the difference everywhere, signed and once", async () => {
    const { customer, tab, disputeId } = await disputedTab();
    const detail = await eu().admin.call('getDispute', undefined, { disputeId });
    expect(detail).toMatchObject({
      tabId: tab.tabId,
      clearedOnProof: { value: '0.45' },
      customerRecord: { total: { value: '0.45' }, linkProvesPosition: true, proven: { value: '0.45' } },
      merchantRecord: { total: { value: '5.00' }, linkProvesPosition: true, proven: { value: '0.45' } },
      resolution: null,
    });

    // The customer's account says how the tab cleared, and why, before anyone decided.
    expect((await customer.account()).tabs[0]?.clearing).toEqual({
      outcome: 'disputed',
      cleared: { currency: 'EUR', value: '0.45' },
      revision: 0,
      note: expect.stringContaining('totals differ (customer 0.45, merchant 5.00 EUR)'),
      decision: null,
    });

    const decision = {
      decision: 'adjust',
      cleared: { currency: 'EUR', value: '0.20' },
      reason: 'Two articles never loaded.',
    } as const;
    const resolved = await eu().admin.call('resolveDispute', decision, { disputeId });
    expect(resolved).toMatchObject({
      decision: 'adjust',
      clearedBefore: { value: '0.45' },
      clearedAfter: { value: '0.20' },
      adjustment: { currency: 'EUR', value: '-0.25' },
      revision: 1,
      reason: 'Two articles never loaded.',
    });
    // Signed by the operator's key, naming the decision.
    const operatorKey = fromBase64urlOfLength(eu().running.context.identity.signer.kid, 32);
    expect(verifyEnvelope(nodeCrypto, resolved.signed, operatorKey)).toBe(true);
    expect(resolved.signed.payload).toMatchObject({ tabId: tab.tabId, clearedAfter: { value: '0.20' }, revision: 1 });
    const forged = {
      ...resolved.signed,
      payload: { ...resolved.signed.payload, clearedAfter: { currency: 'EUR', value: '0.45' } },
    };
    expect(verifyEnvelope(nodeCrypto, forged, operatorKey)).toBe(false);

    // The MTA: the tab clears 0.20 at revision 1, the merchant holds 0.20.
    expect(await eu().admin.call('getTab', undefined, { tabId: tab.tabId })).toMatchObject({
      cleared: { value: '0.20' },
    });
    const [merchant] = await eu().admin.call('listMerchants', undefined);
    expect(merchant?.balance).toEqual({ currency: 'EUR', value: '0.20' });
    // The customer's AM charges what 0.20 EUR costs at the locked rate: 2.2719 → 2.27 SEK.
    const account = await chargedAt(customer, '2.27');
    expect(account.balance).toEqual({ currency: 'SEK', value: '-2.27' });
    // The wallet's history shows what was given back, and why.
    expect(account.history).toContainEqual(
      expect.objectContaining({
        amount: { currency: 'SEK', value: '2.84' },
        memo: expect.stringContaining('Dispute resolved by operator op-eu: Two articles never loaded.'),
      }),
    );
    // The account shows the signed decision and its reason with the revised clearing.
    const decided = await decisionIn(customer);
    expect(decided).toEqual({
      outcome: 'disputed',
      cleared: { currency: 'EUR', value: '0.20' },
      revision: 1,
      note: 'Dispute resolved by operator op-eu: Two articles never loaded.',
      decision: {
        operatorId: MERCHANT_OPERATOR,
        decision: 'adjust',
        clearedBefore: { currency: 'EUR', value: '0.45' },
        clearedAfter: { currency: 'EUR', value: '0.20' },
        reason: 'Two articles never loaded.',
        decidedAt: resolved.signed.payload.iat,
      },
    });

    // The merchant agent learns the new total.
    await waitFor(
      'the merchant agent to take revision 1',
      async () => (await w.merchant.agent.tab(tab.tabId))?.cleared?.amount.minor === 20n,
    );

    // The same decision again answers what was decided; another is refused and changes nothing.
    const again = await eu().admin.call('resolveDispute', decision, { disputeId });
    expect(again.signed).toEqual(resolved.signed);
    await expect(
      eu().admin.call('resolveDispute', { ...decision, cleared: { currency: 'EUR', value: '0.30' } }, { disputeId }),
    ).rejects.toMatchObject({ failure: { code: 'dispute_resolved', status: 409 } });
    expect((await eu().admin.call('listDisputes', undefined))[0]?.resolved).toEqual({
      decision: 'adjust',
      cleared: { currency: 'EUR', value: '0.20' },
    });

    // Billing: each side bills what it gave back as a negative amount of revision 1.
    const deposits = () => w.billingRecords(MERCHANT_OPERATOR).filter((r) => r.recordType === 'deposit');
    await waitFor('the deposit record of revision 1', () => deposits().some((r) => r.revision === 1));
    expect(deposits().map((r) => [r.amount.value, r.revision ?? 0])).toEqual([
      ['0.45', 0],
      ['-0.25', 1],
    ]);
    const withdrawals = () => w.billingRecords(CUSTOMER_OPERATOR).filter((r) => r.recordType === 'withdrawal');
    await waitFor('the withdrawal record of revision 1', () => withdrawals().some((r) => r.revision === 1));
    expect(withdrawals().map((r) => [r.amount.value, r.revision ?? 0])).toEqual([
      ['5.11', 0],
      ['-2.84', 1],
    ]);
    await auditsClean();

    // The tab's story tells it, in order, to a person.
    const story = await eu().admin.call('tabStory', undefined, { tabId: tab.tabId });
    expect(story.resolution?.revision).toBe(1);
    expect(story.ledger.map((entry) => entry.entryId)).toEqual([`credit:${tab.tabId}`, `resolution:${tab.tabId}`]);
    const what = story.events.map((event) => event.what);
    expect(what.findIndex((s) => s.startsWith('Dispute recorded'))).toBeLessThan(
      what.findIndex((s) => s.startsWith('Dispute decided: the tab clears 0.20 EUR instead of 0.45 EUR')),
    );
    expect(story.messages.find((m) => m.recordId === `tab-cleared:${tab.tabId}:r1`)?.deliveredAt).not.toBeNull();
  });

  it("in the merchant's favour charges more, never beyond the deposit", async () => {
    const { customer, disputeId } = await disputedTab();
    const adjust = (value: string) =>
      eu().admin.call(
        'resolveDispute',
        // The longest reason there is: it reaches the customer's history, cut to what a ledger memo holds.
        {
          decision: 'adjust',
          cleared: { currency: 'EUR', value },
          reason: 'The customer read all of it. '.repeat(17).slice(0, 500),
        },
        { disputeId },
      );
    // The deposit: 50.00 SEK at the locked rate is 4.40 EUR.
    await expect(adjust('4.41')).rejects.toMatchObject({ failure: { code: 'adjustment_out_of_range', status: 422 } });
    const resolved = await adjust('0.60');
    expect(resolved).toMatchObject({ adjustment: { value: '0.15' }, clearedAfter: { value: '0.60' } });
    await chargedAt(customer, '6.82'); // 0.60 × 11.3595 = 6.8157
    await auditsClean();
  });

  // The CLI runs as a Node process of its own.
  const cliBound = { timeout: 30_000 + boundForProcessSteps(1) };
  it('upheld from the CLI, keeps what the chain proves and moves nothing', cliBound, async () => {
    const { customer, tab, disputeId } = await disputedTab();
    const { stdout } = await run(process.execPath, [
      ...['--import', 'tsx', 'operator-server/src/cli/main.ts', 'dispute-resolve'],
      ...['--config', eu().configPath, '--dispute', disputeId, '--decision', 'uphold'],
      ...['--reason', 'The link proves 0.45.'],
    ]);
    const resolved = JSON.parse(stdout);
    expect(resolved).toMatchObject({
      decision: 'uphold',
      clearedAfter: { value: '0.45' },
      adjustment: { value: '0.00' },
      revision: 0,
    });
    const story = await eu().admin.call('tabStory', undefined, { tabId: tab.tabId });
    expect(story.ledger).toHaveLength(1);
    expect(story.tab.revision).toBe(0);
    expect((await customer.account()).tabs[0]?.charged?.value).toBe('5.11');
    // An uphold moves nothing, and still reaches the customer with its reason.
    expect((await decisionIn(customer)).decision).toMatchObject({
      decision: 'uphold',
      clearedAfter: { value: '0.45' },
      reason: 'The link proves 0.45.',
    });
  });

  it("reaches the customer's account only as the deciding operator signed it", async () => {
    const { customer, tab } = await disputedTab();
    const se = w.world.operator(CUSTOMER_OPERATOR);
    const mta = eu().running.context;
    const now_ms = w.clock.now_ms();
    const resolution = seal(
      nodeCrypto,
      mta.identity.signer,
      {
        type: 'dispute-resolution' as const,
        operatorId: MERCHANT_OPERATOR,
        disputeId: `dispute:${tab.tabId}`,
        tabId: tab.tabId,
        transactionId: tab.transactionId,
        customerOperatorId: CUSTOMER_OPERATOR,
        merchantId: w.merchantId,
        decision: 'uphold' as const,
        clearedBefore: { currency: 'EUR', value: '0.45' },
        clearedAfter: { currency: 'EUR', value: '0.45' },
        revision: 0,
        reason: 'Never decided.',
      },
      now_ms,
    );
    const message = (inner: typeof resolution) =>
      seal(
        nodeCrypto,
        mta.identity.signer,
        { type: 'dispute-decision' as const, operatorCertificate: mta.identity.certificate, resolution: inner },
        now_ms,
      );
    // A decision altered after signing, or one the customer's own operator signed, is refused.
    const altered = { ...resolution, payload: { ...resolution.payload, reason: 'Altered.' } };
    const byAnother = seal(nodeCrypto, se.running.context.identity.signer, resolution.payload, now_ms);
    for (const inner of [altered, byAnother])
      await expect(callRoute(se.url, OPERATOR_API.peerDisputeDecision, message(inner))).rejects.toMatchObject({
        failure: { code: 'bad_signature' },
      });
    expect((await customer.account()).tabs[0]?.clearing?.decision).toBeNull();
  });

  it('stands against a record that comes after it', async () => {
    const customer = await w.newCustomer('100.00');
    const tab = await customer.openTab({
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '50.00' },
    });
    for (const itemId of ['article-1', 'article-2', 'article-3'])
      await tab.buy(w.merchant.agentUrl, itemId, price(itemId));
    // Only the merchant's record, claiming more than its link proves: cleared on the proof, as a dispute.
    const inflated = merchantStopRecord(merchantSecretKey, w.merchantId, tab, {
      count: 3,
      total: { currency: 'EUR', value: '5.00' },
      lastChainIndex: 45,
    });
    await callRoute(eu().url, OPERATOR_API.merchantRecord, inflated);
    await w.elapse(RECORD_GRACE_MS);
    const [dispute] = await waitFor('the dispute', async () => {
      const list = await eu().admin.call('listDisputes', undefined);
      return list.length > 0 ? list : undefined;
    });
    await eu().admin.call(
      'resolveDispute',
      { decision: 'adjust', cleared: { currency: 'EUR', value: '0.30' }, reason: 'Settled with both.' },
      { disputeId: dispute!.disputeId },
    );
    // The customer's record, proving 0.45 EUR, would have raised the clearing: after a decision it is only kept.
    await customer.sendRecord(tab);
    const story = await eu().admin.call('tabStory', undefined, { tabId: tab.tabId });
    expect(story.lateRecords.map((late) => [late.party, late.effect])).toContainEqual(['customer', 'after-resolution']);
    expect(story.tab).toMatchObject({ cleared: { value: '0.30' }, revision: 1 });
    await chargedAt(customer, '3.41'); // 0.30 EUR × 11.3595 = 3.40785
    await auditsClean();
  });

  it('refuses what is not a decision, with a stable code, and changes nothing', async () => {
    const { disputeId } = await disputedTab();
    const token = { authorization: `Bearer ${eu().running.context.config.adminToken}` };
    const url = `${eu().url}/v1/admin/disputes/${encodeURIComponent(disputeId)}/resolution`;
    const cases: Array<[unknown, number, string]> = [
      [{ decision: 'adjust', reason: 'no amount' }, 400, 'invalid_message'],
      [{ decision: 'uphold', cleared: { currency: 'EUR', value: '0.10' }, reason: 'both' }, 400, 'invalid_message'],
      [
        { decision: 'adjust', cleared: { currency: 'SEK', value: '1.00' }, reason: 'wrong money' },
        422,
        'currency_mismatch',
      ],
      [{ decision: 'split', reason: 'unknown' }, 400, 'invalid_message'],
      [{ decision: 'uphold', reason: '' }, 400, 'invalid_message'],
    ];
    for (const [body, status, code] of cases)
      expect(await send(url, { body, headers: token })).toMatchObject({ status, body: { error: { code } } });
    expect(await send(url, { body: { decision: 'uphold', reason: 'x' } })).toMatchObject({ status: 401 });
    expect(
      await send(`${eu().url}/v1/admin/disputes/nothing/resolution`, {
        body: { decision: 'uphold', reason: 'x' },
        headers: token,
      }),
    ).toMatchObject({ status: 404, body: { error: { code: 'unknown_dispute' } } });
    expect((await eu().admin.call('getDispute', undefined, { disputeId })).resolution).toBeNull();
  });
});

describe('tabs and transactions', () => {
  it('are found by merchant, account, state and time', async () => {
    const { customer, tab } = await disputedTab();
    const tabs = await eu().admin.call('searchTabs', undefined, {}, { merchantId: w.merchantId, state: 'cleared' });
    expect(tabs.map((t) => t.tabId)).toEqual([tab.tabId]);
    expect(await eu().admin.call('searchTabs', undefined, {}, { state: 'open' })).toEqual([]);
    const later = new Date(w.clock.now_ms() + 1000).toISOString();
    expect(await eu().admin.call('searchTabs', undefined, {}, { from: later })).toEqual([]);
    const se = w.world.operator(CUSTOMER_OPERATOR);
    const transactions = await se.admin.call('searchTransactions', undefined, {}, { accountId: customer.accountId });
    expect(transactions).toEqual([
      expect.objectContaining({ tabId: tab.tabId, state: 'cleared', charged: { currency: 'SEK', value: '5.11' } }),
    ]);
  });
});

describe('/metrics', () => {
  it('shows the same figures in Prometheus text, behind the admin token', async () => {
    await disputedTab();
    expect((await send(`${eu().url}/metrics`)).status).toBe(401);
    const response = await fetch(`${eu().url}/metrics`, {
      headers: { authorization: `Bearer ${eu().running.context.config.adminToken}` },
    });
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    expect(text).toContain('opentab_tabs{operator="op-eu",state="cleared"} 1');
    expect(text).toContain('opentab_cleared_amount{operator="op-eu",currency="EUR"} 0.45');
    expect(text).toContain('opentab_disputes{operator="op-eu"} 1');
    expect(text).toContain('opentab_disputes_resolved{operator="op-eu"} 0');
    expect(text).toMatch(
      /opentab_http_requests_total\{route="\/v1\/admin\/disputes",method="GET",status="200"\} [1-9]/,
    );
    expect(text).toMatch(
      /opentab_http_request_duration_seconds_count\{route="\/v1\/admin\/disputes",method="GET"\} [1-9]/,
    );
    // Recent traffic per route group: the customer's operator relayed its record and its tab opening.
    expect(text).toMatch(/opentab_http_recent_request_rate\{operator="op-eu",group="peer"\} \d/);
    for (const quantile of ['0.5', '0.95', '0.99'])
      expect(text).toMatch(
        new RegExp(`opentab_http_recent_latency_seconds\\{operator="op-eu",group="peer",quantile="${quantile}"\\} \\d`),
      );
    const figures = await eu().admin.call('figures', undefined);
    expect(figures).toMatchObject({ tabsByState: { cleared: 1 }, disputes: { total: 1, resolved: 0 } });
    const peer = figures.traffic.find((line) => line.group === 'peer')!;
    // The tab's opening and the customer's record: at least these two peer requests.
    expect(peer.requests).toBeGreaterThanOrEqual(2);
    expect(peer.rate_per_s).toBeGreaterThan(0);
    expect(peer.p50_ms!).toBeLessThanOrEqual(peer.p95_ms!);
    expect(peer.p95_ms!).toBeLessThanOrEqual(peer.p99_ms!);
    expect(figures.traffic.map((line) => line.group)).toEqual(expect.arrayContaining(['admin', 'merchant', 'peer']));
  });
});
