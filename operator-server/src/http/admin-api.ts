// The operator's own administration routes (bearer token). Like the public routes, each is one
// spec with request and response schemas, used for validation and for /openapi.json alike.

import * as v from 'valibot';
import { SMALL_BODY_BYTES, route } from '@opentab/protocol';
import { AccountView } from '@opentab/protocol';
import {
  AccountId,
  Amount,
  CurrencyCode,
  DisplayName,
  MerchantId,
  OperatorId,
  SignedAmount,
  TabId,
  Timestamp,
  TransactionId,
} from '@opentab/protocol';
import { SecureHttpUrl, SecureWebOrigin } from '@opentab/protocol';
import { ClearingOutcome } from '@opentab/protocol';
import { MerchantRegistration } from '@opentab/protocol';
import { MAX_IDENTIFIER_LENGTH } from '../ledger';
import { ADMIN_OPERATIONS_API } from './admin-operations-api';
import { ADMIN_TRUST_API } from './admin-trust-api';
import { ADMIN_STAFF_API } from './admin-staff-api';

export const CreateCustomerRequest = v.strictObject({
  displayName: v.optional(DisplayName),
  currency: v.optional(CurrencyCode),
  creditLimit: Amount,
});
export const CreateCustomerResponse = v.strictObject({
  accountId: AccountId,
  currency: CurrencyCode,
  creditLimit: Amount,
});

export const EnrollmentCodeRequest = v.strictObject({
  validFor_s: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(60), v.maxValue(90 * 24 * 3600))),
});
export const EnrollmentCodeResponse = v.strictObject({ accountId: AccountId, code: v.string(), expiresAt: Timestamp });

/** A credit's ledger entry is `credit:<accountId>:<reference>` (so a retried credit posts once), and a ledger id has at most MAX_IDENTIFIER_LENGTH characters. */
export function creditEntryId(accountId: string, reference: string): string {
  return `credit:${accountId}:${reference}`;
}
const CREDIT_REFERENCE_MAX_LENGTH = MAX_IDENTIFIER_LENGTH - creditEntryId('acct_000000000000000000000000', '').length;

export const CreditRequest = v.strictObject({
  amount: Amount,
  reference: v.pipe(v.string(), v.minLength(1), v.maxLength(CREDIT_REFERENCE_MAX_LENGTH)),
});

/**
 * What a merchant registers: what its certificates will state. Customers' wallets send purchases
 * to the agent URL and pay only pages at the origins, so both must be https (or on loopback).
 */
export const MerchantRegistrationRequest = v.strictObject({
  ...MerchantRegistration.entries,
  origins: v.pipe(v.array(SecureWebOrigin), v.minLength(1), v.maxLength(16)),
  agentUrl: SecureHttpUrl,
});

export const MerchantView = v.strictObject({
  ...MerchantRegistration.entries,
  balance: SignedAmount,
  tabs: v.array(
    v.strictObject({
      tabId: TabId,
      state: v.string(),
      deposit: Amount,
      cleared: v.nullable(Amount),
      outcome: v.nullable(ClearingOutcome),
    }),
  ),
});

const RecordSummary = v.nullable(
  v.strictObject({ count: v.number(), total: Amount, lastChainIndex: v.number(), purchaseListHash: v.string() }),
);

export const TransactionView = v.strictObject({
  transactionId: TransactionId,
  accountId: AccountId,
  state: v.string(),
  tabId: v.nullable(TabId),
  merchantId: MerchantId,
  merchantOperatorId: OperatorId,
  hold: Amount,
  depositMerchant: Amount,
  charged: v.nullable(Amount),
  released: v.nullable(Amount),
  outcome: v.nullable(ClearingOutcome),
  expiresAt: Timestamp,
  customerRecord: RecordSummary,
});

export const TabView = v.strictObject({
  tabId: TabId,
  merchantId: MerchantId,
  customerOperatorId: OperatorId,
  transactionId: TransactionId,
  state: v.string(),
  deposit: Amount,
  cleared: v.nullable(Amount),
  outcome: v.nullable(ClearingOutcome),
  expiresAt: Timestamp,
  customerRecord: RecordSummary,
  merchantRecord: RecordSummary,
  dispute: v.nullable(v.strictObject({ disputeId: v.string(), reason: v.string(), cleared: Amount })),
});

