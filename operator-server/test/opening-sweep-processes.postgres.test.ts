// The opening sweep of one operator served by two processes on one PostgreSQL database. Each
// process claims the stalled openings it asks the MTA about, and asks outside any lock: an MTA
// that never answers about one opening holds up only the process that claimed it, the other
// settles the rest meanwhile, and each opening is asked about once. A claim whose holder stopped
// is taken over once its lease has run out. Both processes run in this test's process, on the
// world's manual clock, reaching the real MTA through a hop that can cut or hold initiations.

import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@opentab/test-kit';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  TestCustomer,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { OPENING_LEASE_MS } from '../src/account-manager/opening-sweep';
import { AdminClient } from '../src/admin/admin-client';
import { loadConfigFile } from '../src/config/config';
import { describeInvariantViolations } from '../src/ledger/invariants';
import { type RunningOperator, startOperator } from '../src/operator';
import { createLogger } from '../src/support/logger';
import { InitiationHop } from '../testing/initiation-hop';

const OPENING_BOUND_MS = 5_000;

let w: TwoOperatorWorld | null = null;
let hop: InitiationHop | null = null;
const processes: RunningOperator[] = [];
afterEach(async () => {
  await hop?.close();
  hop = null;
  for (const running of processes.splice(0)) await running.close();
  await w?.close();
  w = null;
});

interface Setup {
  readonly world: TwoOperatorWorld;
  readonly hop: InitiationHop;
  readonly first: RunningOperator;
  readonly second: RunningOperator;
  readonly customer: TestCustomer;
}

/** The world's MTA and merchant, and op-se as two processes on one fresh database, reaching the MTA through the hop. */
async function twoProcesses(): Promise<Setup> {
  const world = await startTwoOperatorWorld({ settings: { tabs: { openingBound_s: OPENING_BOUND_MS / 1000 } } });
  w = world;
  const mtaHop = await InitiationHop.start(world.world.operator(MERCHANT_OPERATOR).url);
  hop = mtaHop;
  const configured = loadConfigFile(world.world.operator(CUSTOMER_OPERATOR).configPath, {});
  const config = {
    ...configured,
    listen: { ...configured.listen, port: 0 },
    store: { kind: 'postgres', url: await createTestDatabase('operator'), poolSize: 4 } as const,
    peers: configured.peers.map((peer) => ({ ...peer, baseUrl: mtaHop.url })),
  };
  const start = async () => {
    const running = await startOperator(config, {
      clock: world.clock,
      backgroundJobs: false,
      log: createLogger(CUSTOMER_OPERATOR, 'silent'),
    });
    processes.push(running);
    return running;
  };
  const first = await start();
  const second = await start();
  const admin = new AdminClient(first.url, config.adminToken);
  const { accountId } = await admin.call('createCustomer', { creditLimit: { currency: 'SEK', value: '100.00' } });
  const { code } = await admin.call('enrollmentCode', {}, { accountId });
  const customer = await TestCustomer.enroll(first.url, code, { clock: world.clock });
  return { world, hop: mtaHop, first, second, customer };
}

/** An opening sent through `running` whose initiation never reached the MTA: left opening. Its transaction id. */
async function stalledOpening(setup: Setup, running: RunningOperator): Promise<string> {
  const customer = setup.customer.through(running.url);
  const initiation = await customer.initiation({
    merchantId: setup.world.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '20.00' },
  });
  setup.hop.cutAll = true;
  await expect(customer.sendInitiation(initiation)).rejects.toThrow();
  setup.hop.cutAll = false;
  const transaction = await running.context.storage.transactions.transactionByInitiation(initiation.message.payload.id);
  expect(transaction).toMatchObject({ state: 'opening' });
  return transaction!.transactionId;
}

async function stateOf(running: RunningOperator, transactionId: string) {
  return (await running.context.storage.transactions.transaction(transactionId))?.state;
}

