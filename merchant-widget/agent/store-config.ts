// Where the agent keeps its state: `store` in the configuration (or, as before it existed,
// `databasePath` alone for a SQLite file).

export type AgentStoreConfig =
  /** One SQLite file (created if missing): the embedded default, for one agent process. */
  | { readonly kind: 'sqlite'; readonly path: string }
  /**
   * A PostgreSQL database (postgres://user@host:port/db), which several agent processes of one
   * merchant may share; `poolSize` connections per process (default 10).
   */
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize?: number };

export type AgentStoreSettings =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };

export const DEFAULT_POSTGRES_POOL_SIZE = 10;
const MAX_POSTGRES_POOL_SIZE = 1000;

/** The store settings, or null after reporting each problem to `check`. */
export function resolveStoreConfig(
  store: AgentStoreConfig | undefined,
  databasePath: string | undefined,
  check: (ok: boolean, problem: string) => void,
): AgentStoreSettings | null {
  if (store === undefined) {
    const named = typeof databasePath === 'string' && databasePath.length > 0;
    check(named, 'store (or databasePath, a SQLite file) must say where the agent keeps its state');
    return named ? { kind: 'sqlite', path: databasePath } : null;
  }
  if (databasePath !== undefined) {
    check(false, 'give store or databasePath, not both');
    return null;
  }
  if (store === null || typeof store !== 'object') {
    check(false, "store must be { kind: 'sqlite', path } or { kind: 'postgres', url, poolSize }");
    return null;
  }
  if (store.kind === 'sqlite') {
    const named = typeof store.path === 'string' && store.path.length > 0;
    check(named, 'store.path must name a SQLite file');
    return named ? { kind: 'sqlite', path: store.path } : null;
  }
  if (store.kind === 'postgres') {
    const urlOk = typeof store.url === 'string' && /^postgres(ql)?:\/\/[^/]+\/[^/?]+/.test(store.url);
    check(urlOk, 'store.url must be a postgres://user@host:port/database URL');
    const poolSize = store.poolSize ?? DEFAULT_POSTGRES_POOL_SIZE;
    const poolOk = Number.isSafeInteger(poolSize) && poolSize >= 1 && poolSize <= MAX_POSTGRES_POOL_SIZE;
    check(poolOk, `store.poolSize must be a whole number from 1 to ${MAX_POSTGRES_POOL_SIZE}`);
    return urlOk && poolOk ? { kind: 'postgres', url: store.url, poolSize } : null;
  }
  check(false, `store.kind must be 'sqlite' or 'postgres'`);
  return null;
}
