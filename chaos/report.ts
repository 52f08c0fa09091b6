// What a run of the crash suite prints: each round with its seed and counts, the violations of a
// failed round with the command that replays it, totals (kills per process, tabs, purchases),
// each invariant's tally over the rounds, and the verdict line `chaos: N passed, M failed`.

import { failedChecks } from '@opentab/server-kit';
import type { RoundResult, RoundStore } from './round';

export interface InvariantTally {
  readonly passed: number;
  readonly failed: number;
  /** Seeds of the rounds it failed in. */
  readonly failedSeeds: readonly number[];
}

export interface RunSummary {
  readonly seed: number;
  readonly rounds: number;
  readonly passed: number;
  readonly failed: number;
  readonly totals: {
    readonly customers: number;
    readonly initiations: number;
    readonly tabs: number;
    readonly purchases: number;
    readonly relayFaultsFired: number;
    /** Answers op-se gave from one process while its other was down; null without PostgreSQL rounds. */
    readonly answeredWhileTwinDown: number | null;
    readonly kills: Record<string, number>;
    readonly killsByCause: Record<string, number>;
  };
  readonly invariants: Readonly<Record<string, InvariantTally>>;
}

export function replayCommand(seed: number, store: RoundStore = { kind: 'sqlite' }): string {
  return `npm run chaos -- --rounds 1 --seed ${seed}${store.kind === 'postgres' ? ` --store ${store.serverUrl}` : ''}`;
}

export function summarise(runSeed: number, rounds: readonly RoundResult[]): RunSummary {
  // Each round counts every process of its world, in the world's order (op-se-2 only on PostgreSQL).
  const kills: Record<string, number> = {};
  const killsByCause: Record<string, number> = {};
  const invariants: Record<string, { passed: number; failed: number; failedSeeds: number[] }> = {};
  const totals = {
    customers: 0,
    initiations: 0,
    tabs: 0,
    purchases: 0,
    relayFaultsFired: 0,
    answeredWhileTwinDown: null as number | null,
    kills,
    killsByCause,
  };
  for (const round of rounds) {
    totals.customers += round.counts.customers;
    totals.initiations += round.counts.initiations;
    totals.tabs += round.counts.tabs;
    totals.purchases += round.counts.purchases;
    totals.relayFaultsFired += round.counts.relayFaultsFired;
    if (round.counts.twinService !== null)
      totals.answeredWhileTwinDown =
        (totals.answeredWhileTwinDown ?? 0) + round.counts.twinService.answeredWhileTwinDown;
    for (const [name, count] of Object.entries(round.counts.kills)) kills[name] = (kills[name] ?? 0) + (count ?? 0);
    for (const [cause, count] of Object.entries(round.counts.killsByCause))
      killsByCause[cause] = (killsByCause[cause] ?? 0) + count;
    for (const result of round.results) {
      const tally = (invariants[result.name] ??= { passed: 0, failed: 0, failedSeeds: [] });
      if (result.violations.length === 0) tally.passed++;
      else {
        tally.failed++;
        tally.failedSeeds.push(round.seed);
      }
    }
  }
  const failed = rounds.filter((round) => !round.ok).length;
  return { seed: runSeed, rounds: rounds.length, passed: rounds.length - failed, failed, totals, invariants };
}

export function describeRound(index: number, round: RoundResult): string {
  const c = round.counts;
  const kills = Object.entries(c.kills)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  const lines = [
    `round ${index + 1}  seed ${round.seed}  ${round.ok ? 'ok' : 'FAIL'}  ${(round.duration_ms / 1000).toFixed(1)} s  ` +
      `customers ${c.customers}, tabs ${c.tabs}, purchases ${c.purchases}, relay faults ${c.relayFaultsFired}, kills: ${kills}`,
  ];
  if (c.twinService !== null)
    lines.push(
      `  on PostgreSQL: one op-se process answered ${c.twinService.answeredWhileTwinDown} messages while the other was down (${c.twinService.downtimes} downtimes)`,
    );
  if (!round.ok) {
    lines.push('  plan:', ...round.plan.map((line) => `    ${line}`));
    for (const result of failedChecks(round.results)) {
      lines.push(`  FAIL  ${result.name} (${result.violations.length})`);
      for (const violation of result.violations.slice(0, 10))
        lines.push(`          ${violation.replace(/\n/g, '\n          ')}`);
      if (result.violations.length > 10) lines.push(`          … and ${result.violations.length - 10} more`);
    }
    lines.push(`  replay: ${replayCommand(round.seed, round.store)}`, `  data and logs kept in ${round.dir}`);
    if (round.databases.length > 0) lines.push(`  databases kept: ${round.databases.join(', ')}`);
  }
  return lines.join('\n');
}

export function describeSummary(summary: RunSummary): string {
  const t = summary.totals;
  const lines = [
    `totals: ${summary.rounds} rounds, ${t.customers} customers, ${t.initiations} initiations, ${t.tabs} tabs, ${t.purchases} purchases, ${t.relayFaultsFired} relay faults fired`,
    `kills: ${Object.entries(t.kills)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')} (${Object.entries(t.killsByCause)
      .map(([cause, n]) => `${cause} ${n}`)
      .join(', ')})`,
    ...(t.answeredWhileTwinDown === null
      ? []
      : [`op-se on PostgreSQL: ${t.answeredWhileTwinDown} messages answered by one process while the other was down`]),
    'invariants:',
  ];
  const width = Math.max(...Object.keys(summary.invariants).map((name) => name.length));
  for (const [name, tally] of Object.entries(summary.invariants)) {
    const seeds = tally.failedSeeds.length > 0 ? `  failed with seeds ${tally.failedSeeds.join(', ')}` : '';
    lines.push(
      `  ${tally.failed > 0 ? 'FAIL' : 'ok  '}  ${name.padEnd(width)}  ${tally.passed}/${tally.passed + tally.failed}${seeds}`,
    );
  }
  lines.push(`chaos: ${summary.passed} passed, ${summary.failed} failed`);
  return lines.join('\n');
}
