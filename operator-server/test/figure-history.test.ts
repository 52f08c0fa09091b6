// The figures' history over real HTTP: the background jobs sample a running operator's figures once
// a minute of its clock, and GET /v1/admin/figures/history answers them oldest first to the admin
// token only.

import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '@opentab/protocol';
import { worldPerTest, type TwoOperatorWorld } from '@opentab/test-kit/worlds';
import { send } from '../testing/http';

let w: TwoOperatorWorld;
worldPerTest((started) => (w = started));

const se = () => w.world.operator('op-se');
const MINUTE_MS = 60_000;

describe('the figures history', () => {
  it('answers one sample per minute the jobs ran, oldest first, each with its time', async () => {
    await w.settleBackgroundWork();
    const start_ms = w.clock.now_ms();
    const before = (await se().admin.call('figures', undefined)).customers.active ?? 0;

    await se().admin.call('createCustomer', {
      displayName: 'Ada Lovelace',
      creditLimit: { currency: 'SEK', value: '100.00' },
    });
    await w.elapse(MINUTE_MS);
    await w.elapse(20_000); // the same minute or the next, never a second sample of one minute
    await se().admin.call('createCustomer', { displayName: 'Bob', creditLimit: { currency: 'SEK', value: '5.00' } });
    await w.elapse(2 * MINUTE_MS);

    const history = await se().admin.call('figureHistory', undefined);
    const minuteOf = (at_ms: number) => Math.floor(at_ms / MINUTE_MS);
    const minutes = history.map((sample) => minuteOf(Date.parse(sample.at)));
    expect(new Set(minutes).size).toBe(minutes.length);
    expect(minutes).toEqual([...minutes].sort((a, b) => a - b));
    expect(history.at(-1)!.at).toBe(formatTimestamp(w.clock.now_ms()));
    const started = minutes.indexOf(minuteOf(start_ms));
    expect(started).toBeGreaterThanOrEqual(0);
    const active = history.slice(started).map((sample) => sample.customers.active ?? 0);
    expect(active).toEqual(
      minuteOf(start_ms + 80_000) === minuteOf(start_ms + MINUTE_MS)
        ? [before, before + 1, before + 2]
        : [before, before + 1, before + 1, before + 2],
    );
  });

  it('is refused without the admin token and described in /openapi.json', async () => {
    const url = `${se().url}/v1/admin/figures/history`;
    expect(await send(url)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(await send(url, { headers: { authorization: 'Bearer not-the-token' } })).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized' } },
    });
    const { body } = await send(`${se().url}/openapi.json`);
    expect(body.paths['/v1/admin/figures/history'].get).toBeDefined();
  });
});
