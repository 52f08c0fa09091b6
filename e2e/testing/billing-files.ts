// The billing records an operator wrote to its jsonl sink: one JSON object per line, each checked
// against the record schema (a line that is not a billing record fails the test).

import { existsSync, readFileSync } from 'node:fs';
import type { BillingRecord, DepositRecord, WithdrawalRecord } from '@opentab/operator-server';
import { parseBillingJsonl } from '@opentab/operator-server';

export function billingRecords(file: string): BillingRecord[] {
  if (!existsSync(file)) return [];
  return parseBillingJsonl(readFileSync(file, 'utf8'), file);
}

export function withdrawalRecords(file: string): WithdrawalRecord[] {
  return billingRecords(file).filter((record): record is WithdrawalRecord => record.recordType === 'withdrawal');
}

export function depositRecords(file: string): DepositRecord[] {
  return billingRecords(file).filter((record): record is DepositRecord => record.recordType === 'deposit');
}
