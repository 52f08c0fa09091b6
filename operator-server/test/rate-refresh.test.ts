// Rates change without a restart: an ECB file on disk is read again when it is replaced, and the
// ECB's file over HTTP is fetched on a schedule, retried with back-off when it fails, the last
// good rates kept meanwhile. The clock is the test's; the HTTP server is real.

import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { callRoute } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import type { OperatorConfigInput } from '../src/config/config';
import { startOperatorWorld, type OperatorWorld, type WorldOperator } from '@opentab/test-kit/worlds';
import { startRateFileServer, type RateFileServer } from '../testing/rate-file-server';
import { Restarts } from '../testing/restarts';

const DAILY_2024_06_28 = readFileSync(
  fileURLToPath(new URL('../data/ecb-eurofxref-2024-06-28.xml', import.meta.url)),
  'utf8',
);

/** The ECB's file of 28 June 2024 as if published on another day, with another SEK rate. */
function dailyFile(day: string, sekRate: string): string {
  return DAILY_2024_06_28.replace("time='2024-06-28'", `time='${day}'`).replace("rate='11.3595'", `rate='${sekRate}'`);
}

const MONDAY_JULY_1_MS = Date.parse('2024-07-01T15:00:00Z');
const SECOND = 1000;

let world: OperatorWorld | null = null;
let server: RateFileServer | null = null;
const restarts = new Restarts();
let logLines: string[] = [];
let now = MONDAY_JULY_1_MS;

afterEach(async () => {
  await restarts.closeAll();
  await world?.close();
  await server?.close();
  world = null;
  server = null;
});

async function startOperator(rates: OperatorConfigInput['rates']): Promise<WorldOperator> {
  logLines = [];
  world = await startOperatorWorld({
    operators: [{ operatorId: 'op-se', currency: 'SEK' }],
    settings: { rates },
    clock: { now_ms: () => now },
    backgroundJobs: false,
    log: 'info',
    writeLog: (line) => logLines.push(line),
  });
  return world.operator('op-se');
}

const rateTableAt = (url: string) => callRoute(url, OPERATOR_API.rateTable, undefined);

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/** Moves the clock on and lets the operator read its source if a read is due then. */
async function at(time_ms: number, operator: WorldOperator): Promise<void> {
  now = time_ms;
  await operator.running.rateFeed.refreshIfDue(now);
}

describe('an ECB file on disk', () => {
  it('is read again when it is replaced, and its rates are published at once', async () => {
    now = MONDAY_JULY_1_MS;
    const dir = mkdtempSync(join(tmpdir(), 'opentab-rate-file-'));
    const path = join(dir, 'eurofxref-daily.xml');
    writeFileSync(path, dailyFile('2024-06-28', '11.3595'));
    const operator = await startOperator({ rateSource: { source: 'ecb-file', path, refreshEvery_s: 10 } });
    const before = await rateTableAt(operator.url);
    expect(before.payload.source?.publishedOn).toBe('2024-06-28');

    // The way to replace it: write the new file beside it, then rename it over the old one.
    writeFileSync(`${path}.new`, dailyFile('2024-07-01', '11.4210'));
    renameSync(`${path}.new`, path);
    await at(MONDAY_JULY_1_MS + 9 * SECOND, operator);
    expect((await rateTableAt(operator.url)).payload.id).toBe(before.payload.id);
    await at(MONDAY_JULY_1_MS + 10 * SECOND, operator);
    const after = await rateTableAt(operator.url);
    expect(after.payload.source).toEqual({ publisher: 'ecb', publishedOn: '2024-07-01', sample: false });
    expect(after.payload.rates.SEK).toBe('11.4210');
    expect(logLines.some((line) => line.includes('rates.read') && line.includes('ECB rates of 1 Jul 2024'))).toBe(true);
  });

  it('keeps the last good rates while the file cannot be read, and takes a good one again', async () => {
    now = MONDAY_JULY_1_MS;
    const dir = mkdtempSync(join(tmpdir(), 'opentab-rate-file-'));
    const path = join(dir, 'eurofxref-daily.xml');
    writeFileSync(path, dailyFile('2024-07-01', '11.4210'));
    const operator = await startOperator({ rateSource: { source: 'ecb-file', path, refreshEvery_s: 10 } });

    writeFileSync(
      path,
      dailyFile('2024-07-01', '11.4210').replace(
        "<Cube currency='USD' rate='1.0705'/>",
        "<Cube currency='USD' rate='1,0705'/>",
      ),
    );
    await at(MONDAY_JULY_1_MS + 10 * SECOND, operator);
    expect((await rateTableAt(operator.url)).payload.rates).toMatchObject({ SEK: '11.4210', USD: '1.0705' });
    const health = await getJson(`${operator.url}/healthz`);
    expect(health.body.rates).toMatchObject({
      status: 'current',
      sourceProblem: expect.stringContaining('the USD rate "1,0705" of 2024-07-01 is not a positive decimal'),
    });
    expect(logLines.filter((line) => line.includes('WARN rates.read_failed'))).toHaveLength(1);

    writeFileSync(path, dailyFile('2024-07-01', '11.4300'));
    await at(MONDAY_JULY_1_MS + 20 * SECOND, operator);
    expect((await rateTableAt(operator.url)).payload.rates.SEK).toBe('11.4300');
    expect((await getJson(`${operator.url}/healthz`)).body.rates.sourceProblem).toBeUndefined();
  });

  it('stops the start when the file cannot be read at all', async () => {
    await expect(
      startOperator({ rateSource: { source: 'ecb-file', path: '/nonexistent/eurofxref-daily.xml' } }),
    ).rejects.toThrow(
      /cannot start without rates: cannot read the ECB file \/nonexistent\/eurofxref-daily\.xml: ENOENT/,
    );
  });
});

