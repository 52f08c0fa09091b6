import { describe, expect, it } from 'vitest';
import { agentWorldPerTest, expectOk, type AgentWorld } from '../testing/agent-world';

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
    w.ports.clock.advance(Date.parse(before.validUntil!) - w.ports.clock.now() + 60_000);
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
      url.endsWith('/v1/rates') ? new Response(JSON.stringify(forged), { status: 200, headers: { 'content-type': 'application/json' } }) : undefined;
    expect(await w.ui('refreshRates', {})).toMatchObject({ ok: false, error: { code: 'operator_unreachable', message: expect.stringMatching(/cannot trust/) } });
    expect(await w.db.meta.get('rateTable')).toEqual(cached);
  });
});
