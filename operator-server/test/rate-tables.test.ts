// The rate tables an operator publishes: they say where their quotes come from and for which day.

import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callRoute } from '../../protocol/api/client';
import { OPERATOR_API } from '../../protocol/api/operator-api';
import type { OperatorConfigInput } from '../src/config/config';
import { startOperatorWorld, type OperatorWorld } from '../src/testing/operator-world';
import { Restarts } from './support/restarts';

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

async function startOperator(rates: OperatorConfigInput['rates'], now_ms: () => number = () => JUNE_28_AFTERNOON_MS) {
  world = await startOperatorWorld({ operators: [{ operatorId: 'op-se', currency: 'SEK' }], settings: { rates }, now_ms, backgroundJobs: false });
  return world.operator('op-se');
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
    const operator = await startOperator({ rateSource: { source: 'fixed', base: 'EUR', rates: { SEK: '11.40' }, publishedOn: '2024-06-27' } });
    const table = await rateTableAt(operator.url);
    expect(table.payload.source).toEqual({ publisher: 'operator', publishedOn: '2024-06-27', sample: false });
    expect(table.payload.rates).toEqual({ SEK: '11.40' });
  });

  it('replaces a stored table signed before tables stated their source, rather than hand it out', async () => {
    const operator = await startOperator({ rateSource: { source: 'ecb-file', path: ECB_DAILY_2024_06_28 } });
    const first = await rateTableAt(operator.url);
    await operator.running.close();
    // What an operator of before the field left behind: the same table without its source, still valid.
    const db = new Database(join(operator.dir, 'data', 'operator.sqlite'));
    const { source: _source, ...withoutSource } = first.payload;
    db.prepare('UPDATE rate_tables SET envelope = ? WHERE table_id = ?').run(JSON.stringify({ ...first, payload: withoutSource }), first.payload.id);
    db.close();

    const restarted = await restarts.restart(operator, { now_ms: () => JUNE_28_AFTERNOON_MS + 60_000 });
    const table = await rateTableAt(restarted.url);
    expect(table.payload.id).not.toBe(first.payload.id);
    expect(table.payload.source).toEqual({ publisher: 'ecb', publishedOn: '2024-06-28', sample: false });
  });
});
