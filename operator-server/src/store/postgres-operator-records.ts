// The record groups (operator-records-storage.ts) on one PostgreSQL connection: a transaction's
// client, or the pool for statements of their own.

import type { OperatorRecordGroups } from './operator-records-storage';
import { postgresDeliveryAccess } from './postgres-delivery';
import { postgresDisputeDecisionAccess } from './postgres-dispute-decisions';
import { postgresIssuedCertificateAccess } from './postgres-issued-certificates';
import type { StoreConnection } from './postgres-merchants';
import { postgresOwnKeyAccess } from './postgres-own-keys';
import { postgresPeerKeyRetirementAccess } from './postgres-peer-key-retirements';
import { postgresProcessLivenessAccess } from './postgres-process-liveness';
import { postgresRateTableAccess } from './postgres-rate-tables';
import { postgresRefundAccess } from './postgres-refunds';
import { postgresRevocationAccess } from './postgres-revocations';

export function postgresOperatorRecordGroups(connection: StoreConnection): OperatorRecordGroups {
  return {
    revocations: postgresRevocationAccess(connection),
    ownKeys: postgresOwnKeyAccess(connection),
    peerKeyRetirements: postgresPeerKeyRetirementAccess(connection),
    issuedCertificates: postgresIssuedCertificateAccess(connection),
    rateTables: postgresRateTableAccess(connection),
    refunds: postgresRefundAccess(connection),
    disputeDecisions: postgresDisputeDecisionAccess(connection),
    delivery: postgresDeliveryAccess(connection),
    processes: postgresProcessLivenessAccess(connection),
  };
}
