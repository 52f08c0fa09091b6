// One operator served by two processes on one PostgreSQL database, as behind a load balancer:
// op-se runs in this test's process and again as an `opentab-operator start` process of its own
// (same configuration, another port). A customer's tab openings sent to both at once hold no more
// than the credit limit allows; the second process killed with SIGKILL while openings are in
// flight leaves the first serving, and once the registrations it cut off are past their bound
// every hold belongs to an open tab and every ledger invariant holds.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { RemoteCallError } from '@opentab/protocol';
import { boundForProcessSteps, findFreePort, PROCESS_STEP_BOUND_MS, waitFor } from '@opentab/test-kit';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  type TestCustomer,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { describeInvariantViolations } from '../src/ledger/invariants';
import { REGISTRATION_BOUND_MS } from '../src/mta/interrupted-registrations';

let w: TwoOperatorWorld | null = null;
let second: ChildProcess | null = null;
afterEach(async () => {
  second?.kill('SIGKILL');
  second = null;
  await w?.close();
  w = null;
});

/** op-se again, as a process of its own on the same configuration and database; its URL once it serves. */
async function startSecondProcess(configPath: string, storeUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await findFreePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'operator-server/src/cli/main.ts', 'start', '--config', configPath],
    {
      cwd: process.cwd(),
      stdio: 'ignore',
      env: { ...process.env, OPENTAB_PORT: String(port), OPENTAB_STORE_URL: storeUrl },
    },
  );
  second = child;
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'the second op-se process to serve',
    async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok,
    PROCESS_STEP_BOUND_MS,
    100,
  );
  return { url, child };
}

/** Resolves once the process has exited, however long ago that was. */
function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

const DEPOSIT = { currency: 'SEK', value: '200.00' } as const;

function openOne(customer: TestCustomer, world: TwoOperatorWorld, value: string = DEPOSIT.value) {
  return customer.openTab({
    merchantId: world.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value },
  });
}

describe('one operator, two processes on one PostgreSQL database', () => {
  it('keeps holds within the credit limit across both, and serves on when one is killed', {
    timeout: boundForProcessSteps(3),
  }, async () => {
    const storeUrl = await createTestDatabase('operator');
    const store = { kind: 'postgres', url: storeUrl, poolSize: 4 } as const;
    const merchantStore = { kind: 'postgres', url: await createTestDatabase('operator'), poolSize: 4 } as const;
    w = await startTwoOperatorWorld({ stores: { [CUSTOMER_OPERATOR]: store, [MERCHANT_OPERATOR]: merchantStore } });
    const world = w;
    const first = world.world.operator(CUSTOMER_OPERATOR);
    const other = await startSecondProcess(first.configPath, storeUrl);

    const customer = await world.newCustomer('500.00');
    const elsewhere = customer.through(other.url);
    // Six openings of 200.00 against a limit of 500.00, sent to both processes at once: two fit.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => openOne(i % 2 === 0 ? customer : elsewhere, world)),
    );
    const opened = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(opened).toHaveLength(2);
    for (const outcome of outcomes)
      if (outcome.status === 'rejected')
        expect((outcome.reason as RemoteCallError).failure).toMatchObject({ code: 'insufficient_funds' });
    // Either process answers the same account: its view is one snapshot of the shared database.
    for (const view of [await customer.account(), await elsewhere.account()])
      expect(view).toMatchObject({ held: { value: '400.00' }, available: { value: '100.00' } });

    // Openings in flight at the second process when it dies: each is whole or not at all.
    const inFlight = Array.from({ length: 3 }, () => openOne(elsewhere, world, '10.00'));
    other.child.kill('SIGKILL');
    await Promise.allSettled(inFlight);
    await exitOf(other.child);

    // The first serves on: a new tab, and the account as it stands.
    await openOne(customer, world, '20.00');
    // Registrations the dead process cut off are voided once past their bound, holds released.
    world.clock.advance(REGISTRATION_BOUND_MS + 1);
    await first.running.runJobs();
    await world.world.operator(MERCHANT_OPERATOR).running.runJobs();
    const { ledger, transactions } = first.running.context.storage;
    const account = await customer.account();
    const openRefs = account.tabs.filter((tab) => tab.state === 'open').map((tab) => tab.transactionId);
    const pending = await ledger.listHolds({ status: 'pending' });
    // Every hold still pending is an open tab's deposit, and none beyond the limit.
    expect(
      describeInvariantViolations(await ledger.checkInvariants(), pending, { pendingHoldRefsAllowed: openRefs }),
    ).toEqual([]);
    expect(pending.map((hold) => hold.ref).sort()).toEqual([...openRefs].sort());
    const held_minor = pending.reduce((sum, hold) => sum + hold.amount, 0n);
    expect(account.held.value).toBe((Number(held_minor) / 100).toFixed(2));
    expect(held_minor).toBeLessThanOrEqual(50_000n);
    for (const tab of account.tabs)
      expect(await transactions.transaction(tab.transactionId)).not.toMatchObject({ state: 'opening' });
  });
});