export const DisputeList = v.array(
  v.strictObject({
    disputeId: v.string(),
    tabId: TabId,
    createdAt: Timestamp,
    cleared: Amount,
    reason: v.string(),
    /** The operator's decision on the tab, once made (see resolveDispute). */
    resolved: v.nullable(v.strictObject({ decision: v.picklist(['uphold', 'adjust']), cleared: Amount })),
  }),
);

export const SettlementQuery = v.strictObject({
  peer: OperatorId,
  from: v.optional(Timestamp),
  until: v.optional(Timestamp),
});
export const SettlementStatementResponse = v.strictObject({
  operatorId: OperatorId,
  peerOperatorId: OperatorId,
  from: Timestamp,
  until: Timestamp,
  lines: v.array(
    v.strictObject({
      currency: CurrencyCode,
      payable: Amount,
      receivable: Amount,
      net: SignedAmount,
      /** What merchants refunded after clearings in the period (part of payable or receivable). */
      refunded: Amount,
      entries: v.number(),
    }),
  ),
});

export const LedgerReport = v.strictObject({
  /** What every account of a currency adds up to: zero, unless the ledger is broken. */
  sumsByCurrency: v.record(CurrencyCode, SignedAmount),
  accountsBelowFloor: v.array(v.string()),
  heldMismatches: v.array(v.string()),
  balanceMismatches: v.array(v.string()),
  pendingHolds: v.array(v.strictObject({ holdId: v.string(), ref: v.string(), amount: Amount, accountId: v.string() })),
  balances: v.record(v.string(), SignedAmount),
});

const admin = { auth: 'admin-token' as const, maxBody_bytes: SMALL_BODY_BYTES };

export const ADMIN_API = {
  createCustomer: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/customers',
    summary: 'Open a customer account with a credit limit.',
    request: CreateCustomerRequest,
    response: CreateCustomerResponse,
  }),
  enrollmentCode: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/customers/{accountId}/enrollment-codes',
    summary: 'Issue a one-time enrolment code for an account.',
    request: EnrollmentCodeRequest,
    response: EnrollmentCodeResponse,
  }),
  creditCustomer: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/customers/{accountId}/credits',
    summary: 'Put prepaid money on a customer account.',
    request: CreditRequest,
    response: AccountView,
  }),
  getCustomer: route({
    ...admin,
    method: 'GET',
    path: '/v1/admin/customers/{accountId}',
    summary: 'A customer account as the customer sees it.',
    request: null,
    response: AccountView,
    maxBody_bytes: 0,
  }),
  registerMerchant: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/merchants',
    summary: 'Register (or update) a merchant: id, name, currency, origins, agent URL, key.',
    request: MerchantRegistrationRequest,
    response: MerchantView,
  }),
  getMerchant: route({
    ...admin,
    method: 'GET',
    path: '/v1/admin/merchants/{merchantId}',
    summary: "A merchant's registration, balance and recent tabs.",
    request: null,
    response: MerchantView,
    maxBody_bytes: 0,
  }),
  getTransaction: route({
    ...admin,
    method: 'GET',
    path: '/v1/admin/transactions/{transactionId}',
    summary: 'One customer deposit as the AM keeps it.',
    request: null,
    response: TransactionView,
    maxBody_bytes: 0,
  }),
  getTab: route({
    ...admin,
    method: 'GET',
    path: '/v1/admin/tabs/{tabId}',
    summary: 'One tab as the MTA keeps it, with both records and any dispute.',
    request: null,
    response: TabView,
    maxBody_bytes: 0,
  }),
  listDisputes: route({
    ...admin,
    method: 'GET',
    path: '/v1/admin/disputes',
    summary: 'Recent disputes.',
    request: null,
    response: DisputeList,
    maxBody_bytes: 0,
  }),
  settlement: route({
    ...admin,
    method: 'GET',
    path: '/v1/admin/settlement',
    summary: 'Net settlement statement with one peer over a period.',
    request: null,
    response: SettlementStatementResponse,
    maxBody_bytes: 0,
    query: SettlementQuery,
  }),
  ledger: route({
    ...admin,
    method: 'GET',
    path: '/v1/admin/ledger',
    summary: 'Ledger invariants, pending holds and balances.',
    request: null,
    response: LedgerReport,
    maxBody_bytes: 0,
  }),
  ...ADMIN_OPERATIONS_API,
  ...ADMIN_TRUST_API,
  ...ADMIN_STAFF_API,
} as const;
