// Databases of the run's PostgreSQL cluster (global-setup.ts) for test files: each gets its own,
// so files running in parallel never see one another's rows.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseUrlOn } from '@opentab/server-kit';
import { inject } from 'vitest';

/** The cluster's admin URL; throws with the reason when the run has no PostgreSQL (never skips). */
export function postgresAdminUrl(): string {
  const server = inject('opentabPostgres');
  if (server === undefined)
    throw new Error('no PostgreSQL in this run: the vitest project lacks test-kit/postgres/global-setup.ts');
  if ('unavailable' in server) throw new Error(`PostgreSQL is unavailable for this run: ${server.unavailable}`);
  return server.adminUrl;
}

/** Creates the empty database `name` on the server of `adminUrl` (a superuser's) and returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return databaseUrlOn(adminUrl, name);
}

/** Creates an empty database with a fresh name on the run's cluster and returns its URL. */
export function createTestDatabase(prefix = 'opentab'): Promise<string> {
  return createDatabase(postgresAdminUrl(), `${prefix}_${randomBytes(6).toString('hex')}`);
}
