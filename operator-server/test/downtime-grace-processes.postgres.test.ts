// An MTA served by several processes on one PostgreSQL database gives tabs a fresh grace period
// at start only when records could not reach it: no process of it was up. A process that starts
// while another is up, receiving records, leaves due tabs due; one that starts after every
// process stopped, or went silent for longer than a few ticks, postpones them. The processes run
// in this test's process on one manual clock; the tab is written straight into the store.

import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@opentab/test-kit';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import { MERCHANT_OPERATOR, startOperatorWorld, type OperatorWorld } from '@opentab/test-kit/worlds';
import { loadConfigFile, type OperatorConfig } from '../src/config/config';
import { type RunningOperator, startOperator } from '../src/operator';
import { sampleTab, seedCustomerAndMerchant } from '../src/store/testing/sample-records';
import { createLogger } from '../src/support/logger';
import { ALIVE_WITHIN_TICKS } from '../src/support/process-liveness';

const TICK_MS = 1_000;
const RECORD_GRACE_MS = 30_000;
const ALIVE_WINDOW_MS = ALIVE_WITHIN_TICKS * TICK_MS;

let world: OperatorWorld | null = null;
const processes: RunningOperator[] = [];
afterEach(async () => {
  for (const running of processes.splice(0)) await running.close();
  await world?.close();
  world = null;
});

describe('the grace an MTA on PostgreSQL gives due tabs at start', () => {
  it('is given only when no other process of it was up lately', async () => {
    const clock = new ManualClock();
    const store = { kind: 'postgres', url: await createTestDatabase('operator'), poolSize: 4 } as const;
    world = await startOperatorWorld({
      operators: [{ operatorId: MERCHANT_OPERATOR, currency: 'EUR' }],
      settings: { tick_ms: TICK_MS, tabs: { recordGrace_s: RECORD_GRACE_MS / 1000 } },
      backgroundJobs: false,
      clock,
      stores: { [MERCHANT_OPERATOR]: store },
    });
    const first = world.operator(MERCHANT_OPERATOR);
    const configured = loadConfigFile(first.configPath, {});
    const config: OperatorConfig = { ...configured, listen: { ...configured.listen, port: 0 }, store };
    const startAnother = async () => {
      const running = await startOperator(config, {
        clock,
        backgroundJobs: false,
        log: createLogger(MERCHANT_OPERATOR, 'silent'),
      });
      processes.push(running);
      return running;
    };
    const { tabs } = first.running.context.storage;
    const start_ms = clock.now_ms();
    await seedCustomerAndMerchant(first.running.context.storage);
    const tab = sampleTab(1, { concludeAfter: start_ms + ALIVE_WINDOW_MS });
    await tabs.insertTab(tab);
    expect(await tabs.markTabOpen(tab.tabId)).toBe(true);
    const concludeAfter = async () => (await tabs.tab(tab.tabId))!.concludeAfter;

    // The first process's jobs say it is alive; the tab falls due while it is up.
    clock.advance(ALIVE_WINDOW_MS - 1);
    await first.running.runJobs();
    clock.advance(ALIVE_WINDOW_MS - 1);
    expect(await concludeAfter()).toBeLessThan(clock.now_ms());
    const second = await startAnother();
    expect(await concludeAfter()).toBe(start_ms + ALIVE_WINDOW_MS);

    // The second stops; the first goes silent past the window, as a process that died would.
    processes.splice(processes.indexOf(second), 1);
    await second.close();
    clock.advance(ALIVE_WINDOW_MS + 1);
    await startAnother();
    const postponed_ms = clock.now_ms() + RECORD_GRACE_MS;
    expect(await concludeAfter()).toBe(postponed_ms);
    // The third said it was up as it started: a fourth starting a moment later postpones nothing.
    clock.advance(TICK_MS);
    await startAnother();
    expect(await concludeAfter()).toBe(postponed_ms);
  }, 60_000);
});
