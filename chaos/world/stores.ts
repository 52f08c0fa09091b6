// Where each party of a round keeps its state, and the runner's reads of it: what is still in
// flight (while waiting for quiet) and the facts the cross-party checks compare. A SQLite file is
// read on a read-only connection, a PostgreSQL database in one READ ONLY snapshot; either way each
// party's facts come from one snapshot of its store.

import {
  AgentStoreReader,
  readPostgresAgentStore,
  type AgentAuditPurchase,
  type AgentAuditTab,
} from '@opentab/merchant-agent/audit';
import {
  OperatorStoreReader,
  postgresUnsettledCounts,
  readPostgresOperatorStore,
  type AuditTab,
  type AuditTransaction,
  type SettlementBalance,
  type UnsettledCounts,
} from '@opentab/operator-server';
import type { Party } from './topology';

export type PartyStore =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };
export type WorldStores = Readonly<Record<Party, PartyStore>>;

export interface AgentUnsettledCounts {
  readonly tabsUnfinished: number;
  readonly recordsUnacknowledged: number;
}

export interface OperatorFacts {
  readonly transactions: readonly AuditTransaction[];
  readonly tabs: readonly AuditTab[];
  readonly settlement: readonly SettlementBalance[];
}

export interface AgentFacts {
  readonly tabs: readonly AgentAuditTab[];
  readonly purchases: readonly AgentAuditPurchase[];
}

function withReader<R extends { close(): void }, T>(reader: R, body: (reader: R) => T): T {
  try {
    return body(reader);
  } finally {
    reader.close();
  }
}

export async function operatorUnsettled(store: PartyStore): Promise<UnsettledCounts> {
  if (store.kind === 'postgres') return postgresUnsettledCounts(store.url);
  return withReader(OperatorStoreReader.open(store.path), (reader) => reader.unsettledCounts());
}

export async function agentUnsettled(store: PartyStore): Promise<AgentUnsettledCounts> {
  if (store.kind === 'sqlite')
    return withReader(AgentStoreReader.open(store.path), (reader) => reader.unsettledCounts());
  // The SQLite reader's counts, over the one snapshot the PostgreSQL reader takes.
  const snapshot = await readPostgresAgentStore(store.url);
  return {
    tabsUnfinished: snapshot.tabs.filter((tab) => tab.status !== 'cleared').length,
    recordsUnacknowledged: snapshot.records.filter((record) => !record.acknowledged).length,
  };
}

export async function operatorFacts(store: PartyStore): Promise<OperatorFacts> {
  if (store.kind === 'postgres') {
    const snapshot = await readPostgresOperatorStore(store.url);
    return { transactions: snapshot.transactions, tabs: snapshot.tabs, settlement: snapshot.settlementBalances };
  }
  return withReader(OperatorStoreReader.open(store.path), (reader) =>
    reader.snapshot(() => ({
      transactions: reader.transactions(),
      tabs: reader.tabs(),
      settlement: reader.settlementBalances(),
    })),
  );
}

export async function agentFacts(store: PartyStore): Promise<AgentFacts> {
  if (store.kind === 'postgres') {
    const snapshot = await readPostgresAgentStore(store.url);
    return { tabs: snapshot.tabs, purchases: snapshot.purchases };
  }
  return withReader(AgentStoreReader.open(store.path), (reader) =>
    reader.snapshot(() => ({ tabs: reader.tabs(), purchases: reader.purchases() })),
  );
}
