// The admin routes the operator's staff run the business with (the console at /console uses only
// these and the routes of admin-api.ts): find and change accounts and merchants, search tabs and
// transactions, read a tab's whole story, resolve disputes, and read the figures the charts show.

import * as v from 'valibot';
import { SMALL_BODY_BYTES, route } from '@opentab/protocol';
import { AccountView } from '@opentab/protocol';
import {
  AccountId,
  Amount,
  CurrencyCode,
  MerchantId,
  OperatorId,
  SignedAmount,
  TabId,
  Timestamp,
  TransactionId,
} from '@opentab/protocol';
import { ClearingOutcome } from '@opentab/protocol';
import { RateTableSource } from '@opentab/protocol';
import { ResolutionDecision, SignedDisputeResolution } from '../mta/dispute-resolution';
import { RevocationView } from './admin-trust-api';

/** Why the staff did something: kept with the change and shown to whoever reads it later. */
const Reason = v.pipe(v.string(), v.minLength(1), v.maxLength(500));
/** At most this many rows per list (default 100). */
const Limit = v.optional(v.pipe(v.string(), v.regex(/^[1-9][0-9]{0,2}$/, 'must be a number from 1 to 999')));

export const CustomerStatus = v.picklist(['active', 'suspended', 'closed']);
export const MerchantStatus = v.picklist(['active', 'suspended']);

export const CustomerSearch = v.strictObject({
  /** Part of the account id or the name, any case. */
  text: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(100))),
  status: v.optional(CustomerStatus),
  limit: Limit,
});

export const CustomerSummary = v.strictObject({
  accountId: AccountId,
  displayName: v.string(),
  currency: CurrencyCode,
  status: CustomerStatus,
  statusReason: v.nullable(v.string()),
  enrolled: v.boolean(),
  balance: SignedAmount,
  creditLimit: Amount,
  held: Amount,
  createdAt: Timestamp,
});

export const CustomerStatusRequest = v.strictObject({ status: CustomerStatus, reason: Reason });
export const CreditLimitRequest = v.strictObject({ creditLimit: Amount });

export const MerchantSummary = v.strictObject({
  merchantId: MerchantId,
  displayName: v.string(),
  currency: CurrencyCode,
  agentUrl: v.string(),
  origins: v.array(v.string()),
  status: MerchantStatus,
  statusReason: v.nullable(v.string()),
  /** The latest temporary certificate this MTA signed for the merchant, and how many in all. */
  certificate: v.nullable(
    v.strictObject({
      issuedAt: Timestamp,
      validUntil: Timestamp,
      signedBy: v.string(),
      /** Seconds left at the operator's clock when answered; negative once expired. */
      expiresIn_s: v.number(),
    }),
  ),
  certificatesIssued: v.number(),
  /** Set once the merchant is revoked here (final, whatever its status). */
  revocation: v.nullable(RevocationView),
  balance: SignedAmount,
  createdAt: Timestamp,
});
export const MerchantStatusRequest = v.strictObject({ status: MerchantStatus, reason: Reason });

const TabState = v.picklist(['opening', 'open', 'cleared', 'failed']);
const TransactionState = v.picklist(['opening', 'open', 'cleared', 'failed', 'lapsed']);

export const TabSearch = v.strictObject({
  merchantId: v.optional(MerchantId),
  state: v.optional(TabState),
  /** Opened at or after. */
  from: v.optional(Timestamp),
  /** Opened before. */
  until: v.optional(Timestamp),
  limit: Limit,
});

export const TabSummary = v.strictObject({
  tabId: TabId,
  merchantId: MerchantId,
  customerOperatorId: OperatorId,
  transactionId: TransactionId,
  state: TabState,
  deposit: Amount,
  cleared: v.nullable(Amount),
  outcome: v.nullable(ClearingOutcome),
  revision: v.number(),
  openedAt: Timestamp,
  clearedAt: v.nullable(Timestamp),
});

export const TransactionSearch = v.strictObject({
  accountId: v.optional(AccountId),
  merchantId: v.optional(MerchantId),
  state: v.optional(TransactionState),
  from: v.optional(Timestamp),
  until: v.optional(Timestamp),
  limit: Limit,
});

export const TransactionSummary = v.strictObject({
  transactionId: TransactionId,
  accountId: AccountId,
  merchantId: MerchantId,
  merchantOperatorId: OperatorId,
  tabId: v.nullable(TabId),
  state: TransactionState,
  hold: Amount,
  charged: v.nullable(Amount),
  outcome: v.nullable(ClearingOutcome),
  openedAt: Timestamp,
});

