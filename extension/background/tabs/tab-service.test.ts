import { describe, expect, it } from 'vitest';
import { BRIDGE_PROTOCOL_VERSION } from '@opentab/protocol';
import {
  agentWorldPerTest,
  ARTICLE_1,
  ARTICLE_2,
  ARTICLE_4,
  CUSTOMER_OPERATOR,
  eur,
  expectOk,
  expectPaid,
  MERCHANT_OPERATOR,
  PASSPHRASE,
  sek,
  type AgentWorld,
} from '../testing/agent-world';
import { waitFor } from '@opentab/test-kit';
import { nodeCrypto } from '@opentab/test-kit';
import { seal, signerFromSecretKey, type PayloadBody } from '@opentab/protocol';
import type { CustomerRecord, MerchantVouch, MerchantVouchPayload } from '@opentab/protocol';

let w: AgentWorld;

agentWorldPerTest((started) => {
  w = started;
});

async function account() {
  return expectOk(await w.ui('getAccount', {}));
}

async function setLimits(limits: {
  defaultDeposit: string;
  maxDepositPerTab?: string | null;
  dailyCap?: string | null;
  monthlyCap?: string | null;
}) {
  expectOk(
    await w.ui('setLimits', {
      limits: { maxDepositPerTab: null, dailyCap: null, monthlyCap: null, ...limits },
      tabTimeout_s: 3600,
      idleLock_min: 15,
    }),
  );
}

describe('opening a tab and paying', () => {
  it('asks the customer with the verified origin and both deposits, then pays with a signed receipt', async () => {
    await w.readyWallet();
    const paid = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(paid.receipt.payload).toMatchObject({
      itemId: 'article-1',
      price: eur('0.08'),
      chainIndex: 8,
      seq: 1,
      spent: eur('0.08'),
    });
    expect(w.world.merchant.agent.verifyAccess(paid.receipt.payload.accessToken, 'article-1')).toBe(true);
    // 20.00 SEK at 11.3595 SEK per EUR: floor(2000 / 11.3595) = 176 cents.
    expect(w.asked).toEqual([
      expect.objectContaining({
        merchantDisplayName: 'The Daily Tab',
        verifiedOrigin: w.shopOrigin,
        depositCustomer: { currency: 'SEK', value: '20.00' },
        depositMerchant: eur('1.76'),
        rate: '1 EUR = 11.3595 SEK',
        // The test operators quote the ECB's rates of 2024-06-28 as sample rates.
        rateSource: { publisher: 'ecb', publishedOn: '2024-06-28', sample: true },
        timeout_s: 3600,
      }),
    ]);
    expect(w.ports.windows.opened[0]).toMatch(/^confirm\/confirm\.html\?request=/);
    expect((await account()).held).toEqual({ currency: 'SEK', value: '20.00' });
  });

  it('keeps paying on the same tab without asking again, and shows the remaining deposit', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    const second = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(second.receipt.payload).toMatchObject({
      seq: 2,
      chainIndex: 23,
      spent: eur('0.23'),
      remaining: eur('1.53'),
    });
    expect(w.asked).toHaveLength(1);
    expect(expectOk(await w.page('tabStatus', w.merchant))).toMatchObject({
      open: true,
      deposit: eur('1.76'),
      spent: eur('0.23'),
      remaining: eur('1.53'),
    });
    // 153 cents × 11.3595 = 1737.98… öre → 17.38 SEK, shown truncated in four characters.
    expect(w.ports.badge.texts.get(1)).toBe('17.3');
    const overview = expectOk(await w.ui('getOverview', {}));
    expect(overview.tabs).toEqual([
      expect.objectContaining({
        merchantDisplayName: 'The Daily Tab',
        spent: eur('0.23'),
        remaining: eur('1.53'),
        rateSource: { publisher: 'ecb', publishedOn: '2024-06-28', sample: true },
      }),
    ]);
    expect(overview.recentPurchases.map((purchase) => purchase.itemId)).toEqual(['article-2', 'article-1']);
  });

  it('serialises simultaneous clicks: one tab, consecutive chain links', async () => {
    await w.readyWallet();
    const results = await Promise.all(
      [ARTICLE_1, ARTICLE_2, ARTICLE_4].map((item) => w.page('pay', { ...w.merchant, ...item })),
    );
    const receipts = results.map((result) => expectPaid(result).receipt.payload);
    expect(receipts.map((receipt) => receipt.seq)).toEqual([1, 2, 3]);
    expect(receipts.map((receipt) => receipt.chainIndex)).toEqual([8, 23, 29]);
    expect(w.asked).toHaveLength(1);
  });

  it('refuses a merchant its own operator vouches for whose certificate no CA-certified operator signed, before any money is held', async () => {
    await w.readyWallet();
    // The own AM vouches, with its own signature, for a merchant certificate it signed itself
    // (say, to pose as the MTA and acknowledge records that never reached it).
    const am = w.world.world.operator(CUSTOMER_OPERATOR).running.context.identity.signer;
    w.ports.intercept = async (url, init) => {
      if (url !== `${w.operatorUrl()}/v1/customer/merchant`) return undefined;
      const genuine = (await (await fetch(url, init)).json()) as MerchantVouch;
      const { id: _id, iat: _iat, ...terms } = genuine.payload.merchantCertificate.payload;
      const selfMade = seal(nodeCrypto, am, terms);
      const { merchantOperatorCertificate } = genuine.payload;
      return Response.json(
        seal(nodeCrypto, am, {
          type: 'merchant-vouch',
          operatorId: CUSTOMER_OPERATOR,
          merchantCertificate: selfMade,
          merchantOperatorCertificate,
        } satisfies PayloadBody<MerchantVouchPayload>),
      );
    };
    const refused = await w.page('pay', { ...w.merchant, ...ARTICLE_1 });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'merchant_refused', message: expect.stringContaining("not signed by the merchant's operator") },
    });
    expect(w.asked).toEqual([]);
    expect((await account()).held).toEqual({ currency: 'SEK', value: '0.00' });
  });

  it('refuses a page whose origin the merchant certificate does not list, before any money is held', async () => {
    await w.readyWallet();
    const refused = await w.page('pay', { ...w.merchant, ...ARTICLE_1 }, { origin: 'https://evil.example' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'origin_not_allowed' } });
    expect(w.asked).toEqual([]);
    expect((await account()).held).toEqual({ currency: 'SEK', value: '0.00' });
    // An open tab does not leak to, or pay for, another origin either.
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }, { origin: 'https://evil.example' })).toMatchObject({
      ok: false,
      error: { code: 'origin_not_allowed' },
    });
    expect(expectOk(await w.page('tabStatus', w.merchant, { origin: 'https://evil.example' })).open).toBe(false);
  });

  it('holds nothing when the customer declines', async () => {
    await w.readyWallet();
    w.customer = () => ({ kind: 'decline' });
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).toMatchObject({
      ok: false,
      error: { code: 'declined_by_customer' },
    });
    expect((await account()).held).toEqual({ currency: 'SEK', value: '0.00' });
    expect(expectOk(await w.page('tabStatus', w.merchant)).open).toBe(false);
  });
});

