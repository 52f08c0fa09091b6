// The end of a round: faults off, every process running, and then wait until nothing is left in
// flight — no AM transaction or MTA tab unfinished, no outbox message or merchant record
// undelivered, no agent tab uncleared. Each of those has a bound in the design; the bound here
// covers them all with room for a slow machine, and whatever is still in flight after it is a
// violation in itself.

import { check, type CheckResult } from '@opentab/server-kit';
import { agentUnsettled, operatorUnsettled, type WorldStores } from './world/stores';
import type { Supervisor } from './world/supervisor';

const POLL_MS = 250;

async function inFlight(stores: WorldStores): Promise<string[]> {
  const remaining: string[] = [];
  for (const name of ['op-se', 'op-eu'] as const) {
    const counts = await operatorUnsettled(stores[name]);
    if (counts.transactionsInFlight > 0)
      remaining.push(`${name}: ${counts.transactionsInFlight} transactions opening or open`);
    if (counts.tabsInFlight > 0) remaining.push(`${name}: ${counts.tabsInFlight} tabs opening or open`);
    if (counts.outboxUndelivered > 0)
      remaining.push(`${name}: ${counts.outboxUndelivered} outbox messages undelivered`);
  }
  const agent = await agentUnsettled(stores.agent);
  if (agent.tabsUnfinished > 0) remaining.push(`agent: ${agent.tabsUnfinished} tabs not cleared`);
  if (agent.recordsUnacknowledged > 0)
    remaining.push(`agent: ${agent.recordsUnacknowledged} merchant records unacknowledged`);
  return remaining;
}

export async function quiesce(supervisor: Supervisor, stores: WorldStores, bound_ms: number): Promise<CheckResult> {
  const deadline = Date.now() + bound_ms;
  for (;;) {
    await supervisor.allUp();
    const remaining = await inFlight(stores);
    if (remaining.length === 0) return check('quiesced', []);
    if (Date.now() > deadline)
      return check(
        'quiesced',
        remaining.map((what) => `still in flight ${Math.round(bound_ms / 1000)} s after the faults stopped: ${what}`),
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
