// The record groups (operator-records-storage.ts) on the SQLite file: each group's statement
// class over the operator's connection, its methods run through the storage's `call` (inside a
// transaction, or each in turn as a transaction of its own).

import type Database from 'better-sqlite3';
import { MtaDeliveryStore } from '../delivery/delivery-store';
import { OwnKeyTable } from '../identity/own-key-table';
import { PeerKeyRetirementTable } from '../identity/peer-key-retirement-table';
import { IssuedCertificateTable } from '../mta/issued-certificates';
import { RateTableStore } from '../rates/rate-table-store';
import { RevocationTable } from '../revocation/revocation-table';
import {
  DELIVERY_METHODS,
  DISPUTE_DECISION_METHODS,
  ISSUED_CERTIFICATE_METHODS,
  OWN_KEY_METHODS,
  type OperatorRecordGroups,
  PEER_KEY_RETIREMENT_METHODS,
  PROCESS_LIVENESS_METHODS,
  RATE_TABLE_METHODS,
  REFUND_METHODS,
  REVOCATION_METHODS,
} from './operator-records-storage';
import type { OperatorStore } from './operator-store';
import { ProcessLivenessTable } from './process-liveness';
import { type Call, promised } from './promised-methods';

/** The statement classes, made once per storage and shared by every way of calling them. */
export interface SqliteRecordTables {
  readonly revocations: RevocationTable;
  readonly ownKeys: OwnKeyTable;
  readonly peerKeyRetirements: PeerKeyRetirementTable;
  readonly issuedCertificates: IssuedCertificateTable;
  readonly rateTables: RateTableStore;
  readonly delivery: MtaDeliveryStore;
  readonly processes: ProcessLivenessTable;
}

export function sqliteRecordTables(db: Database.Database): SqliteRecordTables {
  return {
    revocations: new RevocationTable(db),
    ownKeys: new OwnKeyTable(db),
    peerKeyRetirements: new PeerKeyRetirementTable(db),
    issuedCertificates: new IssuedCertificateTable(db),
    rateTables: new RateTableStore(db),
    delivery: new MtaDeliveryStore(db),
    processes: new ProcessLivenessTable(db),
  };
}

export function sqliteRecordGroups(tables: SqliteRecordTables, store: OperatorStore, call: Call): OperatorRecordGroups {
  return {
    revocations: promised(tables.revocations, REVOCATION_METHODS, call),
    ownKeys: promised(tables.ownKeys, OWN_KEY_METHODS, call),
    peerKeyRetirements: promised(tables.peerKeyRetirements, PEER_KEY_RETIREMENT_METHODS, call),
    issuedCertificates: promised(tables.issuedCertificates, ISSUED_CERTIFICATE_METHODS, call),
    rateTables: promised(tables.rateTables, RATE_TABLE_METHODS, call),
    refunds: promised(store, REFUND_METHODS, call),
    disputeDecisions: promised(store, DISPUTE_DECISION_METHODS, call),
    delivery: promised(tables.delivery, DELIVERY_METHODS, call),
    processes: promised(tables.processes, PROCESS_LIVENESS_METHODS, call),
  };
}