describe('what the confirmation says and takes', () => {
  it('names the item clicked and its price in both currencies', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    // 15 cents × 11.3595 = 170.3925 öre → 1.70 SEK; the least deposit that pays it is 1.71 SEK (see below).
    expect(w.asked[0]).toMatchObject({
      item: { itemId: 'article-2', title: 'Article 2', price: eur('0.15'), priceCustomer: sek('1.70') },
      replacing: null,
      minimumDeposit: sek('1.71'),
      // The default per-tab maximum.
      maximumDeposit: sek('100.00'),
    });
  });

  it('holds the deposit the customer changed it to, quoted in both currencies while typing', async () => {
    await w.readyWallet();
    const quotes: unknown[] = [];
    w.ports.windows.answer = (requestId) => {
      void (async () => {
        for (const deposit of ['0.10', '500', 'ten', '5.00'])
          quotes.push(await w.ui('quoteDeposit', { requestId, deposit }));
        await w.ui('confirmDecision', { requestId, decision: { kind: 'approve', deposit: '5.00' } });
      })();
    };
    const paid = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(quotes).toEqual([
      // 8 cents: 0.91 SEK converts to floor(91 / 11.3595) = 8 cents, 0.90 SEK to 7.
      {
        ok: false,
        error: { code: 'invalid_request', message: 'The deposit must be at least 0.91 SEK to pay for this item.' },
      },
      {
        ok: false,
        error: { code: 'invalid_request', message: 'Your limits allow a deposit of at most 100.00 SEK here.' },
      },
      { ok: false, error: expect.objectContaining({ code: 'invalid_request' }) },
      // 500 öre ÷ 11.3595 = 44.01… → 44 cents.
      { ok: true, value: { depositCustomer: sek('5.00'), depositMerchant: eur('0.44') } },
    ]);
    expect(paid.receipt.payload.remaining).toEqual(eur('0.36'));
    expect((await account()).held).toEqual(sek('5.00'));
  });

  it('refuses a changed deposit the limits do not allow, with the question still open', async () => {
    await w.readyWallet();
    const answers: unknown[] = [];
    w.ports.windows.answer = (requestId) => {
      void (async () => {
        answers.push(await w.ui('confirmDecision', { requestId, decision: { kind: 'approve', deposit: '150.00' } }));
        answers.push(await w.ui('confirmDecision', { requestId, decision: { kind: 'approve' } }));
      })();
    };
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(answers).toEqual([
      {
        ok: false,
        error: { code: 'invalid_request', message: 'Your limits allow a deposit of at most 100.00 SEK here.' },
      },
      { ok: true, value: { recorded: true } },
    ]);
    expect((await account()).held).toEqual(sek('20.00'));
  });
});

