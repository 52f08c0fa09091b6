// The rate tables an operator publishes: they say where their quotes come from and for which day,
// and none is published from quotes older than the operator accepts, unless it was told to serve
// them as sample rates.

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callRoute, systemClock, type Clock } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import type { OperatorConfigInput } from '../src/config/config';
import { StoredTables, startOperatorWorld, type OperatorWorld } from '@opentab/test-kit/worlds';
import { Restarts } from '../testing/restarts';

const ECB_DAILY_2024_06_28 = fileURLToPath(new URL('../data/ecb-eurofxref-2024-06-28.xml', import.meta.url));
/** That afternoon, after the ECB published: the rates are a few hours old. */
const JUNE_28_AFTERNOON_MS = Date.parse('2024-06-28T15:00:00Z');

let world: OperatorWorld | null = null;
const restarts = new Restarts();

afterEach(async () => {
  await restarts.closeAll();
  await world?.close();
  world = null;
});

let logLines: string[] = [];

async function startOperator(
  rates: OperatorConfigInput['rates'],
  clock: Clock = { now_ms: () => JUNE_28_AFTERNOON_MS },
) {
  logLines = [];
  world = await startOperatorWorld({
    operators: [{ operatorId: 'op-se', currency: 'SEK' }],
    settings: { rates },
    clock,
    backgroundJobs: false,
    log: 'info',
    writeLog: (line) => logLines.push(line),
  });
  return world.operator('op-se');
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

const rateTableAt = (url: string) => callRoute(url, OPERATOR_API.rateTable, undefined);

describe('a rate table states its source', () => {
  it('names the ECB and the day of the reference rates it was made of', async () => {
    const operator = await startOperator({ rateSource: { source: 'ecb-file', path: ECB_DAILY_2024_06_28 } });
    const table = await rateTableAt(operator.url);
    expect(table.payload.source).toEqual({ publisher: 'ecb', publishedOn: '2024-06-28', sample: false });
    expect(table.payload.rates.SEK).toBe('11.3595');
  });

  it('names the operator and the day it gave for rates it set itself', async () => {
    const operator = await startOperator({
      rateSource: { source: 'fixed', base: 'EUR', rates: { SEK: '11.40' }, publishedOn: '2024-06-27' },
    });
    const table = await rateTableAt(operator.url);
    expect(table.payload.source).toEqual({ publisher: 'operator', publishedOn: '2024-06-27', sample: false });
    expect(table.payload.rates).toEqual({ SEK: '11.40' });
  });

  it('replaces a stored table signed before tables stated their source, rather than hand it out', async () => {
    const operator = await startOperator({ rateSource: { source: 'ecb-file', path: ECB_DAILY_2024_06_28 } });
    const first = await rateTableAt(operator.url);
    await operator.running.close();
    // What an operator of before the field left behind: the same table without its source, still valid.
    const tables = StoredTables.ofStoppedOperator(operator);
    const { source: _source, ...withoutSource } = first.payload;
    try {
      await tables.run('UPDATE rate_tables SET envelope = ? WHERE table_id = ?', [
        JSON.stringify({ ...first, payload: withoutSource }),
        first.payload.id,
      ]);
    } finally {
      await tables.close();
    }

    const restarted = await restarts.restart(operator, { now_ms: () => JUNE_28_AFTERNOON_MS + 60_000 });
    const table = await rateTableAt(restarted.url);
    expect(table.payload.id).not.toBe(first.payload.id);
    expect(table.payload.source).toEqual({ publisher: 'ecb', publishedOn: '2024-06-28', sample: false });
  });
});

describe('an operator whose rates are too old', () => {
  const SIX_DAYS_AFTER_JUNE_28_MS = Date.parse('2024-07-04T00:00:00Z');

  it('publishes tables until its rates are six days old, none living past that', async () => {
    let now = Date.parse('2024-07-03T23:30:00Z');
    const operator = await startOperator(
      { lifespan_s: 3600, rateSource: { source: 'ecb-file', path: ECB_DAILY_2024_06_28 } },
      { now_ms: () => now },
    );
    const table = await rateTableAt(operator.url);
    expect(table.payload.validUntil).toBe('2024-07-04T00:00:00.000Z');
    // With ten minutes left, a new table would not live longer: the same one is handed out.
    now = Date.parse('2024-07-03T23:50:00Z');
    expect((await rateTableAt(operator.url)).payload.id).toBe(table.payload.id);

    now = SIX_DAYS_AFTER_JUNE_28_MS;
    const refused = await getJson(`${operator.url}/v1/rates`);
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('rates_stale');
    expect(refused.body.error.message).toBe(
      'The newest exchange rates this operator has are ECB rates of 28 Jun 2024, older than the 6 days it accepts, so it publishes no rate table until its source has newer ones.',
    );
    // The table already handed out cannot open a tab any more either.
    const { rates, storage } = operator.running.context;
    await expect(rates.tableForInitiation(storage.rateTables, table.payload.id, now)).rejects.toThrow(/expired/);
  });

  it('says so in its log, once, and on /healthz', async () => {
    let now = JUNE_28_AFTERNOON_MS;
    const operator = await startOperator(
      { rateSource: { source: 'ecb-file', path: ECB_DAILY_2024_06_28 } },
      { now_ms: () => now },
    );
    expect((await getJson(`${operator.url}/healthz`)).body).toEqual({
      ok: true,
      operatorId: 'op-se',
      rates: {
        status: 'current',
        source: { publisher: 'ecb', publishedOn: '2024-06-28', sample: false },
        usableUntil: '2024-07-04T00:00:00.000Z',
      },
    });
    expect(logLines.filter((line) => line.includes('rates.current'))).toHaveLength(1);

    now = SIX_DAYS_AFTER_JUNE_28_MS + 60_000;
    await operator.running.runJobs(); // no request needed for the log to speak
    await operator.running.runJobs();
    const staleLines = logLines.filter((line) => line.includes('WARN rates.stale'));
    expect(staleLines).toHaveLength(1);
    expect(staleLines[0]).toContain('ECB rates of 28 Jun 2024, older than the 6 days it accepts');
    const health = await getJson(`${operator.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      ok: false,
      rates: {
        status: 'stale',
        source: { publishedOn: '2024-06-28' },
        problem: expect.stringContaining('older than the 6 days'),
      },
    });
  });

  it('takes its own maximum age', async () => {
    const operator = await startOperator(
      { maxSourceAge_s: 3600, rateSource: { source: 'ecb-file', path: ECB_DAILY_2024_06_28 } },
      { now_ms: () => Date.parse('2024-06-28T01:00:00Z') },
    );
    expect(await getJson(`${operator.url}/v1/rates`)).toMatchObject({
      status: 503,
      body: { error: { code: 'rates_stale', message: expect.stringContaining('older than the 1 hour it accepts') } },
    });
  });

  it('refuses the shipped file of 2024 today, unless told to serve it as sample rates', async () => {
    const real = await startOperator({ rateSource: { source: 'ecb-file', path: ECB_DAILY_2024_06_28 } }, systemClock);
    expect((await getJson(`${real.url}/v1/rates`)).body.error.code).toBe('rates_stale');
    await world!.close();

    const demo = await startOperator(
      { rateSource: { source: 'ecb-file', path: ECB_DAILY_2024_06_28, sample: true } },
      systemClock,
    );
    const table = await rateTableAt(demo.url);
    expect(table.payload.source).toEqual({ publisher: 'ecb', publishedOn: '2024-06-28', sample: true });
    expect(table.payload.rates.SEK).toBe('11.3595');
    expect((await getJson(`${demo.url}/healthz`)).body).toMatchObject({ ok: true, rates: { status: 'sample' } });
    expect(
      logLines.some((line) => line.includes('rates.sample') && line.includes('sample ECB rates of 28 Jun 2024')),
    ).toBe(true);
  });

  it('refuses rates dated after today', async () => {
    const operator = await startOperator({
      rateSource: { source: 'fixed', base: 'EUR', rates: { SEK: '11.40' }, publishedOn: '2024-06-29' },
    });
    expect(await getJson(`${operator.url}/v1/rates`)).toMatchObject({
      status: 503,
      body: { error: { code: 'rates_unavailable', message: expect.stringContaining('dated 2024-06-29, after today') } },
    });
  });
});
