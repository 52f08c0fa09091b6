// The operator audit's view of an operator's PostgreSQL database: the queries of the SQLite
// reader, run in one READ ONLY transaction at REPEATABLE READ, so the audit sees one snapshot
// while the operator's processes keep writing, and can never change what it checks.

import pg from 'pg';
import { systemClock } from '@opentab/protocol';
import { POSTGRES_LEDGER_MIGRATIONS, PostgresLedger } from '../ledger/postgres-ledger';
import type { InvariantReport } from '../ledger/types';
import { POSTGRES_OPERATOR_MIGRATIONS } from '../store/postgres-schema';
import {
  amountsByRef,
  auditHoldOf,
  auditTabOf,
  auditTransactionOf,
  billingRecordOf,
  countOf,
  OPERATOR_AUDIT_QUERIES,
  settlementBalanceOf,
  unbalancedEntryOf,
  undeliveredOutboxRowOf,
  type AuditHold,
  type AuditTab,
  type AuditTransaction,
  type OperatorAuditReads,
  type OutboxBillingRecord,
  type SettlementBalance,
  type UnbalancedEntry,
  type UndeliveredOutboxRow,
  type UnsettledCounts,
} from './store-reader';

/** One of the operator's schemas (the ledger's, the store's): the step the database is at, and the one this code expects. */
export interface SchemaStep {
  readonly store: string;
  readonly stored: number | null;
  readonly expected: number;
}

/** Everything the audit reads, from one snapshot of the database. */
export interface OperatorStoreSnapshot {
  readonly schemaVersions: readonly SchemaStep[];
  readonly ledgerReport: InvariantReport;
  readonly unbalancedEntries: readonly UnbalancedEntry[];
  readonly holds: readonly AuditHold[];
  readonly transactions: readonly AuditTransaction[];
  readonly tabs: readonly AuditTab[];
  readonly customerChargesByRef: ReadonlyMap<string, bigint>;
  readonly merchantCreditsByRef: ReadonlyMap<string, bigint>;
  readonly settlementBalances: readonly SettlementBalance[];
  readonly undeliveredOutbox: readonly UndeliveredOutboxRow[];
  readonly billingOutbox: readonly OutboxBillingRecord[];
}

/** Runs `read` in one READ ONLY snapshot of the database at `url`, on a connection of its own. */
async function inSnapshot<T>(url: string, read: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await read(client);
    } finally {
      await client.query('ROLLBACK');
    }
  } finally {
    await client.end();
  }
}

/** Everything the audit checks, read in one snapshot. */
export function readPostgresOperatorStore(url: string): Promise<OperatorStoreSnapshot> {
  return inSnapshot(url, async (client) => {
    const rows = async (sql: string) => (await client.query(sql)).rows as Record<string, unknown>[];
    const schemaVersions: SchemaStep[] = [];
    for (const migrations of [POSTGRES_LEDGER_MIGRATIONS, POSTGRES_OPERATOR_MIGRATIONS]) {
      const { rows: found } = await client.query<{ version: string }>(
        'SELECT version::text AS version FROM schema_version WHERE store = $1',
        [migrations.store],
      );
      schemaVersions.push({
        store: migrations.store,
        stored: found.length === 0 ? null : Number(found[0]!.version),
        expected: migrations.steps.length,
      });
    }
    return {
      schemaVersions,
      // The ledger's own invariant queries, as the running operator checks them.
      ledgerReport: await new PostgresLedger(systemClock).checkInvariants(client),
      unbalancedEntries: (await rows(OPERATOR_AUDIT_QUERIES.unbalancedEntries)).map(unbalancedEntryOf),
      holds: (await rows(OPERATOR_AUDIT_QUERIES.holds)).map(auditHoldOf),
      transactions: (await rows(OPERATOR_AUDIT_QUERIES.transactions)).map(auditTransactionOf),
      tabs: (await rows(OPERATOR_AUDIT_QUERIES.tabs)).map(auditTabOf),
      customerChargesByRef: amountsByRef(await rows(OPERATOR_AUDIT_QUERIES.customerChargesByRef), 'charged'),
      merchantCreditsByRef: amountsByRef(await rows(OPERATOR_AUDIT_QUERIES.merchantCreditsByRef), 'credited'),
      settlementBalances: (await rows(OPERATOR_AUDIT_QUERIES.settlementBalances)).map(settlementBalanceOf),
      undeliveredOutbox: (await rows(OPERATOR_AUDIT_QUERIES.undeliveredOutbox)).map(undeliveredOutboxRowOf),
      billingOutbox: (await rows(OPERATOR_AUDIT_QUERIES.billingOutbox)).map(billingRecordOf),
    };
  });
}

/** The snapshot as the checks read a store (each read returns a copy: a check may not change what another sees). */
export function snapshotReads(snapshot: OperatorStoreSnapshot): OperatorAuditReads {
  return {
    ledgerReport: () => snapshot.ledgerReport,
    unbalancedEntries: () => [...snapshot.unbalancedEntries],
    holds: () => [...snapshot.holds],
    transactions: () => [...snapshot.transactions],
    tabs: () => [...snapshot.tabs],
    customerChargesByRef: () => new Map(snapshot.customerChargesByRef),
    merchantCreditsByRef: () => new Map(snapshot.merchantCreditsByRef),
    settlementBalances: () => [...snapshot.settlementBalances],
    undeliveredOutbox: () => [...snapshot.undeliveredOutbox],
    billingOutbox: () => [...snapshot.billingOutbox],
  };
}

/** What is not yet final, for a caller waiting for the operator to settle down. */
export function postgresUnsettledCounts(url: string): Promise<UnsettledCounts> {
  return inSnapshot(url, async (client) => {
    const count = async (sql: string) => countOf((await client.query(sql)).rows[0]);
    return {
      transactionsInFlight: await count(OPERATOR_AUDIT_QUERIES.transactionsInFlight),
      tabsInFlight: await count(OPERATOR_AUDIT_QUERIES.tabsInFlight),
      outboxUndelivered: await count(OPERATOR_AUDIT_QUERIES.outboxUndelivered),
    };
  });
}