describe('a used-up deposit', () => {
  it('says what is left on the old tab and what it cost, and leaves it open when the customer declines', async () => {
    await w.readyWallet();
    // 1.00 SEK → floor(100 / 11.3595) = 8 cents: article-1 uses it all.
    await setLimits({ defaultDeposit: '1.00' });
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    w.customer = () => ({ kind: 'decline' });
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_4 })).toMatchObject({
      ok: false,
      error: { code: 'declined_by_customer' },
    });
    // 8 cents × 11.3595 = 90.876 öre → 0.91 SEK paid; nothing left.
    expect(w.asked[1]).toMatchObject({
      item: { itemId: 'article-4', price: eur('0.06') },
      replacing: {
        spent: eur('0.08'),
        spentCustomer: sek('0.91'),
        remaining: eur('0.00'),
        remainingCustomer: sek('0.00'),
      },
    });
    // Declined: the old tab stays open, its deposit held.
    expect(expectOk(await w.page('tabStatus', w.merchant))).toMatchObject({ open: true, spent: eur('0.08') });
    expect((await account()).held).toEqual(sek('1.00'));

    w.customer = () => ({ kind: 'approve' });
    const second = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
    expect(second.receipt.payload.tabId).not.toBe(first.receipt.payload.tabId);
    expect(expectOk(await w.ui('getOverview', {})).tabs).toHaveLength(1);
  });

  it('closes the old tab and opens a new transaction silently within an allowance', async () => {
    await w.readyWallet();
    // 1.00 SEK → floor(100 / 11.3595) = 8 cents: article-1 uses it all up.
    await setLimits({ defaultDeposit: '1.00' });
    w.customer = () => ({ kind: 'approve-and-allow', upTo: '5.00' });
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(first.receipt.payload.remaining).toEqual(eur('0.00'));
    const second = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
    expect(second.receipt.payload.tabId).not.toBe(first.receipt.payload.tabId);
    expect(second.receipt.payload).toMatchObject({ seq: 1, chainIndex: 6 });
    expect(w.asked).toHaveLength(1);
    expect(expectOk(await w.ui('getSettings', {})).merchants).toEqual([
      expect.objectContaining({ merchantId: w.merchant.merchantId, allowance: { currency: 'SEK', value: '5.00' } }),
    ]);
    // The first tab's record reached the operators, who cleared it.
    const admin = w.world.world.operator(MERCHANT_OPERATOR).admin;
    await waitFor('the first tab to clear', async () => {
      const tab = await admin.call('getTab', undefined, { tabId: first.receipt.payload.tabId });
      return tab.state === 'cleared' ? tab : undefined;
    });
    expect(await admin.call('getTab', undefined, { tabId: first.receipt.payload.tabId })).toMatchObject({
      outcome: 'agreed',
      cleared: eur('0.08'),
    });
  });

  it('opens a new transaction when the merchant says the deposit is used up', async () => {
    await w.readyWallet();
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    let refusals = 0;
    w.ports.intercept = (url) => {
      if (!url.endsWith('/purchase') || refusals++ > 0) return undefined;
      const body = {
        error: { code: 'deposit_exhausted', message: 'The purchase costs more than what is left of the deposit.' },
      };
      return new Response(JSON.stringify(body), { status: 409, headers: { 'content-type': 'application/json' } });
    };
    const second = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(second.receipt.payload.tabId).not.toBe(first.receipt.payload.tabId);
    expect(second.receipt.payload).toMatchObject({ seq: 1, chainIndex: 15 });
    expect(w.asked).toHaveLength(2);
  });

  it('asks again for the new transaction when no allowance covers it', async () => {
    await w.readyWallet();
    await setLimits({ defaultDeposit: '1.00' });
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
    expect(w.asked).toHaveLength(2);
  });

  it('holds more than the default deposit when one purchase needs it', async () => {
    await w.readyWallet();
    await setLimits({ defaultDeposit: '0.50' });
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    // 15 cents needs ceil-ish 15 × 11.3595 = 170.39 öre: the smallest hold with floor(hold / 11.3595) ≥ 15 is 1.71 SEK.
    expect(w.asked[0]).toMatchObject({
      depositCustomer: { currency: 'SEK', value: '1.71' },
      depositMerchant: eur('0.15'),
    });
  });
});

