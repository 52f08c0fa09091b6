// The merchant's own audit of its agent's store (`opentab-merchant audit`), a SQLite file or a
// PostgreSQL database, read-only beside the live agent: every tab's totals are what its purchases add up to and its chain link
// proves them; no tab stays open past its timeout or stopped without a clearing; every merchant
// record reaches the MTA; and every cleared tab credited exactly what its receipts add up to, so
// the merchant was paid for every receipt it signed, no more.

import {
  check,
  failedChecks,
  guarded,
  readOnce,
  secondsSince,
  withoutPassword,
  type CheckResult,
} from '@opentab/server-kit';
import { provesIndex } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import type { AgentStoreSettings } from '../store-config';
import { readPostgresAgentStore } from './postgres-store-reader';
import {
  AgentStoreReader,
  FINAL_AGENT_TAB_STATUSES,
  type AgentAuditPurchase,
  type AgentAuditRecord,
  type AgentAuditTab,
} from './store-reader';

export interface AgentAuditOptions {
  readonly now_ms: number;
  /** How long past its own bound a state may stay unsettled before it counts as stuck. */
  readonly settle_ms: number;
}

export interface AgentAudit {
  /** The SQLite file, or the PostgreSQL database's URL without its password. */
  readonly databasePath: string;
  readonly checkedAt_ms: number;
  readonly results: readonly CheckResult[];
  readonly ok: boolean;
}

export function auditMerchantAgent(databasePath: string, options: AgentAuditOptions): AgentAudit {
  const reader = AgentStoreReader.open(databasePath);
  try {
    const results = reader.snapshot(() => {
      const tabs = readOnce(() => reader.tabs());
      const purchases = readOnce(() => reader.purchases());
      return [
        guarded('sqlite-integrity', () =>
          check(
            'sqlite-integrity',
            reader.integrityProblems().map((problem) => `integrity_check: ${problem}`),
          ),
        ),
        guarded('tab-totals', () => tabTotals(tabs(), purchases())),
        guarded('tabs-settled', () => tabsSettled(tabs(), options)),
        guarded('records-delivered', () => recordsDelivered(tabs(), reader.records(), options)),
        guarded('credited-as-receipts', () => creditedAsReceipts(tabs())),
      ];
    });
    return { databasePath, checkedAt_ms: options.now_ms, results, ok: failedChecks(results).length === 0 };
  } finally {
    reader.close();
  }
}

/** The audit of the store the agent's settings name (`store`, or `databasePath` for a SQLite file). */
export async function auditMerchantAgentStore(
  store: AgentStoreSettings,
  options: AgentAuditOptions,
): Promise<AgentAudit> {
  if (store.kind === 'sqlite') return auditMerchantAgent(store.path, options);
  const snapshot = await readPostgresAgentStore(store.url);
  const { stored, expected } = snapshot.schemaVersion;
  const results = [
    guarded('postgres-schema', () =>
      check(
        'postgres-schema',
        stored === expected
          ? []
          : [`the database is at step ${stored ?? 'none'} of the agent's schema, not ${expected}`],
      ),
    ),
    guarded('tab-totals', () => tabTotals(snapshot.tabs, snapshot.purchases)),
    guarded('tabs-settled', () => tabsSettled(snapshot.tabs, options)),
    guarded('records-delivered', () => recordsDelivered(snapshot.tabs, snapshot.records, options)),
    guarded('credited-as-receipts', () => creditedAsReceipts(snapshot.tabs)),
  ];
  return {
    databasePath: withoutPassword(store.url),
    checkedAt_ms: options.now_ms,
    results,
    ok: failedChecks(results).length === 0,
  };
}

function purchasesByTab(purchases: readonly AgentAuditPurchase[]): Map<string, AgentAuditPurchase[]> {
  const byTab = new Map<string, AgentAuditPurchase[]>();
  for (const purchase of purchases) {
    const list = byTab.get(purchase.tabId) ?? [];
    list.push(purchase);
    byTab.set(purchase.tabId, list);
  }
  return byTab;
}

/** A tab's spent amount, count and chain position are what its purchases add up to, within the deposit, and
 * its last link proves them. */
