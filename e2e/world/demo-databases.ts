// The demo world's PostgreSQL databases (`npm start -- --store postgres://user@host:port/db`): one
// for each operator and one for the shop's merchant agent, on the server the URL names, named
// after its database (`db_op_se`, `db_op_eu`, `db_shop`). They are made when missing; a reset
// drops them and makes them empty again. The URL's own database is only connected to, never used.

import pg from 'pg';

export interface DemoDatabases {
  /** The URL of each operator's database, by operator id. */
  readonly operators: Readonly<Record<string, string>>;
  /** The URL of the merchant agent's database. */
  readonly shop: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** The URL of the database `name` on the server of `serverUrl`. */
function databaseUrl(serverUrl: URL, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function prepareDemoDatabases(
  serverUrl: string,
  operatorIds: readonly string[],
  reset: boolean,
): Promise<DemoDatabases> {
  const server = new URL(serverUrl);
  if (server.protocol !== 'postgres:' && server.protocol !== 'postgresql:')
    throw new Error(`--store takes a postgres://user@host:port/database URL (got ${serverUrl})`);
  const base = decodeURIComponent(server.pathname.slice(1));
  if (!IDENTIFIER.test(base))
    throw new Error(`--store names the database ${JSON.stringify(base)}: use lower-case letters, digits and _`);
  const names = {
    operators: Object.fromEntries(operatorIds.map((id) => [id, `${base}_${id.replaceAll('-', '_')}`])),
    shop: `${base}_shop`,
  };
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (const name of [...Object.values(names.operators), names.shop]) {
      if (!IDENTIFIER.test(name)) throw new Error(`cannot name a database ${name}`);
      if (reset) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await admin.end();
  }
  return {
    operators: Object.fromEntries(Object.entries(names.operators).map(([id, name]) => [id, databaseUrl(server, name)])),
    shop: databaseUrl(server, names.shop),
  };
}
