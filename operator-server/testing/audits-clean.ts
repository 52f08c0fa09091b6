// The operator's own audit, run by tests after a scenario: it must find every clearing, charge and
// record in agreement, on whichever store each operator keeps them.

import { expect } from 'vitest';
import { auditOperatorStore } from '../src/audit/operator-audit';
import type { OperatorConfig } from '../src/config/config';

/** How long the audit lets a hold or a message stay unsettled: past any step a scenario leaves in flight. */
const AUDIT_SETTLE_MS = 300_000;

/** Audits each operator's store as of `now_ms` and expects no check to find a violation. */
export async function expectAuditsClean(configs: readonly OperatorConfig[], now_ms: number): Promise<void> {
  for (const config of configs) {
    const audit = await auditOperatorStore(config, { now_ms, settle_ms: AUDIT_SETTLE_MS });
    expect(audit.results.filter((result) => result.violations.length > 0)).toEqual([]);
  }
}
