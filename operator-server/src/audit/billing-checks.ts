// Billing records leave once per id, as the outbox holds them: read back from each JSONL sink
// file, every record id appears once, says exactly what the outbox enqueued (the ledger change it
// reports, checked by clearing-checks.ts), and every record the outbox marked delivered to that
// sink is in it. Webhook sinks cannot be read back and are not checked.
//
// Beside a live server the file is read twice, before and after the store's snapshot: a line in
// the first read was enqueued before the snapshot, and a record the snapshot shows delivered was
// written before the second read.

import { canonicalJson } from '@opentab/protocol';
import { check, type CheckResult } from '@opentab/server-kit';
import type { OutboxBillingRecord } from './store-reader';

export interface BillingFileReads {
  readonly sinkIndex: number;
  readonly path: string;
  readonly textBefore: string;
  readonly textAfter: string;
}

interface WrittenLine {
  readonly where: string;
  readonly record: Record<string, unknown> | null;
}

/** A record as its sink writes it: rows queued before `source` existed leave as tab records. */
function asWritten(record: Readonly<Record<string, unknown>>): string {
  return canonicalJson({ source: 'tab', ...record });
}

function linesOf(path: string, text: string): WrittenLine[] {
  return text.split('\n').flatMap((line, index): WrittenLine[] => {
    if (line.trim() === '') return [];
    const where = `${path}:${index + 1}`;
    try {
      return [{ where, record: JSON.parse(line) as Record<string, unknown> }];
    } catch {
      return [{ where, record: null }];
    }
  });
}

export function billingOnce(files: readonly BillingFileReads[], outbox: readonly OutboxBillingRecord[]): CheckResult {
  const violations: string[] = [];
  for (const file of files) {
    const enqueued = new Map(
      outbox.filter((row) => row.sinkIndex === file.sinkIndex).map((row) => [row.recordId, row]),
    );
    for (const { where, record } of linesOf(file.path, file.textBefore)) {
      if (record === null) {
        violations.push(`${where} is not JSON`);
        continue;
      }
      const row = enqueued.get(String(record.recordId));
      if (row === undefined)
        violations.push(`${where}: record ${String(record.recordId)} was never enqueued for this sink`);
      else if (asWritten(record) !== asWritten(row.record))
        violations.push(`${where}: record ${row.recordId} differs from what the outbox enqueued`);
    }
    const times = new Map<string, number>();
    for (const { record } of linesOf(file.path, file.textAfter)) {
      if (record !== null) times.set(String(record.recordId), (times.get(String(record.recordId)) ?? 0) + 1);
    }
    for (const [recordId, count] of times)
      if (count > 1) violations.push(`${file.path}: record ${recordId} was written ${count} times`);
    for (const row of enqueued.values())
      if (row.delivered && !times.has(row.recordId))
        violations.push(`${file.path}: record ${row.recordId} is marked delivered but is not in the file`);
  }
  return check('billing-once', violations);
}
