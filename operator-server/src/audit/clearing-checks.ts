// Every clearing moved exactly the money it says, once. At the customer's AM: a cleared
// transaction's charge is what the ledger took from the customer (or wrote off), within the hold,
// and follows from the merchant amount its withdrawal record states by the one conversion
// DESIGN.md fixes (round-half-even at the locked rate, capped at the hold); nothing else was
// charged. At the MTA: a cleared tab credited the merchant exactly what it cleared, within the
// deposit, as its deposit record says; nothing else was credited.

import { signedMoneyFromWire, type WireAmount } from '@opentab/protocol';
import { chargeInCustomerCurrency } from '@opentab/protocol';
import { check, type CheckResult } from '@opentab/server-kit';
import type { AuditTab, AuditTransaction, OutboxBillingRecord } from './store-reader';

// Signed: a dispute resolved in the customer's favour bills what it gave back as a negative amount.
const minorOf = (amount: unknown): bigint => signedMoneyFromWire(amount as WireAmount).minor;

/** What the billing records of one sale add up to: a tab's first clearing and its corrections. */
export interface BilledSale {
  /** The record ids, in the order they were enqueued. */
  readonly recordIds: readonly string[];
  /** Sum of `amount` over the sale's records (each correction bills only what it added). */
  readonly amount_minor: bigint;
  /** Sum of `merchantAmount` (withdrawal records only). */
  readonly merchantAmount_minor: bigint;
}

/** The billing records of each sale, per record type, summed: a correction (revision ≥ 1) bills the
 * difference to the revision before. */
export function billedSales(
  records: readonly OutboxBillingRecord[],
  recordType: 'withdrawal' | 'deposit',
): Map<string, BilledSale> {
  const key = recordType === 'withdrawal' ? 'transactionId' : 'tabId';
  const sales = new Map<string, BilledSale>();
  for (const { record } of records) {
    if (record.recordType !== recordType || (record.source ?? 'tab') !== 'tab') continue;
    const sale = sales.get(String(record[key])) ?? { recordIds: [], amount_minor: 0n, merchantAmount_minor: 0n };
    sales.set(String(record[key]), {
      recordIds: [...sale.recordIds, String(record.recordId)],
      amount_minor: sale.amount_minor + minorOf(record.amount),
      merchantAmount_minor:
        sale.merchantAmount_minor + (record.merchantAmount === undefined ? 0n : minorOf(record.merchantAmount)),
    });
  }
  return sales;
}

export interface ClearingEvidence {
  /** Per ledger ref, what it took from customers (AM) or credited to merchants (MTA). */
  readonly ledgerByRef: ReadonlyMap<string, bigint>;
  readonly billing: readonly OutboxBillingRecord[];
  /** False when the operator has no billing sink: then there are no records to compare. */
  readonly expectRecords: boolean;
}

export function chargesMatchClearings(
  transactions: readonly AuditTransaction[],
  evidence: ClearingEvidence,
): CheckResult {
  const records = billedSales(evidence.billing, 'withdrawal');
  const violations: string[] = [];
  for (const transaction of transactions) {
    const id = transaction.transactionId;
    const taken = evidence.ledgerByRef.get(id) ?? 0n;
    if (transaction.state !== 'cleared') {
      if (taken !== 0n)
        violations.push(
          `transaction ${id} is ${transaction.state}, yet the ledger charged ${taken} ${transaction.customerCurrency} for it`,
        );
      continue;
    }
    const charged = transaction.charged_minor;
    if (charged === null) {
      violations.push(`transaction ${id} is cleared without a charge`);
      continue;
    }
    if (charged > transaction.hold_minor)
      violations.push(`transaction ${id} charged ${charged}, more than its hold of ${transaction.hold_minor}`);
    if (taken !== charged)
      violations.push(
        `transaction ${id} says it charged ${charged} ${transaction.customerCurrency}, the ledger took ${taken}`,
      );
    if (!evidence.expectRecords) continue;
    const sale = records.get(id);
    if (sale === undefined) {
      violations.push(`transaction ${id} is cleared but has no withdrawal record`);
      continue;
    }
    const billed = sale.amount_minor;
    const merchantAmount = sale.merchantAmount_minor;
    const expected = chargeInCustomerCurrency(merchantAmount, transaction.rate, transaction.hold_minor);
    if (billed !== charged)
      violations.push(
        `transaction ${id}: withdrawal records ${sale.recordIds.join(', ')} bill ${billed}, the transaction charged ${charged}`,
      );
    if (expected !== charged) {
      violations.push(
        `transaction ${id} charged ${charged} ${transaction.customerCurrency} for ${merchantAmount} ${transaction.merchantCurrency} cleared; the locked rate makes that ${expected}`,
      );
    }
  }
  return check('charges-match-clearings', violations);
}

export function creditsMatchClearings(tabs: readonly AuditTab[], evidence: ClearingEvidence): CheckResult {
  const records = billedSales(evidence.billing, 'deposit');
  const violations: string[] = [];
  for (const tab of tabs) {
    const credited = evidence.ledgerByRef.get(tab.tabId) ?? 0n;
    if (tab.state !== 'cleared') {
      if (credited !== 0n)
        violations.push(`tab ${tab.tabId} is ${tab.state}, yet the ledger credited ${credited} ${tab.currency} for it`);
      continue;
    }
    const cleared = tab.cleared_minor;
    if (cleared === null) {
      violations.push(`tab ${tab.tabId} is cleared without an amount`);
      continue;
    }
    if (cleared > tab.deposit_minor)
      violations.push(`tab ${tab.tabId} cleared ${cleared}, more than its deposit of ${tab.deposit_minor}`);
    if (credited !== cleared)
      violations.push(
        `tab ${tab.tabId} cleared ${cleared} ${tab.currency}, the ledger credited the merchant ${credited}`,
      );
    if (!evidence.expectRecords) continue;
    const sale = records.get(tab.tabId);
    if (sale === undefined) violations.push(`tab ${tab.tabId} is cleared but has no deposit record`);
    else if (sale.amount_minor !== cleared)
      violations.push(
        `tab ${tab.tabId}: deposit records ${sale.recordIds.join(', ')} bill ${sale.amount_minor}, the tab cleared ${cleared}`,
      );
  }
  return check('credits-match-clearings', violations);
}
