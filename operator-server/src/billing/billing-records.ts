// What the account manager reports to its billing systems (the seed's "API in the account
// manager"): one withdrawal record per cleared customer transaction, one deposit record per
// cleared merchant tab. Each carries a record id so a receiver can drop duplicates.
//
// An operator extension that sells otherwise (extension.ts; the benchmark's per-purchase payments
// are one) writes the same two records for its own kind of sale: `source` says which kind of sale
// a record bills, and with it what its id fields hold.
//
// As every message of the protocol, a record is one valibot schema: the TypeScript type
// (v.InferOutput) and the runtime check a receiver runs (`parseMessage(BillingRecord, body)`).

import * as v from 'valibot';
import { ClearingOutcome, ClearingRevision } from '@opentab/protocol';
import {
  AccountId,
  Amount,
  LockedRate,
  MerchantId,
  OperatorId,
  SignedAmount,
  TabId,
  Timestamp,
  TransactionId,
} from '@opentab/protocol';

/**
 * What a record bills.
 * - `'tab'`: a cleared tab (seed FIG 3, step 4): one withdrawal at the customer's AM and one
 *   deposit at the merchant's operator per tab.
 * - any other name: a kind of sale an operator extension bills, with the id of the sale in
 *   `tabId` and the customer-side id in `transactionId`, from the session's one transaction
 *   sequence like a tab's (the benchmark's per-purchase payments bill as `'direct-payment'`).
 *
 * Records enqueued before the field existed carry none; they are all `'tab'` records, so the
 * record schemas read a missing `source` as `'tab'` (the parsed record always has one).
 */
export const BillingSource = v.pipe(
  v.string(),
  v.regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be tab or the name of a kind of sale'),
);
export type BillingSource = v.InferOutput<typeof BillingSource>;

/** Absent in records enqueued before `source` existed: those are all tab records. */
const SourceOfRecord = v.optional(BillingSource, 'tab');

/**
 * `<recordType>:<operatorId>:…`, unique per record at its operator: a receiver drops a record whose
 * id it has seen (delivery is at least once).
 */
export const BillingRecordId = v.pipe(
  v.string(),
  v.maxLength(256),
  v.regex(/^(withdrawal|deposit):[A-Za-z0-9._:-]+$/, 'must be <recordType>:<operatorId>:…'),
);

/** A tab id, or the id of another kind of sale (`<prefix>_<id>`). */
const SaleId = v.union(
  [TabId, v.pipe(v.string(), v.regex(/^[a-z]{2,8}_[A-Za-z0-9]{8,64}$/))],
  'must be a tab id or the id of a sale',
);

export const WithdrawalRecord = v.strictObject({
  recordType: v.literal('withdrawal'),
  /** See BillingSource; it says what `transactionId` and `tabId` are. */
  source: SourceOfRecord,
  recordId: BillingRecordId,
  operatorId: OperatorId,
  accountId: AccountId,
  /**
   * The customer-side id at this AM: the tab's transaction id, or the id of the customer's side of
   * another kind of sale. Both come from the session's one transaction sequence, so they never collide.
   */
  transactionId: TransactionId,
  /**
   * The merchant-side id, the same in the withdrawal and the deposit of one sale: the tab id, or
   * the sale's id.
   */
  tabId: SaleId,
  merchantId: MerchantId,
  merchantOperatorId: OperatorId,
  /**
   * Charged to the customer, in the customer's currency. Negative only on a revision that resolved
   * a dispute in the customer's favour: what was given back.
   */
  amount: SignedAmount,
  /** What was held. */
  hold: Amount,
  released: Amount,
  /** What the merchant side cleared, in the merchant's currency (negative as `amount`). */
  merchantAmount: SignedAmount,
  rate: LockedRate,
  outcome: ClearingOutcome,
  /** When the charge was captured. */
  clearedAt: Timestamp,
  /**
   * Absent on a tab's first clearing. A correction (late evidence at the MTA proved more, or the
   * operator resolved a dispute) has revision 1, 2, …: its `amount` and `merchantAmount` are what
   * this revision added (taken back, when negative); `hold` and `released` describe the transaction
   * after it.
   */
  revision: v.optional(ClearingRevision),
});
export type WithdrawalRecord = v.InferOutput<typeof WithdrawalRecord>;

export const DepositRecord = v.strictObject({
  recordType: v.literal('deposit'),
  /** See BillingSource; it says what `tabId` is. */
  source: SourceOfRecord,
  recordId: BillingRecordId,
  operatorId: OperatorId,
  merchantId: MerchantId,
  /** The tab id, or the sale's id. */
  tabId: SaleId,
  customerOperatorId: OperatorId,
  /**
   * Credited to the merchant, in the merchant's currency. Negative only on a revision that resolved
   * a dispute in the customer's favour: what was taken back from the merchant.
   */
  amount: SignedAmount,
  outcome: ClearingOutcome,
  /** When the merchant was credited. */
  clearedAt: Timestamp,
  /** Absent on a tab's first clearing; a correction's `amount` is what its revision added (or took back). */
  revision: v.optional(ClearingRevision),
});
export type DepositRecord = v.InferOutput<typeof DepositRecord>;

const TAB_ID_PREFIX = 'tab_';

/**
 * Every record a billing sink delivers; a receiver checks one with `parseMessage(BillingRecord, body)`.
 * Beyond each field's own shape: the record id starts with the record's type, and `tabId` is what
 * `source` says (a tab id in a tab record, a sale's id in any other).
 */
export const BillingRecord = v.pipe(
  v.variant('recordType', [WithdrawalRecord, DepositRecord]),
  v.check((record) => record.recordId.startsWith(`${record.recordType}:`), 'recordId: must start with the record type'),
  v.check(
    (record) => record.tabId.startsWith(TAB_ID_PREFIX) === (record.source === 'tab'),
    'tabId: must be a tab id in a tab record, the id of a sale in any other',
  ),
);
export type BillingRecord = v.InferOutput<typeof BillingRecord>;
