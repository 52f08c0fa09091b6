// The merchant's own admin API, under the agent's mount (`<mount>/admin/...`): what the merchant
// dashboard shows and does, and nothing else reaches. Every route takes a bearer token of one of
// the merchant's logins (configured as `adminLogins`); refunds and catalogue edits need an owner's.
// The schemas are browser-safe: the dashboard takes its types from them.

import * as v from 'valibot';
import {
  AccessPeriod_s,
  Amount,
  ClearingOutcome,
  ItemId,
  ItemTitle,
  Pseudonym,
  RefundId,
  RefundTiming,
  route,
  SMALL_BODY_BYTES,
  TabId,
  Timestamp,
} from '@opentab/protocol';

const admin = { auth: 'admin-token' } as const;

const Limit = v.optional(v.pipe(v.string(), v.regex(/^[1-9][0-9]{0,3}$/, 'must be a number from 1 to 9999')));
const TabStatusName = v.picklist(['open', 'stopped', 'cleared']);
const Role = v.picklist(['owner', 'viewer']);

export const WhoAmI = v.strictObject({
  name: v.string(),
  role: Role,
  merchantId: v.string(),
  displayName: v.string(),
  currency: v.string(),
});

export const Summary = v.strictObject({
  tabs: v.strictObject({ open: v.number(), stopped: v.number(), cleared: v.number() }),
  purchases: v.number(),
  sold: Amount,
  cleared: Amount,
  refunded: Amount,
  pendingRefunds: v.number(),
  disputed: v.number(),
  undeliveredRecords: v.number(),
});

export const SalesQuery = v.strictObject({
  from: v.optional(Timestamp),
  until: v.optional(Timestamp),
  bucket: v.optional(v.picklist(['hour', 'day'])),
});
export const SalesReport = v.strictObject({
  from: Timestamp,
  until: Timestamp,
  bucket: v.picklist(['hour', 'day']),
  items: v.array(
    v.strictObject({
      itemId: v.string(),
      title: v.nullable(v.string()),
      count: v.number(),
      sold: Amount,
      refunded: Amount,
    }),
  ),
  /** One point per bucket that had a sale, oldest first: the bucket's start. */
  series: v.array(v.strictObject({ at: Timestamp, count: v.number(), sold: Amount })),
});

export const TabsQuery = v.strictObject({ status: v.optional(TabStatusName), limit: Limit });
export const TabRow = v.strictObject({
  tabId: TabId,
  pseudonym: Pseudonym,
  status: TabStatusName,
  stopReason: v.nullable(v.string()),
  deposit: Amount,
  spent: Amount,
  refunded: Amount,
  purchaseCount: v.number(),
  openedAt: Timestamp,
  expiresAt: Timestamp,
  stoppedAt: v.nullable(Timestamp),
  cleared: v.nullable(
    v.strictObject({ amount: Amount, outcome: ClearingOutcome, revision: v.number(), clearedAt: Timestamp }),
  ),
});

export const PurchasesQuery = v.strictObject({ tabId: v.optional(TabId), limit: Limit });
export const PurchaseRow = v.strictObject({
  purchaseId: v.string(),
  tabId: TabId,
  seq: v.number(),
  itemId: v.string(),
  title: v.nullable(v.string()),
  price: Amount,
  at: Timestamp,
  /** The refund that covers it, if one does. */
  refund: v.nullable(v.strictObject({ refundId: RefundId, status: v.string() })),
});

export const ReceiptRow = v.strictObject({
  tabId: TabId,
  seq: v.number(),
  itemId: v.string(),
  price: Amount,
  at: Timestamp,
  /** The signed receipt exactly as the customer was answered. */
  receipt: v.unknown(),
});

export const RecordDeliveryView = v.strictObject({
  attempts: v.number(),
  acknowledged: v.boolean(),
  lastError: v.nullable(v.string()),
  refusedCode: v.nullable(v.string()),
});
export const ClearingRow = v.strictObject({
  tab: TabRow,
  record: v.nullable(RecordDeliveryView),
});

/** The operator's signed decision on the dispute, as the MTA sent it to the agent. */
export const DisputeDecisionView = v.strictObject({
  disputeId: v.string(),
  decision: v.picklist(['uphold', 'adjust']),
  clearedBefore: Amount,
  clearedAfter: Amount,
  reason: v.string(),
  decidedAt: Timestamp,
});

export const DisputeRow = v.strictObject({
  tab: TabRow,
  /** What the merchant's record claims: everything sold on the tab. */
  claimed: Amount,
  /** claimed − refunded − cleared: what the merchant is not paid. */
  shortfall: Amount,
  /** 0: as the MTA cleared on the chain's proof; above: the operator's later decision or a correction. */
  revision: v.number(),
  /** The operator's decision with its reason; null while it has not decided. */
  decision: v.nullable(DisputeDecisionView),
});

export const RefundStatus = v.picklist(['pending', 'taken', 'refused']);
export const RefundView = v.strictObject({
  refundId: RefundId,
  tabId: TabId,
  seqs: v.array(v.number()),
  amount: Amount,
  reason: v.string(),
  requestedBy: v.string(),
  requestedAt: Timestamp,
  status: RefundStatus,
  timing: v.nullable(RefundTiming),
  revision: v.nullable(v.number()),
  attempts: v.number(),
  lastError: v.nullable(v.string()),
});
export const RefundRequest = v.strictObject({
  refundId: RefundId,
  tabId: TabId,
  /** The purchases to refund, by sequence number; absent: every purchase of the tab not refunded yet. */
  seqs: v.optional(
    v.pipe(v.array(v.pipe(v.number(), v.safeInteger(), v.minValue(1))), v.minLength(1), v.maxLength(10_000)),
  ),
  reason: v.pipe(v.string(), v.minLength(1), v.maxLength(300)),
});

