// The merchant agent audit's view of an agent's PostgreSQL database: the queries of the SQLite
// reader, run in one READ ONLY transaction at REPEATABLE READ, so the audit sees one snapshot
// while the agent processes keep writing, and can never change what it checks.

import pg from 'pg';
import { AGENT_POSTGRES_MIGRATIONS } from '../postgres-store';
import {
  AUDIT_QUERIES,
  auditPurchaseOf,
  auditRecordOf,
  auditTabOf,
  type AgentAuditPurchase,
  type AgentAuditRecord,
  type AgentAuditTab,
} from './store-reader';

export interface AgentStoreSnapshot {
  /** The agent's schema step the database is at, and the one this code expects. */
  readonly schemaVersion: { readonly stored: number | null; readonly expected: number };
  readonly tabs: readonly AgentAuditTab[];
  readonly purchases: readonly AgentAuditPurchase[];
  readonly records: readonly AgentAuditRecord[];
}

/** Everything the audit checks, read in one snapshot. */
export async function readPostgresAgentStore(url: string): Promise<AgentStoreSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const version = await client.query<{ version: string }>(
        'SELECT version::text AS version FROM schema_version WHERE store = $1',
        [AGENT_POSTGRES_MIGRATIONS.store],
      );
      return {
        schemaVersion: {
          stored: version.rows.length === 0 ? null : Number(version.rows[0]!.version),
          expected: AGENT_POSTGRES_MIGRATIONS.steps.length,
        },
        tabs: (await client.query(AUDIT_QUERIES.tabs)).rows.map(auditTabOf),
        purchases: (await client.query(AUDIT_QUERIES.purchases)).rows.map(auditPurchaseOf),
        records: (await client.query(AUDIT_QUERIES.records)).rows.map(auditRecordOf),
      };
    } finally {
      await client.query('ROLLBACK');
    }
  } finally {
    await client.end();
  }
}
