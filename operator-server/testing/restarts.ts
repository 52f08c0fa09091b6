// An operator stopped in a test and started again on the same data directory and configuration,
// as after a crash or a redeploy. The successor holds that operator's ledger from then on, so its
// invariants are checked when the test closes it.

import type { Clock } from '@opentab/protocol';
import { assertStoredLedgerInvariants } from '../src/ledger';
import { startProvisionedOperators, type WorldOperator } from '@opentab/test-kit/worlds';

export class Restarts {
  private readonly started: WorldOperator[] = [];

  /** Starts `stopped` again (its process was closed by the test) on the clock of its world, and returns the new one. */
  async restart(stopped: WorldOperator, clock: Clock): Promise<WorldOperator> {
    const { operatorId, currency, dir, configPath, store } = stopped;
    const started = await startProvisionedOperators(
      [{ operatorId, currency, dir, configPath, adminToken: 'unused-here' }],
      { log: 'silent', clock, stores: { [operatorId]: store } },
    );
    const successor = started[operatorId]!;
    this.started.push(successor);
    return successor;
  }

  /** Checks the ledger invariants of every successor, then closes them. */
  async closeAll(): Promise<void> {
    for (const operator of this.started) await assertStoredLedgerInvariants(operator.running.context.storage.ledger);
    await Promise.all(this.started.map((operator) => operator.running.close()));
    this.started.length = 0;
  }
}