export const CatalogueItemView = v.strictObject({
  itemId: v.string(),
  title: v.string(),
  price: Amount,
  kind: v.picklist(['entitlement', 'consumable']),
  access_s: v.nullable(v.number()),
});
export const CatalogueView = v.strictObject({ chainUnit: Amount, items: v.array(CatalogueItemView) });
export const CatalogueEdit = v.strictObject({
  itemId: ItemId,
  title: ItemTitle,
  price: Amount,
  kind: v.picklist(['entitlement', 'consumable']),
  access_s: v.optional(AccessPeriod_s),
});

export const MERCHANT_ADMIN_API = {
  whoAmI: route({
    ...admin,
    method: 'GET',
    path: '/admin/me',
    summary: 'Who the token belongs to (name and role) and which merchant this agent is.',
    request: null,
    response: WhoAmI,
    maxBody_bytes: 0,
  }),
  summary: route({
    ...admin,
    method: 'GET',
    path: '/admin/summary',
    summary: 'Tabs by status, what was sold, cleared and refunded, and what still waits.',
    request: null,
    response: Summary,
    maxBody_bytes: 0,
  }),
  sales: route({
    ...admin,
    method: 'GET',
    path: '/admin/sales',
    summary: 'Sales per item and per hour or day over a period (default: the last 30 days, by day).',
    request: null,
    query: SalesQuery,
    response: SalesReport,
    maxBody_bytes: 0,
  }),
  tabs: route({
    ...admin,
    method: 'GET',
    path: '/admin/tabs',
    summary: 'Tabs, newest first, optionally of one status.',
    request: null,
    query: TabsQuery,
    response: v.array(TabRow),
    maxBody_bytes: 0,
  }),
  tab: route({
    ...admin,
    method: 'GET',
    path: '/admin/tabs/{tabId}',
    summary: 'One tab of this merchant.',
    request: null,
    response: TabRow,
    maxBody_bytes: 0,
  }),
  purchases: route({
    ...admin,
    method: 'GET',
    path: '/admin/purchases',
    summary: 'Purchases, newest first, of all tabs or one, each with the refund that covers it.',
    request: null,
    query: PurchasesQuery,
    response: v.array(PurchaseRow),
    maxBody_bytes: 0,
  }),
  receipts: route({
    ...admin,
    method: 'GET',
    path: '/admin/tabs/{tabId}/receipts',
    summary: "The signed receipts a tab's customer was answered with, in sequence order.",
    request: null,
    response: v.array(ReceiptRow),
    maxBody_bytes: 0,
  }),
  clearings: route({
    ...admin,
    method: 'GET',
    path: '/admin/clearings',
    summary: 'Stopped and cleared tabs: where each record stands with the MTA and what the tab cleared.',
    request: null,
    query: v.strictObject({ limit: Limit }),
    response: v.array(ClearingRow),
    maxBody_bytes: 0,
  }),
  disputes: route({
    ...admin,
    method: 'GET',
    path: '/admin/disputes',
    summary: 'Tabs the MTA cleared as disputed, with what the merchant claimed and what it was paid.',
    request: null,
    response: v.array(DisputeRow),
    maxBody_bytes: 0,
  }),
  refunds: route({
    ...admin,
    method: 'GET',
    path: '/admin/refunds',
    summary: 'Refunds, newest first, with where each stands with the MTA.',
    request: null,
    query: v.strictObject({ limit: Limit }),
    response: v.array(RefundView),
    maxBody_bytes: 0,
  }),
  refund: route({
    ...admin,
    method: 'POST',
    path: '/admin/refunds',
    summary:
      'Refunds purchases of a tab (owners only): written at once, then sent to the MTA until it answers. The same refundId again answers the same refund.',
    request: RefundRequest,
    response: RefundView,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
  catalogue: route({
    ...admin,
    method: 'GET',
    path: '/admin/catalogue',
    summary: 'The catalogue as it is sold now.',
    request: null,
    response: CatalogueView,
    maxBody_bytes: 0,
  }),
  editCatalogue: route({
    ...admin,
    method: 'POST',
    path: '/admin/catalogue/items',
    summary:
      'Adds an item or changes one (owners only), at once and without a restart; a new price applies to purchases made after it.',
    request: CatalogueEdit,
    response: CatalogueView,
    maxBody_bytes: SMALL_BODY_BYTES,
  }),
} as const;

/** Routes only an owner's token may call. */
export const OWNER_ROUTES: ReadonlySet<keyof typeof MERCHANT_ADMIN_API> = new Set(['refund', 'editCatalogue']);

/** The purchases as CSV (`<mount>/admin/export/purchases.csv`), outside the JSON routes. */
export const PURCHASES_CSV_PATH = '/admin/export/purchases.csv';

export type WhoAmI = v.InferOutput<typeof WhoAmI>;
export type Summary = v.InferOutput<typeof Summary>;
export type SalesReport = v.InferOutput<typeof SalesReport>;
export type TabRow = v.InferOutput<typeof TabRow>;
export type PurchaseRow = v.InferOutput<typeof PurchaseRow>;
export type ReceiptRow = v.InferOutput<typeof ReceiptRow>;
export type ClearingRow = v.InferOutput<typeof ClearingRow>;
export type DisputeRow = v.InferOutput<typeof DisputeRow>;
export type RefundView = v.InferOutput<typeof RefundView>;
export type RefundRequest = v.InferOutput<typeof RefundRequest>;
export type CatalogueView = v.InferOutput<typeof CatalogueView>;
export type CatalogueEdit = v.InferOutput<typeof CatalogueEdit>;