describe('the ECB file over HTTP', () => {
  const httpSource = (url: string) => ({
    rateSource: { source: 'ecb-http' as const, url, refreshEvery_s: 900, firstRetry_s: 30, timeout_s: 1 },
  });

  it('is fetched on its schedule, asking only for a newer file, and a newer one is published', async () => {
    now = MONDAY_JULY_1_MS;
    server = await startRateFileServer({ kind: 'file', xml: dailyFile('2024-06-28', '11.3595') });
    const operator = await startOperator(httpSource(server.url));
    await at(now, operator); // the fetch begun at the start
    const first = await rateTableAt(operator.url);
    expect(first.payload.source).toEqual({ publisher: 'ecb', publishedOn: '2024-06-28', sample: false });
    expect(server.requests).toHaveLength(1);

    await at(MONDAY_JULY_1_MS + 899 * SECOND, operator);
    expect(server.requests).toHaveLength(1);
    await at(MONDAY_JULY_1_MS + 900 * SECOND, operator);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!['if-none-match']).toMatch(/^"[0-9a-f]{16}"$/); // answered 304: nothing new
    expect((await rateTableAt(operator.url)).payload.id).toBe(first.payload.id);

    server.serve({ kind: 'file', xml: dailyFile('2024-07-01', '11.4210') });
    await at(MONDAY_JULY_1_MS + 1800 * SECOND, operator);
    const second = await rateTableAt(operator.url);
    expect(second.payload.source?.publishedOn).toBe('2024-07-01');
    expect(second.payload.rates.SEK).toBe('11.4210');
  });

  it('keeps the last good rates while it fails, retrying sooner and sooner less often, and recovers', async () => {
    now = MONDAY_JULY_1_MS;
    server = await startRateFileServer({ kind: 'file', xml: dailyFile('2024-07-01', '11.4210') });
    const operator = await startOperator(httpSource(server.url));
    await at(now, operator);
    const good = await rateTableAt(operator.url);

    server.serve({ kind: 'status', status: 503, body: '<html><body>Service unavailable</body></html>' });
    const failed = MONDAY_JULY_1_MS + 900 * SECOND;
    await at(failed, operator);
    expect(server.requests).toHaveLength(2);
    expect((await rateTableAt(operator.url)).payload.id).toBe(good.payload.id);
    expect((await getJson(`${operator.url}/healthz`)).body).toMatchObject({
      ok: true,
      rates: { status: 'current', sourceProblem: expect.stringContaining('answered HTTP 503') },
    });

    // Retries after 30 s, then 60 s, then 120 s after each failure.
    const attemptsAt = (offsets_s: number[]) => offsets_s.map((offset) => failed + offset * SECOND);
    for (const [time, requests] of [
      [29, 2],
      [30, 3],
      [89, 3],
      [90, 4],
      [209, 4],
      [210, 5],
    ] as const) {
      await at(attemptsAt([time])[0]!, operator);
      expect([time, server.requests.length]).toEqual([time, requests]);
    }
    // A gateway's page with a 200 is no rate file either.
    server.serve({ kind: 'status', status: 200, body: '<!doctype html><html><body>Maintenance</body></html>' });
    await at(failed + 450 * SECOND, operator);
    expect(server.requests).toHaveLength(6);
    expect((await getJson(`${operator.url}/healthz`)).body.rates.sourceProblem).toMatch(
      /sent a file that is not read: ECB rates: not well-formed XML/,
    );
    const warnings = logLines.filter((line) => line.includes('WARN rates.read_failed'));
    expect(warnings.map((line) => /failures=(\d+)/.exec(line)?.[1])).toEqual(['1', '2', '4']);

    server.serve({ kind: 'file', xml: dailyFile('2024-07-01', '11.4300') });
    await at(failed + 450 * SECOND + 900 * SECOND, operator);
    expect((await rateTableAt(operator.url)).payload.rates.SEK).toBe('11.4300');
    expect(logLines.some((line) => line.includes('rates.source_recovered') && line.includes('failures=5'))).toBe(true);
    expect((await getJson(`${operator.url}/healthz`)).body.rates.sourceProblem).toBeUndefined();
  });

  it('stops publishing once the last good rates are too old, and says why', async () => {
    now = MONDAY_JULY_1_MS;
    server = await startRateFileServer({ kind: 'file', xml: dailyFile('2024-07-01', '11.4210') });
    const operator = await startOperator(httpSource(server.url));
    await at(now, operator);
    await server.close();
    server = null;

    await at(Date.parse('2024-07-06T23:59:00Z'), operator);
    expect((await rateTableAt(operator.url)).payload.rates.SEK).toBe('11.4210');
    await at(Date.parse('2024-07-07T00:00:00Z'), operator);
    const refused = await getJson(`${operator.url}/v1/rates`);
    expect(refused).toMatchObject({
      status: 503,
      body: { error: { code: 'rates_stale', message: expect.stringContaining('ECB rates of 1 Jul 2024') } },
    });
    expect((await getJson(`${operator.url}/healthz`)).body).toMatchObject({
      ok: false,
      rates: {
        status: 'stale',
        sourceProblem: expect.stringMatching(/cannot reach the ECB rates at http:\/\/127\.0\.0\.1:\d+\/.*ECONNREFUSED/),
      },
    });
  });

  it('gives up on an answer that does not come in time', async () => {
    now = MONDAY_JULY_1_MS;
    server = await startRateFileServer({ kind: 'silence' });
    const operator = await startOperator(httpSource(server.url));
    await at(now, operator); // waits for the one-second timeout, no longer
    expect((await getJson(`${operator.url}/healthz`)).body.rates).toMatchObject({
      status: 'unavailable',
      sourceProblem: expect.stringContaining('no answer in time'),
    });
    expect(await getJson(`${operator.url}/v1/rates`)).toMatchObject({
      status: 503,
      body: {
        error: {
          code: 'rates_unavailable',
          message: expect.stringContaining('no exchange rates have been read from its source yet'),
        },
      },
    });
  });

  it('serves the rates it last published after a restart while the source is down', async () => {
    now = MONDAY_JULY_1_MS;
    server = await startRateFileServer({ kind: 'file', xml: dailyFile('2024-07-01', '11.4210') });
    const operator = await startOperator(httpSource(server.url));
    await at(now, operator);
    await rateTableAt(operator.url);
    await operator.running.close();
    server.serve({ kind: 'status', status: 500, body: 'down' });

    now = MONDAY_JULY_1_MS + 7200 * SECOND;
    const restarted = await restarts.restart(operator, { now_ms: () => now });
    await restarted.running.rateFeed.refreshIfDue(now);
    const table = await rateTableAt(restarted.url);
    expect(table.payload.source?.publishedOn).toBe('2024-07-01');
    expect(table.payload.rates.SEK).toBe('11.4210');
  });
});
