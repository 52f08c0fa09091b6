// One way to bring a SQLite store to the schema its code expects, for the operator's and the
// merchant agent's files alike: numbered steps, each applied once in its own transaction and
// counted in PRAGMA user_version, so a file written by any earlier version opens with every step
// it lacks. Never edit a step that has shipped: add the next one.

import type Database from 'better-sqlite3';

export interface StoreMigrations {
  /** Names the store in errors ("operator.sqlite"). */
  readonly store: string;
  /**
   * Idempotent SQL (CREATE … IF NOT EXISTS) run at every open, before the steps: for a store that
   * began without counted steps, so a file at version 0 gains what it lacks of the base first.
   */
  readonly base?: string;
  /** Step n (counting from 1) brings the file from version n − 1 to n. */
  readonly steps: readonly string[];
}

/** Applies the steps the file lacks; returns the versions before and after. Refuses a file newer than the code. */
export function migrate(
  db: Database.Database,
  migrations: StoreMigrations,
): { readonly from: number; readonly to: number } {
  if (migrations.base !== undefined) db.exec(migrations.base);
  const from = Number(db.pragma('user_version', { simple: true }));
  const latest = migrations.steps.length;
  if (from > latest)
    throw new Error(
      `${migrations.store} is at schema version ${from}, newer than this software (${latest}); run a newer release`,
    );
  for (let version = from + 1; version <= latest; version++) {
    db.transaction(() => {
      db.exec(migrations.steps[version - 1]!);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
  return { from, to: latest };
}
