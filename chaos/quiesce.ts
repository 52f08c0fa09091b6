// The end of a round: faults off, every process running, and then wait until nothing is left in
// flight — no AM transaction or MTA tab unfinished, no outbox message or merchant record
// undelivered, no agent tab uncleared. Each of those has a bound in the design; the bound here
// covers them all with room for a slow machine, and whatever is still in flight after it is a
// violation in itself.

import { check, type CheckResult } from '@opentab/server-kit';
import { AgentStoreReader } from '@opentab/merchant-agent/audit';
import { OperatorStoreReader } from '@opentab/operator-server';
import type { Supervisor } from './world/supervisor';

export interface StoreFiles {
  readonly 'op-se': string;
  readonly 'op-eu': string;
  readonly agent: string;
}

const POLL_MS = 250;

function inFlight(files: StoreFiles): string[] {
  const remaining: string[] = [];
  for (const name of ['op-se', 'op-eu'] as const) {
    const reader = OperatorStoreReader.open(files[name]);
    try {
      const counts = reader.unsettledCounts();
      if (counts.transactionsInFlight > 0)
        remaining.push(`${name}: ${counts.transactionsInFlight} transactions opening or open`);
      if (counts.tabsInFlight > 0) remaining.push(`${name}: ${counts.tabsInFlight} tabs opening or open`);
      if (counts.outboxUndelivered > 0)
        remaining.push(`${name}: ${counts.outboxUndelivered} outbox messages undelivered`);
    } finally {
      reader.close();
    }
  }
  const agent = AgentStoreReader.open(files.agent);
  try {
    const counts = agent.unsettledCounts();
    if (counts.tabsUnfinished > 0) remaining.push(`agent: ${counts.tabsUnfinished} tabs not cleared`);
    if (counts.recordsUnacknowledged > 0)
      remaining.push(`agent: ${counts.recordsUnacknowledged} merchant records unacknowledged`);
  } finally {
    agent.close();
  }
  return remaining;
}

export async function quiesce(supervisor: Supervisor, files: StoreFiles, bound_ms: number): Promise<CheckResult> {
  const deadline = Date.now() + bound_ms;
  for (;;) {
    await supervisor.allUp();
    const remaining = inFlight(files);
    if (remaining.length === 0) return check('quiesced', []);
    if (Date.now() > deadline)
      return check(
        'quiesced',
        remaining.map((what) => `still in flight ${Math.round(bound_ms / 1000)} s after the faults stopped: ${what}`),
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
