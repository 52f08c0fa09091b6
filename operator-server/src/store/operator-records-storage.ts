// The operator's records beside a tab's life, as groups of the asynchronous store interface (see
// operator-storage.ts): the parties it revoked, its own keys and rotations, the keys its peers
// retired, the merchant certificates it signed, the rate tables it issued, merchants' refunds,
// the dispute decisions customers are told of, and the MTA's secure-delivery keys. Each group is
// the synchronous SQLite statements' methods, answering through promises; each has a PostgreSQL
// version of the same name (postgres-<group>.ts) with the same semantics.

import type { MtaDeliveryStore } from '../delivery/delivery-store';
import type { OwnKeyTable } from '../identity/own-key-table';
import type { PeerKeyRetirementTable } from '../identity/peer-key-retirement-table';
import type { IssuedCertificateTable } from '../mta/issued-certificates';
import type { RateTableStore } from '../rates/rate-table-store';
import type { RevocationTable } from '../revocation/revocation-table';
import type { Promised } from './operator-storage';
import type { OperatorStore } from './operator-store';
import type { ProcessLivenessTable } from './process-liveness';

/** Merchants and peers revoked here, each once. */
export const REVOCATION_METHODS = ['insertRevocation', 'revocation', 'revocations'] as const satisfies ReadonlyArray<
  keyof RevocationTable
>;

/** This operator's prepared and current keys, and its rotations (one per retiring key). */
export const OWN_KEY_METHODS = [
  'insertPreparedKey',
  'preparedKeys',
  'currentKey',
  'recordRotation',
  'rotations',
] as const satisfies ReadonlyArray<keyof OwnKeyTable>;

/** Peers' retired keys, each at the earliest retirement announced. */
export const PEER_KEY_RETIREMENT_METHODS = [
  'keepEarliestRetirement',
  'peerKeyRetirement',
  'peerKeyRetirements',
] as const satisfies ReadonlyArray<keyof PeerKeyRetirementTable>;

/** The log of temporary merchant certificates signed. */
export const ISSUED_CERTIFICATE_METHODS = [
  'recordIssuedCertificate',
  'certificatesOf',
] as const satisfies ReadonlyArray<keyof IssuedCertificateTable>;

/** The signed rate tables issued, each once under its id. */
export const RATE_TABLE_METHODS = ['insertRateTable', 'rateTable', 'latestRateTable'] as const satisfies ReadonlyArray<
  keyof RateTableStore
>;

/** Merchants' refunds, each once, those of a tab, and the revision a refund after the clearing makes. */
export const REFUND_METHODS = [
  'insertRefund',
  'refund',
  'refundsOfTab',
  'refundedOfTab',
  'refundTabClearing',
] as const satisfies ReadonlyArray<keyof OperatorStore>;

/** The MTA's signed dispute decision on a customer's transaction, kept once. */
export const DISPUTE_DECISION_METHODS = ['setTransactionDisputeDecision'] as const satisfies ReadonlyArray<
  keyof OperatorStore
>;

/** The MTA's escrow key, K1 registrations, escrowed K2s and the log of keys released. */
export const DELIVERY_METHODS = [
  'escrowKey',
  'registrationJson',
  'insertRegistration',
  'escrow',
  'insertEscrow',
  'releaseAnswerJson',
  'logRelease',
  'releases',
] as const satisfies ReadonlyArray<keyof MtaDeliveryStore>;

/** The processes serving this operator and when each was last alive. */
export const PROCESS_LIVENESS_METHODS = [
  'markProcessAlive',
  'lastAliveOfOthers',
  'forgetProcess',
  'forgetProcessesSilentSince',
] as const satisfies ReadonlyArray<keyof ProcessLivenessTable>;

export type RevocationAccess = Promised<Pick<RevocationTable, (typeof REVOCATION_METHODS)[number]>>;
export type OwnKeyAccess = Promised<Pick<OwnKeyTable, (typeof OWN_KEY_METHODS)[number]>>;
export type PeerKeyRetirementAccess = Promised<
  Pick<PeerKeyRetirementTable, (typeof PEER_KEY_RETIREMENT_METHODS)[number]>
>;
export type IssuedCertificateAccess = Promised<
  Pick<IssuedCertificateTable, (typeof ISSUED_CERTIFICATE_METHODS)[number]>
>;
export type RateTableAccess = Promised<Pick<RateTableStore, (typeof RATE_TABLE_METHODS)[number]>>;
export type RefundAccess = Promised<Pick<OperatorStore, (typeof REFUND_METHODS)[number]>>;
export type DisputeDecisionAccess = Promised<Pick<OperatorStore, (typeof DISPUTE_DECISION_METHODS)[number]>>;
export type DeliveryAccess = Promised<Pick<MtaDeliveryStore, (typeof DELIVERY_METHODS)[number]>>;
export type ProcessLivenessAccess = Promised<Pick<ProcessLivenessTable, (typeof PROCESS_LIVENESS_METHODS)[number]>>;

/** The groups of this file, as a transaction holds them. */
export interface OperatorRecordGroups {
  readonly revocations: RevocationAccess;
  readonly ownKeys: OwnKeyAccess;
  readonly peerKeyRetirements: PeerKeyRetirementAccess;
  readonly issuedCertificates: IssuedCertificateAccess;
  readonly rateTables: RateTableAccess;
  readonly refunds: RefundAccess;
  readonly disputeDecisions: DisputeDecisionAccess;
  readonly delivery: DeliveryAccess;
  readonly processes: ProcessLivenessAccess;
}
