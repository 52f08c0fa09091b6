// A seed names one plan exactly: the same seed draws the same customers and faults, every fault
// is one the world can stage, and a round's seed replays as the first round of its own run.

import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAN_LIMITS, planRound } from './plan';
import { MAX_SEED, Random, roundSeed } from './random';
import { COMMIT_PATHS, LINKS } from './world/topology';

describe('seeded plans', () => {
  it('draws the same plan from the same seed, and another from another seed', () => {
    expect(planRound(new Random(42))).toEqual(planRound(new Random(42)));
    expect(planRound(new Random(42))).not.toEqual(planRound(new Random(43)));
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
});
