// A seed names one plan exactly: the same seed draws the same customers and faults, every fault
// is one the world can stage, and a round's seed replays as the first round of its own run.

import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAN_LIMITS, describePlan, planRound, type RelayFault } from './plan';
import { MAX_SEED, mixSeed, Random, roundSeed } from './random';
import { POSTGRES_ROUND_SEED, SHORT_FORM_SEEDS } from './test-seeds';
import { CHAOS_TIMING, COMMIT_PATHS, LINKS, POSTGRES_PROCESS_NAMES } from './world/topology';

describe('seeded plans', () => {
  it('draws the same plan from the same seed, and another from another seed', () => {
    expect(planRound(new Random(42))).toEqual(planRound(new Random(42)));
    // Compared without the seed itself, which alone would always differ.
    expect(describePlan(planRound(new Random(42)))).not.toEqual(describePlan(planRound(new Random(43))));
  });

  it('draws a different plan from each of the seeds 0 to 9', () => {
    const plans = Array.from({ length: 10 }, (_, seed) => describePlan(planRound(new Random(seed))).join('\n'));
    expect(new Set(plans).size).toBe(10);
  });

  it('gives distinct seeds distinct streams of one label', () => {
    for (const label of ['kills', 'customers', 'round 1']) {
      const seeds = new Set<number>();
      for (let seed = 0; seed < 100_000; seed++) seeds.add(mixSeed(seed, label));
      expect(seeds.size, label).toBe(100_000);
    }
    expect(mixSeed(MAX_SEED, 'kills')).not.toBe(mixSeed(MAX_SEED - 1, 'kills'));
  });

  it('keeps each part of a round on its own stream', () => {
    const random = new Random(7);
    const first = random.stream('kills').next();
    random.stream('customers').next();
    expect(new Random(7).stream('kills').next()).toBe(first);
  });

  it('replays round k of a run as the first round of a run from its seed', () => {
    expect(roundSeed(1234, 0)).toBe(1234);
    const third = roundSeed(1234, 2);
    expect(third).not.toBe(1234);
    expect(roundSeed(third, 0)).toBe(third);
  });

  it('draws whole numbers within bounds and refuses seeds outside 32 bits', () => {
    const random = new Random(MAX_SEED);
    for (let i = 0; i < 1000; i++) {
      const value = random.int(3, 9);
      expect(value >= 3 && value <= 9 && Number.isInteger(value)).toBe(true);
    }
    expect(() => new Random(MAX_SEED + 1)).toThrow(RangeError);
    expect(() => new Random(-1)).toThrow(RangeError);
  });

  it('plans only faults the world can stage, within the limits', () => {
    for (let seed = 0; seed < 200; seed++) {
      const plan = planRound(new Random(seed));
      expect(plan.customers.length).toBeGreaterThanOrEqual(DEFAULT_PLAN_LIMITS.customers[0]);
      expect(plan.customers.length).toBeLessThanOrEqual(DEFAULT_PLAN_LIMITS.customers[1]);
      for (const fault of plan.relayFaults) {
        const link = LINKS[fault.link];
        expect(link.paths).toContain(fault.path);
        if ('victim' in fault.action && fault.action.victim === 'source') expect(link.source).not.toBeNull();
      }
      for (const seam of plan.seams) expect(COMMIT_PATHS[seam.process]).toContain(seam.path);
    }
  });

  it('still plans, from the seeds the suite runs, the faults they were chosen for', () => {
    const shortForm = SHORT_FORM_SEEDS.map((seed) => planRound(new Random(seed)));
    const relayFaults = shortForm.flatMap((plan) => plan.relayFaults);
    const grace_ms = CHAOS_TIMING.recordGrace_s * 1000;
    const killAt = (fault: RelayFault, path: string, kind: string, victim: string) =>
      fault.path === path && fault.action.kind === kind && 'victim' in fault.action && fault.action.victim === victim;

    expect(relayFaults.some((f) => killAt(f, '/v1/peer/initiation', 'kill-before-delivery', 'source'))).toBe(true);
    expect(relayFaults.some((f) => killAt(f, '/opentab/mta/tab-information', 'kill-after-answer', 'destination'))).toBe(
      true,
    );
    expect(
      relayFaults.some(
        (f) =>
          killAt(f, '/v1/peer/clearing', 'kill-after-answer', 'source') &&
          'downtime_ms' in f.action &&
          f.action.downtime_ms > grace_ms,
      ),
    ).toBe(true);
    expect(shortForm.flatMap((plan) => plan.kills).some((kill) => kill.kind === 'random-kill')).toBe(true);
    const seams = shortForm.flatMap((plan) => plan.seams);
    expect(new Set(seams.map((seam) => seam.process)).size).toBeGreaterThanOrEqual(2);

    const onPostgres = planRound(new Random(POSTGRES_ROUND_SEED), DEFAULT_PLAN_LIMITS, POSTGRES_PROCESS_NAMES);
    expect(onPostgres.kills).toEqual([expect.objectContaining({ kind: 'outage', process: 'op-se' })]);
    expect(onPostgres.kills[0]!.downtime_ms).toBeGreaterThan(grace_ms);
    expect(onPostgres.seams).toEqual([]);
    expect(onPostgres.relayFaults.filter((f) => 'victim' in f.action)).toEqual([]);
  });
});
