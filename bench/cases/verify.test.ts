import { describe, expect, it } from 'vitest';
import { toReport } from '../report';
import { runVerifyCase } from './verify';

describe('the verify case', () => {
  it("measures the five-cent article at the bench merchant's unit (one link) and at one cent a link (five)", () => {
    const result = runVerifyCase({ measure_ms: 200, rounds: 1 });
    const figures = toReport([result]).cases.verify!;
    expect(figures['verify.k_steps']).toBe(1);
    expect(figures['verify.k_steps_cent_unit']).toBe(5);
    for (const name of [
      'verify.ratio_hash_vs_sig',
      'verify.ratio_hash_vs_sig_cent_unit',
      'verify.hash_chain_per_s',
      'verify.hash_chain_cent_unit_per_s',
    ]) {
      expect(figures[name], name).toBeGreaterThan(0);
    }
    expect(result.metrics.find((m) => m.name === 'verify.ratio_hash_vs_sig')?.target).toEqual({
      kind: 'min',
      value: 50,
    });
    // It measures for a fixed amount of CPU time, not wall time: on a busy machine that takes several times as long.
  }, 120_000);
});