describe('closing a tab', () => {
  it("shows each purchase and the closed tab's final cost in the customer's currency, with the table's rates", async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    const open = expectOk(await w.ui('getOverview', {}));
    // At the tab's 11.3595 SEK per EUR: 15 cents → 170.39 öre, 8 cents → 90.88 öre.
    expect(open.recentPurchases.map((purchase) => purchase.priceCustomer)).toEqual([sek('1.70'), sek('0.91')]);
    expect(open.rates.quotes).toContain('1 EUR = 11.3595 SEK');
    expectOk(await w.ui('closeTab', { transactionId: open.tabs[0]!.transactionId }));
    const closed = await waitFor('the tab to clear', async () => {
      const [tab] = expectOk(await w.ui('getOverview', {})).closedTabs;
      return tab?.charged ? tab : undefined;
    });
    // 23 cents × 11.3595 = 261.27 öre: 2.61 SEK, as the receipts prove.
    expect(closed).toMatchObject({
      spent: eur('0.23'),
      spentCustomer: sek('2.61'),
      charged: sek('2.61'),
      disputed: false,
    });
    const csv = expectOk(await w.ui('exportHistoryCsv', {})).csv.split('\r\n');
    // Each purchase with its tab's outcome and what the whole tab was charged.
    expect(csv[0]).toMatch(
      /,amount_customer,currency_customer,tab_outcome,tab_charged,tab_charged_currency,tab_decision,tab_reason$/,
    );
    expect(csv[1]).toMatch(/,0\.08,EUR,[^,]+,0\.91,SEK,agreed,2\.61,SEK,,$/);
    expect(closed).toMatchObject({ outcome: 'agreed', clearingNote: 'agreed: 0.23 EUR', decision: null });
  });

  it('terminates at the merchant and sends the customer record; the operators clear what was spent', async () => {
    const { accountId } = await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    const [tab] = expectOk(await w.ui('getOverview', {})).tabs;
    expect(expectOk(await w.ui('closeTab', { transactionId: tab!.transactionId }))).toEqual({ closed: true });
    expect(expectOk(await w.ui('getOverview', {}))).toMatchObject({ tabs: [], pendingRecords: 0 });
    expect(expectOk(await w.page('tabStatus', w.merchant)).open).toBe(false);
    const customerAdmin = w.world.world.operator('op-se').admin;
    const cleared = await waitFor('the AM to capture', async () => {
      const view = await customerAdmin.call('getCustomer', undefined, { accountId });
      return view.tabs[0]?.state === 'cleared' ? view : undefined;
    });
    // 23 cents × 11.3595 = 261.27 öre → 2.61 SEK charged, the rest released.
    expect(cleared.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '2.61' });
    expect(cleared.held).toEqual({ currency: 'SEK', value: '0.00' });
    await w.world.assertInvariants();
    const history = expectOk(await w.ui('getHistory', {}));
    expect(history.purchases.map((purchase) => purchase.itemId)).toEqual(['article-2', 'article-1']);
    expect(history.statement).toContainEqual(
      expect.objectContaining({ kind: 'charge', transactionId: tab!.transactionId }),
    );
  });

  it('closes from the page too, only on an allowed origin', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(expectOk(await w.page('closeTab', w.merchant, { origin: 'https://evil.example' }))).toEqual({
      closed: false,
    });
    expect(expectOk(await w.page('closeTab', w.merchant))).toEqual({ closed: true });
    expect(w.ports.badge.texts.get(1)).toBe('');
  });

  it('keeps a record whose acknowledgement the merchant operator did not sign, until a genuine one comes', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    // The own AM answers for the MTA here: an acknowledgement about the right record, signed by a stranger.
    const stranger = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    w.ports.intercept = (url, init) => {
      if (!url.startsWith(`${w.operatorUrl()}/v1/customer/records`)) return undefined;
      const record = JSON.parse(String(init?.body)) as CustomerRecord;
      const forged = seal(nodeCrypto, stranger, {
        type: 'record-ack',
        operatorId: MERCHANT_OPERATOR,
        recordId: record.payload.id,
        tabId: record.payload.tabId,
        status: 'recorded',
      });
      return new Response(JSON.stringify(forged), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    expectOk(await w.page('closeTab', w.merchant));
    expect(expectOk(await w.ui('getOverview', {})).pendingRecords).toBe(1);
    expect(w.ports.alarms.scheduled.has('outbox-retry')).toBe(true);

    w.ports.intercept = null;
    await w.agent.onAlarm('outbox-retry');
    expect(expectOk(await w.ui('getOverview', {})).pendingRecords).toBe(0);
  });

  it('keeps an undelivered record and retries it until the operator has it', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    w.ports.unreachable.add(`${w.operatorUrl()}/v1/customer/records`);
    expectOk(await w.page('closeTab', w.merchant));
    expect(expectOk(await w.ui('getOverview', {})).pendingRecords).toBe(1);
    expect(w.ports.alarms.scheduled.has('outbox-retry')).toBe(true);
    await w.agent.onAlarm('outbox-retry');
    expect(expectOk(await w.ui('getOverview', {})).pendingRecords).toBe(1);
    w.ports.unreachable.clear();
    await w.restart();
    expect(expectOk(await w.ui('getOverview', {})).pendingRecords).toBe(0);
  });
});

