// Seed FIG 3, step 3: the MTA's comparison of the two records, as a pure function.
// Agreement (same purchase-list hash, count, total and chain position, and a chain link that
// proves that total) clears the total. Anything else clears only what a chain link proves, never
// more than the deposit nor more than the merchant itself claims, and is recorded as a dispute.
// A record missing after the grace period: the record present is cleared on its own proof.

import { provesIndex, type ChainCommitment } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { moneyFromWire } from '@opentab/protocol';
import type { CustomerRecordPayload } from '@opentab/protocol';
import type { MerchantRecordPayload } from '@opentab/protocol';
import type { ClearingOutcome } from '@opentab/protocol';

export interface ConclusionInput {
  readonly deposit_minor: bigint;
  readonly currency: string;
  readonly unit_minor: bigint;
  readonly chain: ChainCommitment;
  readonly customerRecord: CustomerRecordPayload | null;
  readonly merchantRecord: MerchantRecordPayload | null;
}

export interface Conclusion {
  readonly cleared_minor: bigint;
  readonly outcome: ClearingOutcome;
  /** Why the records did not agree; null when they did (or when only one was there and it was sound). */
  readonly disputeReason: string | null;
}

type RecordPayload = CustomerRecordPayload | MerchantRecordPayload;

interface RecordFacts {
  /** What the record's chain link proves the customer released; 0 when the link proves nothing. */
  readonly proven_minor: bigint;
  readonly proofValid: boolean;
  readonly total_minor: bigint | null;
}

const minOf = (...values: bigint[]): bigint => values.reduce((a, b) => (b < a ? b : a));
const maxOf = (...values: bigint[]): bigint => values.reduce((a, b) => (b > a ? b : a));

function factsOf(crypto: CryptoProvider, input: ConclusionInput, record: RecordPayload): RecordFacts {
  const proofValid = provesIndex(crypto, input.chain, { index: record.lastChainIndex, link: record.lastChainLink });
  const proven_minor = proofValid ? BigInt(record.lastChainIndex) * input.unit_minor : 0n;
  const total = record.total.currency === input.currency ? moneyFromWire(record.total).minor : null;
  return { proven_minor, proofValid, total_minor: total };
}

function recordsAgree(customer: RecordPayload, merchant: RecordPayload): boolean {
  return (
    customer.purchaseListHash === merchant.purchaseListHash &&
    customer.count === merchant.count &&
    customer.total.currency === merchant.total.currency &&
    customer.total.value === merchant.total.value &&
    customer.lastChainIndex === merchant.lastChainIndex &&
    customer.lastChainLink === merchant.lastChainLink
  );
}

export function concludeTab(crypto: CryptoProvider, input: ConclusionInput): Conclusion {
  const { customerRecord, merchantRecord, deposit_minor } = input;

  if (customerRecord !== null && merchantRecord !== null) {
    const customer = factsOf(crypto, input, customerRecord);
    const merchant = factsOf(crypto, input, merchantRecord);
    if (
      recordsAgree(customerRecord, merchantRecord) &&
      merchant.proofValid &&
      merchant.total_minor === merchant.proven_minor &&
      merchant.total_minor <= deposit_minor
    ) {
      return { cleared_minor: merchant.total_minor, outcome: 'agreed', disputeReason: null };
    }
    const proven = maxOf(customer.proven_minor, merchant.proven_minor);
    const claimed = merchant.total_minor ?? 0n;
    return {
      cleared_minor: minOf(deposit_minor, proven, claimed),
      outcome: 'disputed',
      disputeReason: describeDisagreement(customerRecord, merchantRecord, customer, merchant, input),
    };
  }

  const present = merchantRecord ?? customerRecord;
  if (present === null) return { cleared_minor: 0n, outcome: 'no-records', disputeReason: null };
  const facts = factsOf(crypto, input, present);
  const outcome: ClearingOutcome = merchantRecord !== null ? 'customer-record-missing' : 'merchant-record-missing';
  const claimed = facts.total_minor ?? 0n;
  const sound = facts.proofValid && facts.total_minor === facts.proven_minor && claimed <= deposit_minor;
  return {
    cleared_minor: minOf(deposit_minor, facts.proven_minor, claimed),
    outcome,
    disputeReason: sound
      ? null
      : `the only record (${merchantRecord !== null ? 'merchant' : 'customer'}) is not backed by its chain link`,
  };
}

function describeDisagreement(
  customerRecord: RecordPayload,
  merchantRecord: RecordPayload,
  customer: RecordFacts,
  merchant: RecordFacts,
  input: ConclusionInput,
): string {
  const problems: string[] = [];
  if (customerRecord.purchaseListHash !== merchantRecord.purchaseListHash) problems.push('purchase lists differ');
  if (customerRecord.count !== merchantRecord.count)
    problems.push(`counts differ (customer ${customerRecord.count}, merchant ${merchantRecord.count})`);
  if (
    customerRecord.total.value !== merchantRecord.total.value ||
    customerRecord.total.currency !== merchantRecord.total.currency
  ) {
    problems.push(
      `totals differ (customer ${customerRecord.total.value}, merchant ${merchantRecord.total.value} ${merchantRecord.total.currency})`,
    );
  }
  if (customerRecord.lastChainIndex !== merchantRecord.lastChainIndex) {
    problems.push(
      `chain positions differ (customer ${customerRecord.lastChainIndex}, merchant ${merchantRecord.lastChainIndex})`,
    );
  }
  if (!customer.proofValid) problems.push("the customer's chain link does not prove its position");
  if (!merchant.proofValid) problems.push("the merchant's chain link does not prove its position");
  if (merchant.total_minor !== null && merchant.total_minor > input.deposit_minor)
    problems.push('the merchant claims more than the deposit');
  if (problems.length === 0) problems.push("the merchant's total is not what its chain link proves");
  return problems.join('; ');
}