/** One party's record as a person reads it: what it claims, and what its chain link proves. */
export const RecordReading = v.strictObject({
  recordId: v.string(),
  count: v.number(),
  total: Amount,
  lastChainIndex: v.number(),
  purchaseListHash: v.string(),
  /** True when the record's chain link is the link at its position of the tab's chain. */
  linkProvesPosition: v.boolean(),
  /** What the link proves was released: its position times the chain's unit; zero when it proves nothing. */
  proven: Amount,
});

export const ResolutionView = v.strictObject({
  tabId: TabId,
  disputeId: v.string(),
  decision: ResolutionDecision,
  clearedBefore: Amount,
  clearedAfter: Amount,
  /** What the decision moved to the merchant (negative: back to the customer's side). */
  adjustment: SignedAmount,
  revision: v.number(),
  reason: v.string(),
  decidedAt: Timestamp,
  /** The staff member who decided (`admin` for the admin token); null when the staff log does not say. */
  decidedBy: v.nullable(v.string()),
  signed: SignedDisputeResolution,
});

export const DisputeDetail = v.strictObject({
  disputeId: v.string(),
  tabId: TabId,
  merchantId: MerchantId,
  customerOperatorId: OperatorId,
  createdAt: Timestamp,
  reason: v.string(),
  deposit: Amount,
  /** What the MTA cleared on the chain proof when it found the dispute. */
  clearedOnProof: Amount,
  /** What the tab clears now. */
  cleared: Amount,
  customerRecord: v.nullable(RecordReading),
  merchantRecord: v.nullable(RecordReading),
  resolution: v.nullable(ResolutionView),
});

export const ResolutionRequest = v.strictObject({
  /** uphold: the tab keeps what the chain proves; adjust: it clears `cleared`, between zero and the deposit. */
  decision: ResolutionDecision,
  cleared: v.optional(Amount),
  reason: Reason,
});

export const StoryEvent = v.strictObject({
  at: Timestamp,
  /** Who did it: the customer's side, the merchant's side, this operator, or the operator's staff. */
  actor: v.picklist(['customer', 'merchant', 'operator', 'staff']),
  what: v.string(),
});

export const TabStory = v.strictObject({
  tab: TabSummary,
  chain: v.strictObject({ root: v.string(), length: v.number(), unit: Amount }),
  customerRecord: v.nullable(RecordReading),
  merchantRecord: v.nullable(RecordReading),
  lateRecords: v.array(
    v.strictObject({ recordId: v.string(), party: v.string(), receivedAt: Timestamp, effect: v.string() }),
  ),
  disputes: v.array(
    v.strictObject({ disputeId: v.string(), createdAt: Timestamp, reason: v.string(), cleared: Amount }),
  ),
  resolution: v.nullable(ResolutionView),
  /** The merchant's refunds of the tab, in the order taken. */
  refunds: v.array(
    v.strictObject({
      refundId: v.string(),
      amount: Amount,
      reason: v.string(),
      receivedAt: Timestamp,
      /** Before the clearing (the clearing subtracts it) or after (given back as a revision). */
      timing: v.picklist(['before-clearing', 'after-clearing']),
      /** The clearing revision it was given back as; null before the clearing. */
      revision: v.nullable(v.number()),
    }),
  ),
  ledger: v.array(
    v.strictObject({
      entryId: v.string(),
      at: Timestamp,
      memo: v.string(),
      postings: v.array(v.strictObject({ accountId: v.string(), amount: SignedAmount })),
    }),
  ),
  messages: v.array(
    v.strictObject({
      recordId: v.string(),
      destination: v.string(),
      createdAt: Timestamp,
      attempts: v.number(),
      deliveredAt: v.nullable(Timestamp),
      lastError: v.nullable(v.string()),
    }),
  ),
  /** The events above in time order, one sentence each. */
  events: v.array(StoryEvent),
});

export const Figures = v.strictObject({
  at: Timestamp,
  tabsByState: v.record(v.string(), v.number()),
  transactionsByState: v.record(v.string(), v.number()),
  clearedByCurrency: v.array(v.strictObject({ currency: CurrencyCode, tabs: v.number(), total: Amount })),
  holdsPending: v.array(v.strictObject({ currency: CurrencyCode, holds: v.number(), total: Amount })),
  disputes: v.strictObject({ total: v.number(), resolved: v.number() }),
  outbox: v.strictObject({ pending: v.number(), failing: v.number(), delivered: v.number() }),
  customers: v.record(v.string(), v.number()),
  merchants: v.record(v.string(), v.number()),
  /** Requests this process answered in the last one to two minutes, per route group (customer, peer, merchant, admin…). */
  traffic: v.array(
    v.strictObject({
      group: v.string(),
      requests: v.number(),
      rate_per_s: v.number(),
      /** Latency percentiles in milliseconds, each read to within 10 %; null with no request. */
      p50_ms: v.nullable(v.number()),
      p95_ms: v.nullable(v.number()),
      p99_ms: v.nullable(v.number()),
    }),
  ),
});