describe('a tab past its timeout', () => {
  it('is closed by the expiry alarm, with nobody opening a page or the popup', async () => {
    await w.readyWallet();
    expectOk(
      await w.ui('setLimits', {
        limits: { maxDepositPerTab: null, dailyCap: null, monthlyCap: null, defaultDeposit: '20.00' },
        tabTimeout_s: 60,
        idleLock_min: 15,
      }),
    );
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    const [tab] = expectOk(await w.ui('getOverview', {})).tabs;
    const alarmAt_ms = w.ports.alarms.scheduled.get('tab-expiry');
    expect(alarmAt_ms).toBe(Date.parse(tab!.expiresAt!));

    w.ports.clock.advance(alarmAt_ms! - w.ports.clock.now_ms());
    await w.agent.onAlarm('tab-expiry');
    expect(expectOk(await w.ui('getOverview', {}))).toMatchObject({ tabs: [], pendingRecords: 0 });
    expect(w.ports.alarms.scheduled.has('tab-expiry')).toBe(false);
    const transaction = await w.world.world
      .operator(CUSTOMER_OPERATOR)
      .admin.call('getTransaction', undefined, { transactionId: tab!.transactionId });
    expect(transaction.customerRecord).toMatchObject({ count: 1, total: { currency: 'EUR', value: '0.08' } });
  });

  it('clears the badge on every shop page when the tab closes from the popup, and when its timeout closes it', async () => {
    await w.readyWallet();
    expectOk(
      await w.ui('setLimits', {
        limits: { maxDepositPerTab: null, dailyCap: null, monthlyCap: null, defaultDeposit: '20.00' },
        tabTimeout_s: 60,
        idleLock_min: 15,
      }),
    );
    const badges = w.ports.badge.texts;
    const showOnTwoPages = async (item: typeof ARTICLE_1, badge: string) => {
      expectPaid(await w.page('pay', { ...w.merchant, ...item }, { browserTabId: 1 }));
      expectOk(await w.page('tabStatus', w.merchant, { browserTabId: 1 }));
      expectOk(await w.page('tabStatus', w.merchant, { browserTabId: 2 }));
      expect([badges.get(1), badges.get(2)]).toEqual([badge, badge]);
    };
    // Another shop's page keeps its own badge.
    badges.set(3, '5.00');

    // 168 and 170 cents left × 11.3595: 19.08 and 19.31 SEK.
    await showOnTwoPages(ARTICLE_1, '19.0');
    const [tab] = expectOk(await w.ui('getOverview', {})).tabs;
    expectOk(await w.ui('closeTab', { transactionId: tab!.transactionId }));
    expect([badges.get(1), badges.get(2), badges.get(3)]).toEqual(['', '', '5.00']);

    await showOnTwoPages(ARTICLE_4, '19.3');
    w.ports.clock.advance(61_000);
    await w.agent.onAlarm('tab-expiry');
    expect(expectOk(await w.ui('getOverview', {})).tabs).toEqual([]);
    expect([badges.get(1), badges.get(2), badges.get(3)]).toEqual(['', '', '5.00']);
  });

  it('is closed with its record sent, and the next click opens a new transaction', async () => {
    await w.readyWallet();
    expectOk(
      await w.ui('setLimits', {
        limits: { maxDepositPerTab: null, dailyCap: null, monthlyCap: null, defaultDeposit: '20.00' },
        tabTimeout_s: 60,
        idleLock_min: 15,
      }),
    );
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    w.ports.clock.advance(61_000);
    await w.restart();
    expect(expectOk(await w.ui('getOverview', {}))).toMatchObject({ tabs: [], pendingRecords: 0 });
    const second = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(second.receipt.payload.tabId).not.toBe(first.receipt.payload.tabId);
    expect(w.asked).toHaveLength(2);
  });
});