export function tabTotals(tabs: readonly AgentAuditTab[], purchases: readonly AgentAuditPurchase[]): CheckResult {
  const byTab = purchasesByTab(purchases);
  const violations: string[] = [];
  for (const tab of tabs) {
    const paid = byTab.get(tab.tabId) ?? [];
    byTab.delete(tab.tabId);
    const problems: string[] = [];
    let index = 0;
    let spent = 0n;
    paid.forEach((purchase, i) => {
      if (purchase.seq !== i + 1)
        problems.push(`purchase ${purchase.purchaseId} has seq ${purchase.seq}, not ${i + 1}`);
      if (
        purchase.price_minor % tab.chainUnit_minor !== 0n ||
        BigInt(purchase.chainIndex - index) * tab.chainUnit_minor !== purchase.price_minor
      ) {
        problems.push(
          `purchase ${purchase.purchaseId} (seq ${purchase.seq}) moved the chain from ${index} to ${purchase.chainIndex} for a price of ${purchase.price_minor}`,
        );
      }
      index = purchase.chainIndex;
      spent += purchase.price_minor;
    });
    if (tab.purchaseCount !== paid.length)
      problems.push(`its count is ${tab.purchaseCount}, it has ${paid.length} purchases`);
    if (tab.spent_minor !== spent) problems.push(`it says ${tab.spent_minor} spent, its purchases add up to ${spent}`);
    if (tab.spent_minor > tab.deposit_minor)
      problems.push(`it spent ${tab.spent_minor} of a deposit of ${tab.deposit_minor}`);
    if (tab.lastChainIndex !== index)
      problems.push(`its chain position is ${tab.lastChainIndex}, its last purchase reached ${index}`);
    if (BigInt(tab.lastChainIndex) * tab.chainUnit_minor !== tab.spent_minor)
      problems.push(
        `its chain position ${tab.lastChainIndex} × ${tab.chainUnit_minor} is not its spent ${tab.spent_minor}`,
      );
    if (
      !provesIndex(
        nodeCrypto,
        { root: tab.chainRoot, length: tab.chainLength },
        { index: tab.lastChainIndex, link: tab.lastChainLink },
      )
    ) {
      problems.push(`its last chain link does not prove position ${tab.lastChainIndex}`);
    }
    for (const problem of problems) violations.push(`tab ${tab.tabId}: ${problem}`);
  }
  for (const [tabId, orphans] of byTab)
    violations.push(`${orphans.length} purchases belong to tab ${tabId}, which does not exist`);
  return check('tab-totals', violations);
}

/** An open tab stops at its timeout (the agent's own sweep); a stopped one is cleared by the MTA once its
 * record arrived. */
export function tabsSettled(tabs: readonly AgentAuditTab[], bounds: AgentAuditOptions): CheckResult {
  const violations: string[] = [];
  for (const tab of tabs) {
    if (FINAL_AGENT_TAB_STATUSES.has(tab.status)) continue;
    const due_ms = tab.status === 'open' ? tab.expiresAt_ms : (tab.stoppedAt_ms ?? tab.expiresAt_ms);
    if (due_ms + bounds.settle_ms >= bounds.now_ms) continue;
    violations.push(
      tab.status === 'open'
        ? `tab ${tab.tabId} is still open ${secondsSince(due_ms, bounds.now_ms)} after its timeout`
        : `tab ${tab.tabId} is ${tab.status} (${tab.stopReason ?? 'no reason'}) and not cleared ${secondsSince(due_ms, bounds.now_ms)} after it stopped`,
    );
  }
  return check('tabs-settled', violations);
}

export function recordsDelivered(
  tabs: readonly AgentAuditTab[],
  records: readonly AgentAuditRecord[],
  bounds: AgentAuditOptions,
): CheckResult {
  const stoppedAt = new Map(tabs.map((tab) => [tab.tabId, tab.stoppedAt_ms ?? tab.openedAt_ms]));
  return check(
    'records-delivered',
    records
      .filter((record) => !record.acknowledged && (stoppedAt.get(record.tabId) ?? 0) + bounds.settle_ms < bounds.now_ms)
      .map(
        (record) =>
          `the record of tab ${record.tabId} is unacknowledged after ${record.attempts} attempts (last error: ${record.lastError ?? 'none'})`,
      ),
  );
}

/** The MTA credited each cleared tab exactly what the receipts the agent signed add up to. */
export function creditedAsReceipts(tabs: readonly AgentAuditTab[]): CheckResult {
  return check(
    'credited-as-receipts',
    tabs
      .filter((tab) => tab.status === 'cleared' && tab.cleared_minor !== tab.spent_minor)
      .map(
        (tab) =>
          `tab ${tab.tabId} cleared ${tab.cleared_minor} ${tab.currency} (${tab.outcome ?? 'no outcome'}), its receipts add up to ${tab.spent_minor}`,
      ),
  );
}
