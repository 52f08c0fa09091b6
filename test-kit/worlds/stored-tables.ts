// Every table of an operator's or a merchant agent's store, read through a connection of the
// test's own, on either store: row counts and digests that tell a refused request changed
// nothing, and single statements that put a row in a state no request can (a lost acknowledgement).

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { tableDigests } from '../hostile-input';
import type { MerchantSite } from './two-operator-world';
import type { WorldOperator } from './operator-world';

type Source =
  | { readonly kind: 'sqlite'; readonly db: Database.Database; readonly owned: boolean }
  | { readonly kind: 'postgres'; readonly url: string };

export class StoredTables {
  private client: Promise<pg.Client> | null = null;
  private tableNames: Promise<string[]> | null = null;

  private constructor(private readonly source: Source) {}

  /** The tables of a running operator of a world: its SQLite file's, or its PostgreSQL database's. */
  static ofOperator(operator: WorldOperator): StoredTables {
    if (operator.store.kind === 'postgres') return new StoredTables({ kind: 'postgres', url: operator.store.url });
    return new StoredTables({ kind: 'sqlite', db: operator.running.sqlite!.db, owned: false });
  }

  /** The tables of a world's operator that is not running (stopped for a restart), through a connection of their own. */
  static ofStoppedOperator(operator: WorldOperator): StoredTables {
    if (operator.store.kind === 'postgres') return new StoredTables({ kind: 'postgres', url: operator.store.url });
    const path = join(operator.running.context.config.dataDir, 'operator.sqlite');
    return new StoredTables({ kind: 'sqlite', db: new Database(path), owned: true });
  }

  /** The tables of a merchant site's agent, read-only on SQLite. */
  static ofMerchant(site: MerchantSite): StoredTables {
    if (site.store.kind === 'postgres') return new StoredTables({ kind: 'postgres', url: site.store.url });
    return new StoredTables({ kind: 'sqlite', db: new Database(site.store.path, { readonly: true }), owned: true });
  }

  /** One digest per table (its row count and a hash of its rows) of everything in it, but the tables of `except`. */
  async digests(except: readonly string[] = []): Promise<Record<string, string>> {
    if (this.source.kind === 'sqlite') return tableDigests(this.source.db, except);
    const digests: Record<string, string> = {};
    for (const { name, rows, hash } of await this.summaries(except))
      digests[name] = `${rows} rows, ${createHash('sha256').update(hash).digest('hex').slice(0, 16)}`;
    return digests;
  }

  /** The row count of every table, but the tables of `except`. */
  async counts(except: readonly string[] = []): Promise<Record<string, number>> {
    if (this.source.kind === 'sqlite') {
      const { db } = this.source;
      const names = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .pluck()
        .all() as string[];
      return Object.fromEntries(
        names
          .filter((name) => !except.includes(name))
          .map((name) => [name, db.prepare(`SELECT COUNT(*) FROM "${name}"`).pluck().get() as number]),
      );
    }
    return Object.fromEntries((await this.summaries(except)).map(({ name, rows }) => [name, rows]));
  }

  /** Runs one query (positional parameters: ?) and returns its rows, column names as in the statement. */
  async query(sql: string, parameters: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    if (this.source.kind === 'sqlite')
      return this.source.db.prepare(sql).all(...parameters) as Record<string, unknown>[];
    return (await (await this.connection()).query(numbered(sql), [...parameters])).rows;
  }

  /** Runs one changing statement (positional parameters: ?) and returns how many rows it changed. */
  async run(sql: string, parameters: readonly unknown[] = []): Promise<number> {
    if (this.source.kind === 'sqlite') return this.source.db.prepare(sql).run(...parameters).changes;
    return (await (await this.connection()).query(numbered(sql), [...parameters])).rowCount ?? 0;
  }

  /**
   * From now on every insert into `table` fails with `message`, as on a full disk or a broken
   * table, until the returned function lifts the refusal.
   */
  async refuseInserts(table: string, message: string): Promise<() => Promise<void>> {
    const name = `refuse_inserts_into_${table}`;
    if (this.source.kind === 'sqlite') {
      const { db } = this.source;
      db.exec(`CREATE TRIGGER ${name} BEFORE INSERT ON "${table}" BEGIN SELECT RAISE(ABORT, '${message}'); END`);
      return async () => void db.exec(`DROP TRIGGER ${name}`);
    }
    const client = await this.connection();
    await client.query(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${message}'; END $$`,
    );
    await client.query(`CREATE TRIGGER ${name} BEFORE INSERT ON "${table}" FOR EACH ROW EXECUTE FUNCTION ${name}()`);
    return async () => {
      await client.query(`DROP TRIGGER ${name} ON "${table}"`);
      await client.query(`DROP FUNCTION ${name}()`);
    };
  }

  async close(): Promise<void> {
    if (this.source.kind === 'sqlite') {
      if (this.source.owned) this.source.db.close();
      return;
    }
    const client = this.client;
    this.client = null;
    if (client !== null) await (await client).end();
  }

  /** Each table's row count and md5 of its rows in one order, in one statement: one snapshot of them all. */
  private async summaries(except: readonly string[]): Promise<Array<{ name: string; rows: number; hash: string }>> {
    const client = await this.connection();
    this.tableNames ??= client
      .query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
      )
      .then((result) => result.rows.map((row) => row.name));
    const names = (await this.tableNames).filter((name) => !except.includes(name));
    if (names.length === 0) return [];
    const sql = names
      .map(
        (name) =>
          `SELECT '${name}' AS name, COUNT(*)::int AS rows,
             md5(COALESCE(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS hash FROM "${name}" t`,
      )
      .join(' UNION ALL ');
    return (await client.query<{ name: string; rows: number; hash: string }>(sql)).rows;
  }

  private connection(): Promise<pg.Client> {
    if (this.source.kind !== 'postgres') throw new Error('a SQLite store needs no connection');
    const { url } = this.source;
    this.client ??= (async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    })();
    return this.client;
  }
}

/** SQLite's positional parameters (?) as PostgreSQL's ($1, $2…). */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}