describe('spending control', () => {
  it('refuses a deposit above the per-tab maximum without asking or holding', async () => {
    await w.readyWallet();
    // A default above the maximum is refused when saved: no tab could ever open.
    expect(
      await w.ui('setLimits', {
        limits: { maxDepositPerTab: '10.00', dailyCap: null, monthlyCap: null, defaultDeposit: '20.00' },
        tabTimeout_s: 3600,
        idleLock_min: 15,
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    // 15 cents need a deposit of 1.71 SEK, above the maximum.
    await setLimits({ defaultDeposit: '0.50', maxDepositPerTab: '1.00' });
    const refused = await w.page('pay', { ...w.merchant, ...ARTICLE_2 });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'limit_reached', message: expect.stringMatching(/maximum of 1\.00 SEK per tab/) },
    });
    expect(w.asked).toEqual([]);
    expect((await account()).held).toEqual({ currency: 'SEK', value: '0.00' });
  });

  it('counts what was spent and what is still held against the daily cap, not deposits already released', async () => {
    await w.readyWallet();
    await setLimits({ defaultDeposit: '20.00', dailyCap: '30.00' });
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    // While the tab is open its whole deposit counts.
    expect(expectOk(await w.ui('getSettings', {})).heldToday).toEqual(sek('20.00'));
    expectOk(await w.page('closeTab', w.merchant));
    // Closed, it counts what it spent: 8 cents × 11.3595 = 0.91 SEK; the 19.09 SEK released do not.
    expect(expectOk(await w.ui('getSettings', {})).heldToday).toEqual(sek('0.91'));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(expectOk(await w.ui('getSettings', {})).heldToday).toEqual(sek('20.91'));
    // Both closed, 2.61 SEK spent today: a deposit of 29.50 SEK would take it past 30.00 SEK.
    expectOk(await w.page('closeTab', w.merchant));
    await setLimits({ defaultDeposit: '29.50', dailyCap: '30.00' });
    const refused = await w.page('pay', { ...w.merchant, ...ARTICLE_4 });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'limit_reached',
        message: expect.stringMatching(/daily cap of 30\.00 SEK \(2\.61 SEK spent or held so far today\)/),
      },
    });
  });

  it('closes the open tab of a merchant it blocks, so the unspent deposit is released, not held to the timeout', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    const [tab] = expectOk(await w.ui('getOverview', {})).tabs;
    expectOk(await w.ui('blockMerchant', { ...w.merchant, displayName: 'The Daily Tab' }));
    expect(expectOk(await w.ui('getOverview', {}))).toMatchObject({ tabs: [], pendingRecords: 0 });
    const transaction = await w.world.world
      .operator(CUSTOMER_OPERATOR)
      .admin.call('getTransaction', undefined, { transactionId: tab!.transactionId });
    expect(transaction.customerRecord).toMatchObject({ count: 1, total: { currency: 'EUR', value: '0.08' } });
    // Blocking a merchant with no open tab closes nothing and still blocks.
    expectOk(
      await w.ui('blockMerchant', {
        merchantId: 'elsewhere',
        operatorId: w.merchant.operatorId,
        displayName: 'Elsewhere',
      }),
    );
  });

  it('takes "Decline and block" while the payment that asked waits for the answer', async () => {
    await w.readyWallet();
    // As the confirm window does it: block first, then decline, while the payment holds the merchant.
    w.ports.windows.answer = (requestId) => {
      void (async () => {
        expectOk(await w.ui('blockMerchant', { ...w.merchant, displayName: 'The Daily Tab' }));
        expectOk(await w.ui('confirmDecision', { requestId, decision: { kind: 'decline' } }));
      })();
    };
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).toMatchObject({
      ok: false,
      error: { code: 'declined_by_customer' },
    });
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).toMatchObject({
      ok: false,
      error: { code: 'blocked_merchant' },
    });
  });

  it('refuses a blocked merchant, and pays again once unblocked', async () => {
    await w.readyWallet();
    expectOk(await w.ui('blockMerchant', { ...w.merchant, displayName: 'The Daily Tab' }));
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).toMatchObject({
      ok: false,
      error: { code: 'blocked_merchant' },
    });
    expectOk(await w.ui('unblockMerchant', w.merchant));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
  });

  it('lists a merchant once a tab opened there, so it can be blocked from the list, and unblocked', async () => {
    await w.readyWallet();
    expect(expectOk(await w.ui('getSettings', {})).merchants).toEqual([]);
    w.customer = () => ({ kind: 'approve-and-allow', upTo: '25.00' });
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    const [listed, ...others] = expectOk(await w.ui('getSettings', {})).merchants;
    expect(others).toEqual([]);
    expect(listed).toEqual({
      ...w.merchant,
      displayName: 'The Daily Tab',
      allowance: { currency: 'SEK', value: '25.00' },
      blocked: false,
      lastTabAt: expect.any(String),
    });
    // What the options page sends for its Block button: the ids and name from the list.
    const blocked = expectOk(
      await w.ui('blockMerchant', {
        merchantId: listed!.merchantId,
        operatorId: listed!.operatorId,
        displayName: listed!.displayName,
      }),
    );
    expect(blocked.merchants).toEqual([{ ...listed, allowance: null, blocked: true }]);
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).toMatchObject({
      ok: false,
      error: { code: 'blocked_merchant' },
    });
    expect(
      expectOk(await w.ui('unblockMerchant', { merchantId: listed!.merchantId, operatorId: listed!.operatorId }))
        .merchants,
    ).toEqual([{ ...listed, allowance: null }]);
  });

  it('refuses an allowance that is no amount with the question still open, then takes a good one', async () => {
    await w.readyWallet();
    const refusals: unknown[] = [];
    w.ports.windows.answer = (requestId) => {
      void (async () => {
        refusals.push(
          await w.ui('confirmDecision', { requestId, decision: { kind: 'approve-and-allow', upTo: '30,5 kr' } }),
        );
        expectOk(
          await w.ui('confirmDecision', { requestId, decision: { kind: 'approve-and-allow', upTo: ' 30.50 ' } }),
        );
      })();
    };
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(refusals).toEqual([
      {
        ok: false,
        error: {
          code: 'invalid_request',
          message: 'The allowance must be an amount in SEK such as 25, 25.50 or 25,50.',
        },
      },
    ]);
    expect(expectOk(await w.ui('getSettings', {})).merchants).toEqual([
      expect.objectContaining({ ...w.merchant, allowance: { currency: 'SEK', value: '30.50' } }),
    ]);
  });

  it('asks again after an allowance is revoked', async () => {
    await w.readyWallet();
    expectOk(await w.ui('setAllowance', { ...w.merchant, displayName: 'The Daily Tab', maxDeposit: '25.00' }));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(w.asked).toEqual([]);
    expectOk(await w.page('closeTab', w.merchant));
    expectOk(await w.ui('revokeAllowance', w.merchant));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(w.asked).toHaveLength(1);
  });
});

