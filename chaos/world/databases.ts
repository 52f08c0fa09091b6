// A round's PostgreSQL databases (`npm run chaos -- --store postgres://user@host:port/db`): one per
// party, made empty for the round on the server the URL names and named after its database, the
// round's seed and a fresh tag (`db_r5445_1a2b3c_op_se`), so that rounds never share state and a
// failed round's databases can be found by its seed. The URL's own database is only connected to.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseNameOf, databaseUrlOn, serverUrlProblem } from '@opentab/server-kit';
import type { Party } from './topology';

export type RoundDatabases = Readonly<Record<Party, string>>;

/** PostgreSQL's limit on a database name. */
const MAX_NAME_LENGTH = 63;

async function asAdmin(serverUrl: string, work: (admin: pg.Client) => Promise<void>): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}

/** Makes the round's empty databases and returns their URLs. */
export async function createRoundDatabases(serverUrl: string, seed: number): Promise<RoundDatabases> {
  const problem = serverUrlProblem(serverUrl);
  if (problem !== null) throw new Error(problem);
  const prefix = `${databaseNameOf(serverUrl)}_r${seed}_${randomBytes(3).toString('hex')}`;
  const names: Record<Party, string> = {
    'op-se': `${prefix}_op_se`,
    'op-eu': `${prefix}_op_eu`,
    agent: `${prefix}_agent`,
  };
  for (const name of Object.values(names))
    if (name.length > MAX_NAME_LENGTH) throw new Error(`cannot name a database ${name}: use a shorter database name`);
  await asAdmin(serverUrl, async (admin) => {
    for (const name of Object.values(names)) await admin.query(`CREATE DATABASE "${name}"`);
  });
  return {
    'op-se': databaseUrlOn(serverUrl, names['op-se']),
    'op-eu': databaseUrlOn(serverUrl, names['op-eu']),
    agent: databaseUrlOn(serverUrl, names.agent),
  };
}

/** Drops the round's databases once nobody uses them any more. */
export async function dropRoundDatabases(serverUrl: string, databases: RoundDatabases): Promise<void> {
  await asAdmin(serverUrl, async (admin) => {
    for (const url of Object.values(databases)) {
      await admin.query(`DROP DATABASE IF EXISTS "${databaseNameOf(url)}" WITH (FORCE)`);
    }
  });
}