export const OutboxQuery = v.strictObject({
  /** failing (default): undelivered after at least one failed attempt; pending: every undelivered message. */
  state: v.optional(v.picklist(['failing', 'pending'])),
  limit: Limit,
});

export const UndeliveredMessage = v.strictObject({
  recordId: v.string(),
  destination: v.string(),
  createdAt: Timestamp,
  attempts: v.number(),
  nextAttemptAt: Timestamp,
  lastError: v.nullable(v.string()),
});

export const OutboxRetryRequest = v.strictObject({
  /** The messages to try now; absent: every message that failed before. */
  recordIds: v.optional(v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(256))), v.maxLength(100))),
});

export const PublishedRateTable = v.strictObject({
  tableId: v.string(),
  issuedAt: Timestamp,
  validUntil: Timestamp,
  /** Who published the quotes, for which day, and whether they are samples. */
  source: RateTableSource,
});

const admin = { auth: 'admin-token' as const, maxBody_bytes: SMALL_BODY_BYTES };
const read = { ...admin, request: null, maxBody_bytes: 0 } as const;

export const ADMIN_OPERATIONS_API = {
  searchCustomers: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/customers',
    summary: 'Customer accounts, newest first, by part of the id or name and by status.',
    response: v.array(CustomerSummary),
    query: CustomerSearch,
  }),
  setCustomerStatus: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/customers/{accountId}/status',
    summary:
      'Suspend (no new tabs; open tabs clear), resume, or close an account (refused with account_busy while it has open tabs, pending holds or a balance other than zero; final).',
    request: CustomerStatusRequest,
    response: CustomerSummary,
  }),
  setCreditLimit: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/customers/{accountId}/credit-limit',
    summary: "Change an account's credit limit; refused with credit_limit_below_use below what it uses now.",
    request: CreditLimitRequest,
    response: AccountView,
  }),
  listMerchants: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/merchants',
    summary: 'Every registered merchant with its status and balance.',
    response: v.array(MerchantSummary),
    query: v.strictObject({ limit: Limit }),
  }),
  setMerchantStatus: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/merchants/{merchantId}/status',
    summary: 'Suspend a merchant (its new tabs are refused with merchant_suspended; open tabs clear) or resume it.',
    request: MerchantStatusRequest,
    response: MerchantSummary,
  }),
  searchTabs: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/tabs',
    summary: "The MTA's tabs, newest first, by merchant, state and opening time.",
    response: v.array(TabSummary),
    query: TabSearch,
  }),
  tabStory: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/tabs/{tabId}/story',
    summary: "A tab's whole story: records and what their links prove, disputes, decision, ledger entries, messages.",
    response: TabStory,
  }),
  searchTransactions: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/transactions',
    summary: "The AM's deposits, newest first, by account, merchant, state and opening time.",
    response: v.array(TransactionSummary),
    query: TransactionSearch,
  }),
  getDispute: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/disputes/{disputeId}',
    summary: 'One dispute: both records side by side with what each chain link proves, and any decision.',
    response: DisputeDetail,
  }),
  resolveDispute: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/disputes/{disputeId}/resolution',
    summary:
      "Decide a dispute: uphold what the chain proves, or adjust what the tab clears within its deposit. Signed, kept with its reason, posted to the ledger, sent to the customer's operator, the merchant and billing.",
    request: ResolutionRequest,
    response: ResolutionView,
  }),
  listOutbox: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/outbox',
    summary: 'Messages not delivered yet (billing records, clearings, notices), with their attempts and last error.',
    response: v.array(UndeliveredMessage),
    query: OutboxQuery,
  }),
  retryOutbox: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/outbox/retry',
    summary: 'Try undelivered messages at the next pass instead of after their backoff.',
    request: OutboxRetryRequest,
    response: v.strictObject({ scheduled: v.number() }),
  }),
  publishRates: route({
    ...admin,
    method: 'POST',
    path: '/v1/admin/rates/publish',
    summary:
      'Sign and publish a fresh rate table now from the latest quotes (refused with rates_stale or rates_unavailable as GET /v1/rates is).',
    request: v.strictObject({}),
    response: PublishedRateTable,
  }),
  figures: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/figures',
    summary: 'The figures the console charts and /metrics show, counted now.',
    response: Figures,
  }),
  figureHistory: route({
    ...read,
    method: 'GET',
    path: '/v1/admin/figures/history',
    summary:
      'The same figures sampled once a minute over the last 24 hours, oldest first, each with its time (kept in memory: empty after a restart).',
    response: v.array(Figures),
  }),
} as const;
