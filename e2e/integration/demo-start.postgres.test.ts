// `npm start -- --store postgres://…`: the demo world keeps its two operators and its shop in
// PostgreSQL databases of its own on that server, not in SQLite files; a second start finds the
// same customer there, --reset empties them, and Ctrl-C stops everything.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { boundForProcessSteps, findFreePort } from '@opentab/test-kit';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import {
  demoAccountOf as accountOf,
  interruptDemoWorld as interrupt,
  startDemoWorld as startWorld,
} from '../testing/demo-process';

/** The customers op-se keeps in its database on the server. */
async function customersIn(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ account_id: string }>('SELECT account_id FROM customers ORDER BY account_id');
    return rows.map((row) => row.account_id);
  } finally {
    await client.end();
  }
}

describe('npm start -- --store postgres://…', () => {
  it('keeps the demo world in PostgreSQL, reuses it, and resets it on request', {
    timeout: boundForProcessSteps(4),
  }, async () => {
    const serverUrl = await createTestDatabase('demo');
    const base = new URL(serverUrl).pathname.slice(1);
    const opSeUrl = Object.assign(new URL(serverUrl), { pathname: `/${base}_op_se` }).toString();
    const dir = join(mkdtempSync(join(tmpdir(), 'opentab-demo-pg-')), 'demo');
    const ports = [await findFreePort(), await findFreePort(), await findFreePort()];

    const first = await startWorld(dir, ports, '--store', serverUrl);
    const account = accountOf(first.output());
    expect(account).toBeDefined();
    expect(first.output()).toContain(`Stores: PostgreSQL databases ${base}_op_se, ${base}_op_eu, ${base}_shop`);
    expect((await fetch(`http://127.0.0.1:${ports[0]}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports[2]}/`)).status).toBe(200);
    expect(await customersIn(opSeUrl)).toEqual([account]);
    expect(await interrupt(first)).toBe(0);
    // Nothing of the operators went to a SQLite file.
    for (const operatorId of ['op-se', 'op-eu'])
      expect(existsSync(join(dir, operatorId, 'data', 'operator.sqlite'))).toBe(false);

    const second = await startWorld(dir, ports, '--store', serverUrl);
    expect(accountOf(second.output())).toBe(account);
    expect(await interrupt(second)).toBe(0);

    const third = await startWorld(dir, ports, '--store', serverUrl, '--reset');
    const fresh = accountOf(third.output());
    expect(fresh).not.toBe(account);
    expect(await customersIn(opSeUrl)).toEqual([fresh]);
    expect(await interrupt(third)).toBe(0);
  });
});
