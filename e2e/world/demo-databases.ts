// The demo world's PostgreSQL databases (`npm start -- --store postgres://user@host:port/db`): one
// for each operator and one for the shop's merchant agent, on the server the URL names, named
// after its database (`db_op_se`, `db_op_eu`, `db_shop`). They are made when missing; a reset
// drops them and makes them empty again. The URL's own database is only connected to, never used.

import pg from 'pg';
import { databaseNameOf, databaseUrlOn, isPlainDatabaseName, serverUrlProblem } from '@opentab/server-kit';

export interface DemoDatabases {
  /** The URL of each operator's database, by operator id. */
  readonly operators: Readonly<Record<string, string>>;
  /** The URL of the merchant agent's database. */
  readonly shop: string;
}

export async function prepareDemoDatabases(
  serverUrl: string,
  operatorIds: readonly string[],
  reset: boolean,
): Promise<DemoDatabases> {
  const problem = serverUrlProblem(serverUrl);
  if (problem !== null) throw new Error(`--store: ${problem}`);
  const base = databaseNameOf(serverUrl);
  const names = {
    operators: Object.fromEntries(operatorIds.map((id) => [id, `${base}_${id.replaceAll('-', '_')}`])),
    shop: `${base}_shop`,
  };
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (const name of [...Object.values(names.operators), names.shop]) {
      if (!isPlainDatabaseName(name)) throw new Error(`cannot name a database ${name}`);
      if (reset) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await admin.end();
  }
  return {
    operators: Object.fromEntries(
      Object.entries(names.operators).map(([id, name]) => [id, databaseUrlOn(serverUrl, name)]),
    ),
    shop: databaseUrlOn(serverUrl, names.shop),
  };
}
