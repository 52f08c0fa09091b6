import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '@opentab/test-kit';
import { seal } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import { agentWorldPerTest, CUSTOMER_OPERATOR, expectOk, type AgentWorld } from '../testing/agent-world';

let w: AgentWorld;

agentWorldPerTest(async (started) => {
  w = started;
  await w.readyWallet();
});

const prices = [
  { currency: 'EUR', value: '0.08' },
  { currency: 'EUR', value: '1.00' },
];

describe('rate table (signed by the own operator, cached)', () => {
  it('converts merchant prices with the current table', async () => {
    const converted = expectOk(await w.page('convert', { prices }));
    // 8 cents × 11.3595 = 90.876 öre → 91; 100 cents → 1135.95 → 1136.
    expect(converted).toMatchObject({
      currency: 'SEK',
      rateStatus: 'current',
      converted: [
        { currency: 'SEK', value: '0.91' },
        { currency: 'SEK', value: '11.36' },
      ],
    });
  });

  it('once expired, fetches anew, and shows no conversion while no current table is to be had', async () => {
    const before = expectOk(await w.ui('refreshRates', {}));
    w.ports.clock.advance(Date.parse(before.validUntil!) - w.ports.clock.now_ms() + 60_000);
    // The operator would sign a new table at once: it is out of reach.
    w.ports.unreachable.add(w.operatorUrl());
    const rateFetches = () => w.ports.fetched.filter((url) => url.endsWith('/v1/rates')).length;
    const fetchesBefore = rateFetches();
    const converted = expectOk(await w.page('convert', { prices }));
    expect(converted).toMatchObject({ rateStatus: 'expired', converted: [null, null] });
    expect(rateFetches()).toBe(fetchesBefore + 1);
    expect(expectOk(await w.ui('getOverview', {})).rates.status).toBe('expired');
    expect(await w.page('pay', { ...w.merchant, itemId: 'article-1', price: prices[0]! })).toMatchObject({
      ok: false,
      error: { code: 'rate_table_expired', message: expect.stringMatching(/expired/) },
    });
    expect(w.asked).toEqual([]);
  });

  it('refreshes when the validUntil alarm fires', async () => {
    const count = () => w.ports.fetched.filter((url) => url.endsWith('/v1/rates')).length;
    const before = count();
    await w.agent.onAlarm('rates-refresh');
    expect(count()).toBe(before + 1);
  });

  it('refuses a table its operator did not sign, keeping the cached one', async () => {
    const cached = await w.db.meta.get('rateTable');
    const forged = structuredClone(cached!);
    forged.payload.rates.SEK = '1';
    w.ports.intercept = (url) =>
      url.endsWith('/v1/rates')
        ? new Response(JSON.stringify(forged), { status: 200, headers: { 'content-type': 'application/json' } })
        : undefined;
    expect(await w.ui('refreshRates', {})).toMatchObject({
      ok: false,
      error: { code: 'operator_unreachable', message: expect.stringMatching(/cannot trust/) },
    });
    expect(await w.db.meta.get('rateTable')).toEqual(cached);
  });
});

const STALE_SENTENCE =
  'The newest exchange rates this operator has are ECB rates of 28 Jun 2024, older than the 6 days it accepts, so it publishes no rate table until its source has newer ones.';
const jsonResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('where the rates come from', () => {
  it('keeps the publisher and the day of the cached table, and shows them', async () => {
    // The test operators serve the ECB's file of 2024-06-28, as sample rates.
    expect(expectOk(await w.ui('getOverview', {})).rates).toMatchObject({
      status: 'current',
      source: { publisher: 'ecb', publishedOn: '2024-06-28', sample: true },
      refusal: null,
    });
    // And tells the page, which shows it beside the converted prices.
    expect(expectOk(await w.page('convert', { prices }))).toMatchObject({
      rateStatus: 'current',
      rateSource: { publisher: 'ecb', publishedOn: '2024-06-28', sample: true },
    });
  });

  it('takes a table signed before tables stated their source as one without provenance', async () => {
    const operator = w.world.world.operator(CUSTOMER_OPERATOR).running.context.identity.signer;
    const now = Date.now();
    const old = seal(nodeCrypto, operator, {
      type: 'rate-table',
      operatorId: CUSTOMER_OPERATOR,
      base: 'EUR',
      rates: { SEK: '11.3595' },
      issuedAt: formatTimestamp(now),
      validUntil: formatTimestamp(now + 3_600_000),
    });
    w.ports.intercept = (url) => (url.endsWith('/v1/rates') ? jsonResponse(200, old) : undefined);
    expect(expectOk(await w.ui('refreshRates', {}))).toMatchObject({ status: 'current', source: null, refusal: null });
    expect(expectOk(await w.page('convert', { prices }))).toMatchObject({
      rateStatus: 'current',
      rateSource: null,
      converted: [
        { currency: 'SEK', value: '0.91' },
        { currency: 'SEK', value: '11.36' },
      ],
    });
  });
});

describe('an operator that refuses to publish rates, its own being too old', () => {
  it('is shown in its own words, nothing is converted or paid meanwhile, and its next table ends it', async () => {
    w.ports.intercept = (url) =>
      url.endsWith('/v1/rates')
        ? jsonResponse(503, { error: { code: 'rates_stale', message: STALE_SENTENCE } })
        : undefined;
    // Asked while the cached table is still valid: the operator no longer stands behind it.
    expect(await w.ui('refreshRates', {})).toMatchObject({
      ok: false,
      error: {
        code: 'rate_table_expired',
        message: `Your operator has no current exchange rates, so no price can be converted. ${STALE_SENTENCE}`,
      },
    });
    expect(expectOk(await w.ui('getOverview', {})).rates).toMatchObject({ status: 'expired', refusal: STALE_SENTENCE });
    expect(expectOk(await w.page('convert', { prices }))).toMatchObject({
      rateStatus: 'expired',
      converted: [null, null],
    });
    expect(await w.page('pay', { ...w.merchant, itemId: 'article-1', price: prices[0]! })).toMatchObject({
      ok: false,
      error: { code: 'rate_table_expired', message: expect.stringContaining('older than the 6 days it accepts') },
    });
    expect(w.asked).toEqual([]);
    // Asked again when the alarm it set fires; the operator has rates again.
    w.ports.intercept = null;
    await w.agent.onAlarm('rates-refresh');
    expect(expectOk(await w.ui('getOverview', {})).rates).toMatchObject({ status: 'current', refusal: null });
    expect(expectOk(await w.page('convert', { prices }))).toMatchObject({
      rateStatus: 'current',
      converted: [
        { currency: 'SEK', value: '0.91' },
        { currency: 'SEK', value: '11.36' },
      ],
    });
  });
});

describe('a scheduled refresh the operator does not answer', () => {
  it('is tried again a minute later, so rates come back without a click', async () => {
    const before = expectOk(await w.ui('refreshRates', {}));
    w.ports.clock.advance(Date.parse(before.validUntil!) - w.ports.clock.now_ms());
    w.ports.unreachable.add(w.operatorUrl());
    await w.agent.onAlarm('rates-refresh');
    expect(w.ports.alarms.scheduled.get('rates-refresh')).toBe(w.ports.clock.now_ms() + 60_000);
    expect(expectOk(await w.ui('getOverview', {})).rates.status).toBe('expired');

    w.ports.unreachable.delete(w.operatorUrl());
    w.ports.clock.advance(60_000);
    await w.agent.onAlarm('rates-refresh');
    expect(expectOk(await w.ui('getOverview', {})).rates.status).toBe('current');
  });
});
