// Which store a test run keeps a party's state in. One suite runs once per store: the vitest
// project `postgres` sets the party's variable, and each party under test then gets a fresh
// database on the run's PostgreSQL cluster instead of a SQLite file.

export type StoreKindUnderTest = 'sqlite' | 'postgres';

/** The store the run names in `variable` (OPENTAB_AGENT_STORE, OPENTAB_OPERATOR_STORE); SQLite unless set. */
export function storeKindUnderTest(variable: 'OPENTAB_AGENT_STORE' | 'OPENTAB_OPERATOR_STORE'): StoreKindUnderTest {
  const kind = process.env[variable] ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`${variable}=${kind}: sqlite or postgres`);
  return kind;
}

/** A fresh, empty database on the run's cluster, as a party's store settings. */
export async function freshPostgresStore(prefix: string): Promise<{ kind: 'postgres'; url: string; poolSize: number }> {
  // Loaded only here: it reads the cluster vitest's global setup provides.
  const { createTestDatabase } = await import('./postgres/databases');
  return { kind: 'postgres', url: await createTestDatabase(prefix), poolSize: 4 };
}
