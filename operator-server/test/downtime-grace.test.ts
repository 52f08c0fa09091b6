// An MTA alone on its SQLite file gives the tabs that fell due while it was down a fresh grace
// period when it starts again, however short the stop: records could not reach it meanwhile.

import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@opentab/test-kit';
import { MERCHANT_OPERATOR, startOperatorWorld, type OperatorWorld } from '@opentab/test-kit/worlds';
import { sampleTab, seedCustomerAndMerchant } from '../src/store/testing/sample-records';
import { Restarts } from '../testing/restarts';

const RECORD_GRACE_MS = 30_000;

let world: OperatorWorld | null = null;
const restarts = new Restarts();
afterEach(async () => {
  await restarts.closeAll();
  await world?.close();
  world = null;
});

describe('the grace an MTA on its SQLite file gives due tabs at start', () => {
  it('is given after every stop, the shortest too', async () => {
    const clock = new ManualClock();
    world = await startOperatorWorld({
      operators: [{ operatorId: MERCHANT_OPERATOR, currency: 'EUR' }],
      settings: { tick_ms: 1_000, tabs: { recordGrace_s: RECORD_GRACE_MS / 1000 } },
      backgroundJobs: false,
      clock,
    });
    const stopped = world.operator(MERCHANT_OPERATOR);
    const tab = sampleTab(1, { concludeAfter: clock.now_ms() + 1_000 });
    await seedCustomerAndMerchant(stopped.running.context.storage);
    await stopped.running.context.storage.tabs.insertTab(tab);
    await stopped.running.context.storage.tabs.markTabOpen(tab.tabId);
    await stopped.running.runJobs();
    clock.advance(2_000);
    await stopped.running.close();

    const successor = await restarts.restart(stopped, clock);
    const { tabs } = successor.running.context.storage;
    expect((await tabs.tab(tab.tabId))!.concludeAfter).toBe(clock.now_ms() + RECORD_GRACE_MS);
  }, 30_000);
});
