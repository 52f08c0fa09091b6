// The billing records an operator wrote to its jsonl sink: one JSON object per line.

import { existsSync, readFileSync } from 'node:fs';
import type { BillingRecord, DepositRecord, WithdrawalRecord } from '../../operator-server/src/billing/billing-records';

export function billingRecords(file: string): BillingRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as BillingRecord);
}

export function withdrawalRecords(file: string): WithdrawalRecord[] {
  return billingRecords(file).filter((record): record is WithdrawalRecord => record.recordType === 'withdrawal');
}

export function depositRecords(file: string): DepositRecord[] {
  return billingRecords(file).filter((record): record is DepositRecord => record.recordType === 'deposit');
}
