// `opentab-operator audit`: every invariant of one operator's data directory, checked on a
// read-only snapshot of its SQLite file (so it runs beside the live server) and the JSONL files
// its billing sinks wrote. Cross-operator facts (settlement accounts mirroring each other) need
// both operators' files and are checked by the crash suite (chaos/).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OperatorConfig } from '../config/config';
import { billingOnce } from './billing-checks';
import { failedChecks, guarded, readOnce, type CheckResult } from '@opentab/server-kit';
import { chargesMatchClearings, creditsMatchClearings } from './clearing-checks';
import { creditLimits, holdsEnded, ledgerBalanced, ledgerTotals, sqliteIntegrity } from './ledger-checks';
import { outboxDrained, statesSettled } from './lifecycle-checks';
import { OperatorStoreReader } from './store-reader';

export interface OperatorAuditOptions {
  readonly now_ms: number;
  /** How long past its own bound a state may stay unsettled before it counts as stuck. */
  readonly settle_ms: number;
}

export interface OperatorAudit {
  readonly operatorId: string;
  readonly databasePath: string;
  readonly checkedAt_ms: number;
  readonly results: readonly CheckResult[];
  readonly ok: boolean;
}

export type AuditedConfig = Pick<OperatorConfig, 'operatorId' | 'dataDir' | 'billingSinks' | 'tabs'>;

export function operatorDatabasePath(config: Pick<OperatorConfig, 'dataDir'>): string {
  return join(config.dataDir, 'operator.sqlite');
}

/** The audit of the data directory `config` names; throws only when the file cannot be opened. */
export function auditOperator(config: AuditedConfig, options: OperatorAuditOptions): OperatorAudit {
  const databasePath = operatorDatabasePath(config);
  const files = config.billingSinks.flatMap((sink, sinkIndex) =>
    sink.kind === 'jsonl' ? [{ sinkIndex, path: sink.path }] : [],
  );
  const textsBefore = files.map((file) => readIfPresent(file.path));
  const reader = OperatorStoreReader.open(databasePath);
  try {
    const { results, billing } = reader.snapshot(() => {
      const transactions = readOnce(() => reader.transactions());
      const tabs = readOnce(() => reader.tabs());
      const billing = readOnce(() => reader.billingOutbox());
      const bounds = {
        now_ms: options.now_ms,
        settle_ms: options.settle_ms,
        holdDeadline_ms: config.tabs.holdDeadline_s * 1000,
      };
      const expectRecords = config.billingSinks.length > 0;
      const results = [
        guarded('sqlite-integrity', () => sqliteIntegrity(reader)),
        guarded('ledger-balanced', () => ledgerBalanced(reader)),
        guarded('ledger-totals', () => ledgerTotals(reader)),
        guarded('credit-limits', () => creditLimits(reader)),
        guarded('holds-ended', () => holdsEnded(reader, transactions(), bounds)),
        guarded('states-settled', () => statesSettled(transactions(), tabs(), bounds)),
        guarded('outbox-drained', () => outboxDrained(reader.undeliveredOutbox(), bounds)),
        guarded('charges-match-clearings', () =>
          chargesMatchClearings(transactions(), {
            ledgerByRef: reader.customerChargesByRef(),
            billing: billing(),
            expectRecords,
          }),
        ),
        guarded('credits-match-clearings', () =>
          creditsMatchClearings(tabs(), {
            ledgerByRef: reader.merchantCreditsByRef(),
            billing: billing(),
            expectRecords,
          }),
        ),
      ];
      return { results, billing };
    });
    const reads = files.map((file, i) => ({
      ...file,
      textBefore: textsBefore[i]!,
      textAfter: readIfPresent(file.path),
    }));
    const all = [...results, guarded('billing-once', () => billingOnce(reads, billing()))];
    return {
      operatorId: config.operatorId,
      databasePath,
      checkedAt_ms: options.now_ms,
      results: all,
      ok: failedChecks(all).length === 0,
    };
  } finally {
    reader.close();
  }
}

function readIfPresent(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}
