// Vitest global setup: one throwaway PostgreSQL cluster for the whole run, its URL handed to the
// test files through provide/inject. A cluster that cannot start is not a reason to skip: the
// reason is handed on instead, and every test that needs PostgreSQL fails with it.

import type { TestProject } from 'vitest/node';
import { startPostgresCluster, type PostgresCluster } from './cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The cluster's admin URL, or why there is none. */
    opentabPostgres: { readonly adminUrl: string } | { readonly unavailable: string };
  }
}

let cluster: PostgresCluster | null = null;

export async function setup(project: TestProject): Promise<void> {
  // A server of the developer's own (postgres://…/postgres, a superuser) instead of a new cluster.
  const external = process.env.OPENTAB_TEST_POSTGRES_URL;
  if (external !== undefined && external !== '') {
    project.provide('opentabPostgres', { adminUrl: external });
    return;
  }
  try {
    cluster = await startPostgresCluster();
    project.provide('opentabPostgres', { adminUrl: cluster.adminUrl });
  } catch (error) {
    project.provide('opentabPostgres', { unavailable: error instanceof Error ? error.message : String(error) });
  }
}

export function teardown(): void {
  cluster?.stop();
  cluster = null;
}