describe('a locked or unready wallet', () => {
  it('asks for the passphrase on a click while locked, and pays that same click once unlocked', async () => {
    await w.readyWallet();
    expectOk(await w.ui('lock', {}));
    w.atUnlockPrompt = () => void w.ui('unlock', { passphrase: PASSPHRASE });
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(w.ports.windows.opened[0]).toBe('unlock/unlock.html');
    // The prompt closes itself once the wallet is unlocked; the confirmation came after it.
    expect(w.ports.windows.closed[0]).toBe(1);
    expect(w.ports.windows.opened[1]).toMatch(/^confirm\/confirm\.html/);
  });

  it('opens one unlock prompt for clicks that come while it is open, and goes on with each', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expectOk(await w.ui('lock', {}));
    let prompt: number | null = null;
    w.atUnlockPrompt = (windowId) => {
      prompt = windowId;
    };
    const clicks = [ARTICLE_2, ARTICLE_4].map((item) => w.page('pay', { ...w.merchant, ...item }));
    await waitFor('the unlock prompt', async () => prompt ?? undefined);
    expectOk(await w.ui('unlock', { passphrase: PASSPHRASE }));
    const receipts = (await Promise.all(clicks)).map((result) => expectPaid(result).receipt.payload);
    expect(receipts.map((receipt) => receipt.seq).sort()).toEqual([2, 3]);
    expect(w.ports.windows.opened.filter((path) => path.startsWith('unlock/'))).toHaveLength(1);
  });

  it('refuses the click when the unlock prompt is closed, and pays after unlocking', async () => {
    await w.readyWallet();
    expectOk(await w.ui('lock', {}));
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).toMatchObject({
      ok: false,
      error: {
        code: 'wallet_locked',
        message: 'Your Opentab wallet stayed locked, so nothing was paid. Click again to unlock it.',
      },
    });
    expect(expectOk(await w.page('hello', {}))).toEqual({
      protocolVersion: BRIDGE_PROTOCOL_VERSION,
      walletState: 'locked',
    });
    expectOk(await w.ui('unlock', { passphrase: PASSPHRASE }));
    // Nothing was held for the refused click.
    expect((await account()).held).toEqual(sek('0.00'));
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
  });

  it('locks itself after the configured idle minutes', async () => {
    await w.readyWallet();
    expectOk(
      await w.ui('setLimits', {
        limits: { maxDepositPerTab: null, dailyCap: null, monthlyCap: null, defaultDeposit: '20.00' },
        tabTimeout_s: 3600,
        idleLock_min: 5,
      }),
    );
    expect(w.ports.alarms.scheduled.get('idle-lock')).toBe(w.ports.clock.now_ms() + 5 * 60_000);
    w.ports.clock.advance(5 * 60_000);
    await w.agent.onAlarm('idle-lock');
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).toMatchObject({
      ok: false,
      error: { code: 'wallet_locked' },
    });
  });

  it('says which step is missing before a wallet exists or is enrolled', async () => {
    expect(expectOk(await w.page('hello', {})).walletState).toBe('uninitialised');
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).toMatchObject({
      ok: false,
      error: { code: 'wallet_locked' },
    });
    expectOk(await w.ui('createWallet', { passphrase: PASSPHRASE }));
    expect(expectOk(await w.page('hello', {})).walletState).toBe('unenrolled');
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).toMatchObject({
      ok: false,
      error: { code: 'wallet_not_enrolled' },
    });
  });

  it('rejects malformed page calls', async () => {
    await w.readyWallet();
    const bad = await w.page('pay', { ...w.merchant, itemId: 'article-1', price: { currency: 'EUR', value: '0.001' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });
});

describe('a service worker stopped mid-tab', () => {
  it('rebuilds from storage and keeps paying on the same tab, without asking again', async () => {
    await w.readyWallet();
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    await w.restart();
    const second = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(second.receipt.payload).toMatchObject({ tabId: first.receipt.payload.tabId, seq: 2, chainIndex: 23 });
    expect(w.asked).toHaveLength(1);
  });

  it('after a browser restart the wallet is locked; unlocked, the same tab goes on', async () => {
    await w.readyWallet();
    const first = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    await w.session.remove('unlockedIdentityKey'); // what closing the browser does to storage.session
    await w.restart();
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).toMatchObject({
      ok: false,
      error: { code: 'wallet_locked' },
    });
    expectOk(await w.ui('unlock', { passphrase: PASSPHRASE }));
    const second = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_2 }));
    expect(second.receipt.payload).toMatchObject({ tabId: first.receipt.payload.tabId, chainIndex: 23 });
  });

  it('re-sends an initiation whose answer was lost, so one approval holds one deposit', async () => {
    await w.readyWallet();
    w.ports.answerLost.add(`${w.operatorUrl()}/v1/customer/tabs`);
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_1 })).toMatchObject({
      ok: false,
      error: { code: 'operator_unreachable' },
    });
    w.ports.answerLost.clear();
    await w.restart();
    const paid = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    expect(paid.receipt.payload).toMatchObject({ seq: 1, chainIndex: 8 });
    expect(w.asked).toHaveLength(1);
    expect((await account()).held).toEqual({ currency: 'SEK', value: '20.00' });
  });

  it('re-sends a purchase whose answer was lost, so one click is paid once', async () => {
    await w.readyWallet();
    expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_1 }));
    // The purchase reaches the merchant, its answer never reaches us (the worker dies, the network drops).
    w.ports.answerLost.add(`${w.world.merchant.agentUrl}/purchase`);
    expect(await w.page('pay', { ...w.merchant, ...ARTICLE_2 })).toMatchObject({
      ok: false,
      error: { code: 'payment_pending' },
    });
    w.ports.answerLost.clear();
    await w.restart();
    const next = expectPaid(await w.page('pay', { ...w.merchant, ...ARTICLE_4 }));
    // The pending article-2 went first (seq 2, index 23, re-sent by the new worker), then article-4: nothing
    // revealed twice.
    expect(next.receipt.payload).toMatchObject({ seq: 3, chainIndex: 29, itemId: 'article-4' });
    const history = expectOk(await w.ui('getHistory', {})).purchases.map((purchase) => purchase.itemId);
    expect(history).toEqual(['article-4', 'article-2', 'article-1']);
  });
});
