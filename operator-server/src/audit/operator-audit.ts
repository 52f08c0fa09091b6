// `opentab-operator audit`: every invariant of one operator's store, checked on a read-only
// snapshot of its SQLite file or PostgreSQL database (so it runs beside the live servers) and the
// JSONL files its billing sinks wrote. Cross-operator facts (settlement accounts mirroring each
// other) need both operators' stores and are checked by the crash suite (chaos/).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OperatorConfig } from '../config/config';
import { billingOnce } from './billing-checks';
import { check, failedChecks, guarded, readOnce, withoutPassword, type CheckResult } from '@opentab/server-kit';
import { chargesMatchClearings, creditsMatchClearings } from './clearing-checks';
import { creditLimits, holdsEnded, ledgerBalanced, ledgerTotals, sqliteIntegrity } from './ledger-checks';
import { outboxDrained, statesSettled } from './lifecycle-checks';
import { readPostgresOperatorStore, snapshotReads, type SchemaStep } from './postgres-store-reader';
import { OperatorStoreReader, type OperatorAuditReads, type OutboxBillingRecord } from './store-reader';

export interface OperatorAuditOptions {
  readonly now_ms: number;
  /** How long past its own bound a state may stay unsettled before it counts as stuck. */
  readonly settle_ms: number;
}

export interface OperatorAudit {
  readonly operatorId: string;
  /** The SQLite file, or the PostgreSQL database's URL without its password. */
  readonly databasePath: string;
  readonly checkedAt_ms: number;
  readonly results: readonly CheckResult[];
  readonly ok: boolean;
}

export type AuditedConfig = Pick<OperatorConfig, 'operatorId' | 'dataDir' | 'billingSinks' | 'tabs'>;
/** The configuration with its store: the audit reads whichever it names. */
export type AuditedStoreConfig = AuditedConfig & Pick<OperatorConfig, 'store'>;

export function operatorDatabasePath(config: Pick<OperatorConfig, 'dataDir'>): string {
  return join(config.dataDir, 'operator.sqlite');
}

/** The audit of the SQLite file in the data directory `config` names; throws only when the file cannot be opened. */
export function auditOperator(config: AuditedConfig, options: OperatorAuditOptions): OperatorAudit {
  const databasePath = operatorDatabasePath(config);
  const files = billingFiles(config);
  const textsBefore = files.map((file) => readIfPresent(file.path));
  const reader = OperatorStoreReader.open(databasePath);
  try {
    const { results, billing } = reader.snapshot(() => {
      const checked = storeChecks(reader, config, options);
      return {
        results: [guarded('sqlite-integrity', () => sqliteIntegrity(reader)), ...checked.results],
        billing: checked.billing,
      };
    });
    return finish(config, databasePath, options, results, billingFileCheck(files, textsBefore, billing));
  } finally {
    reader.close();
  }
}

/**
 * The audit of the store `config` names, a SQLite file or a PostgreSQL database: the same checks
 * on either, plus the SQLite file's integrity check on SQLite and the schema's step on
 * PostgreSQL. Throws only when the store cannot be read.
 */
export async function auditOperatorStore(
  config: AuditedStoreConfig,
  options: OperatorAuditOptions,
): Promise<OperatorAudit> {
  if (config.store.kind === 'sqlite') return auditOperator(config, options);
  const files = billingFiles(config);
  const textsBefore = files.map((file) => readIfPresent(file.path));
  const snapshot = await readPostgresOperatorStore(config.store.url);
  const checked = storeChecks(snapshotReads(snapshot), config, options);
  const results = [guarded('postgres-schema', () => schemaCurrent(snapshot.schemaVersions)), ...checked.results];
  return finish(
    config,
    withoutPassword(config.store.url),
    options,
    results,
    billingFileCheck(files, textsBefore, checked.billing),
  );
}

/** The checks of the store's rows, on one snapshot's reads; `billing` is the billing outbox they read. */
function storeChecks(
  reads: OperatorAuditReads,
  config: AuditedConfig,
  options: OperatorAuditOptions,
): { results: CheckResult[]; billing: () => OutboxBillingRecord[] } {
  const transactions = readOnce(() => reads.transactions());
  const tabs = readOnce(() => reads.tabs());
  const billing = readOnce(() => reads.billingOutbox());
  const bounds = {
    now_ms: options.now_ms,
    settle_ms: options.settle_ms,
    holdDeadline_ms: config.tabs.holdDeadline_s * 1000,
  };
  const expectRecords = config.billingSinks.length > 0;
  const results = [
    guarded('ledger-balanced', () => ledgerBalanced(reads)),
    guarded('ledger-totals', () => ledgerTotals(reads)),
    guarded('credit-limits', () => creditLimits(reads)),
    guarded('holds-ended', () => holdsEnded(reads, transactions(), bounds)),
    guarded('states-settled', () => statesSettled(transactions(), tabs(), bounds)),
    guarded('outbox-drained', () => outboxDrained(reads.undeliveredOutbox(), bounds)),
    guarded('charges-match-clearings', () =>
      chargesMatchClearings(transactions(), {
        ledgerByRef: reads.customerChargesByRef(),
        billing: billing(),
        expectRecords,
      }),
    ),
    guarded('credits-match-clearings', () =>
      creditsMatchClearings(tabs(), {
        ledgerByRef: reads.merchantCreditsByRef(),
        billing: billing(),
        expectRecords,
      }),
    ),
  ];
  return { results, billing };
}

function schemaCurrent(steps: readonly SchemaStep[]): CheckResult {
  return check(
    'postgres-schema',
    steps
      .filter((step) => step.stored !== step.expected)
      .map(
        (step) => `the database is at step ${step.stored ?? 'none'} of the ${step.store} schema, not ${step.expected}`,
      ),
  );
}

interface BillingFile {
  readonly sinkIndex: number;
  readonly path: string;
}

function billingFiles(config: AuditedConfig): BillingFile[] {
  return config.billingSinks.flatMap((sink, sinkIndex) =>
    sink.kind === 'jsonl' ? [{ sinkIndex, path: sink.path }] : [],
  );
}

/** The sink files read again after the snapshot, against what the snapshot's outbox holds. */
function billingFileCheck(
  files: readonly BillingFile[],
  textsBefore: readonly string[],
  billing: () => OutboxBillingRecord[],
): CheckResult {
  const reads = files.map((file, i) => ({ ...file, textBefore: textsBefore[i]!, textAfter: readIfPresent(file.path) }));
  return guarded('billing-once', () => billingOnce(reads, billing()));
}

function finish(
  config: AuditedConfig,
  databasePath: string,
  options: OperatorAuditOptions,
  results: readonly CheckResult[],
  billing: CheckResult,
): OperatorAudit {
  const all = [...results, billing];
  return {
    operatorId: config.operatorId,
    databasePath,
    checkedAt_ms: options.now_ms,
    results: all,
    ok: failedChecks(all).length === 0,
  };
}

function readIfPresent(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}