async function expectLedgerWhole(running: RunningOperator): Promise<void> {
  const { ledger } = running.context.storage;
  expect(
    describeInvariantViolations(await ledger.checkInvariants(), await ledger.listHolds({ status: 'pending' }), {
      pendingHoldRefsAllowed: await openTransactionIds(running),
    }),
  ).toEqual([]);
}

async function openTransactionIds(running: RunningOperator): Promise<string[]> {
  const holds = await running.context.storage.ledger.listHolds({ status: 'pending' });
  const open: string[] = [];
  for (const hold of holds) if ((await stateOf(running, hold.ref)) === 'open') open.push(hold.ref);
  return open;
}

describe('the opening sweep of two processes on one PostgreSQL database', () => {
  it('settles each stalled opening once, and is not held up by an MTA that hangs on the other’s claim', async () => {
    const setup = await twoProcesses();
    const { world, first, second } = setup;
    const hanging = await stalledOpening(setup, first);
    world.clock.advance(3_000);
    const later = await stalledOpening(setup, second);
    // Only the first is past the bound: the first process claims it, and the MTA never answers.
    world.clock.advance(OPENING_BOUND_MS - 3_000 + 500);
    setup.hop.hold(hanging);
    let firstSweepDone = false;
    const firstSweep = first.runJobs().then(() => {
      firstSweepDone = true;
    });
    await waitFor('the first process to ask the MTA', async () => setup.hop.isHolding(hanging));

    // The second falls stalled too: the second process settles it while the first still waits.
    world.clock.advance(3_000);
    await second.runJobs();
    expect(await stateOf(second, later)).toBe('open');
    expect(await stateOf(second, hanging)).toBe('opening');
    expect(firstSweepDone).toBe(false);
    // The first process never asked about the later opening, nor the second about the hanging one.
    expect(setup.hop.askedAbout(later)).toBe(2);
    expect(setup.hop.askedAbout(hanging)).toBe(2);

    // The MTA answers at last: the first process records it.
    setup.hop.release(hanging);
    await firstSweep;
    expect(await stateOf(first, hanging)).toBe('open');
    // Settled, nothing is asked about again, whoever sweeps, however late.
    world.clock.advance(OPENING_LEASE_MS + 1);
    await Promise.all([first.runJobs(), second.runJobs()]);
    // Once by the customer's send (cut), once by a sweep.
    expect([setup.hop.askedAbout(hanging), setup.hop.askedAbout(later)]).toEqual([2, 2]);
    await expectLedgerWhole(first);
  }, 60_000);

  it('takes over a claim whose holder stopped, once its lease has run out', async () => {
    const setup = await twoProcesses();
    const { world, second } = setup;
    const abandoned = await stalledOpening(setup, setup.first);
    world.clock.advance(OPENING_BOUND_MS + 1);
    // A process claims it as its sweep does, then stops before it asks the MTA.
    const now_ms = world.clock.now_ms();
    const claimed = await setup.first.context.storage.transactions.claimStalledOpenings({
      holder: 'a-process-that-stopped',
      openedBefore_ms: now_ms - OPENING_BOUND_MS,
      now_ms,
      leaseUntil_ms: now_ms + OPENING_LEASE_MS,
      limit: 50,
    });
    expect(claimed.map((transaction) => transaction.transactionId)).toEqual([abandoned]);

    // While the lease runs, the other process leaves it to its holder.
    world.clock.advance(OPENING_LEASE_MS - 1);
    await second.runJobs();
    expect(await stateOf(second, abandoned)).toBe('opening');
    expect(setup.hop.askedAbout(abandoned)).toBe(1);

    // Then it is the other's to settle.
    world.clock.advance(1);
    await second.runJobs();
    expect(await stateOf(second, abandoned)).toBe('open');
    expect(setup.hop.askedAbout(abandoned)).toBe(2);
    await expectLedgerWhole(second);
  }, 60_000);
});
