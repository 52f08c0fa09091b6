import { describe, expect, it } from 'vitest';
import { toReport } from '../report';
import { operatorStoreScalingMetrics, type SizeRun } from './operator-store-scaling';

const run = (size: number, server: number | null, database: number | null, wall: number): SizeRun => ({
  size,
  fill_s: 1,
  serverCpu_ms_per_tab: server,
  databaseCpu_ms_per_tab: database,
  wall_ms_per_tab: wall,
});

function figures(runs: readonly SizeRun[]): Record<string, number | null> {
  return toReport([{ name: 'operator_store_scaling', metrics: operatorStoreScalingMetrics(runs), notes: [] }]).cases
    .operator_store_scaling!;
}

describe('operator_store_scaling metrics', () => {
  it('names each size as the command line spells it and compares every larger size with the first', () => {
    const result = figures([run(1_000, 30, 20, 10), run(100_000, 33, 22, 11), run(1_000_000, 36, 30, 15)]);
    expect(result).toMatchObject({
      'operator_store_scaling.server_cpu_ms_per_tab_1k': 30,
      'operator_store_scaling.database_cpu_ms_per_tab_1M': 30,
      'operator_store_scaling.total_cpu_ms_per_tab_100k': 55,
      'operator_store_scaling.wall_ms_per_tab_1M': 15,
    });
    expect(result['operator_store_scaling.total_cpu_ratio_100k_vs_1k']).toBeCloseTo(1.1);
    expect(result['operator_store_scaling.total_cpu_ratio_1M_vs_1k']).toBeCloseTo(1.32);
    expect(result['operator_store_scaling.server_cpu_ratio_1M_vs_1k']).toBeCloseTo(1.2);
    expect(result['operator_store_scaling.database_cpu_ratio_1M_vs_1k']).toBeCloseTo(1.5);
    expect(result['operator_store_scaling.wall_ratio_1M_vs_1k']).toBeCloseTo(1.5);
    expect(Object.keys(result).filter((name) => name.includes('_1k_vs_'))).toEqual([]);
  });

  it('holds the total CPU ratio to at most 1.3', () => {
    const [ratio] = operatorStoreScalingMetrics([run(1_000, 30, 20, 10), run(1_000_000, 40, 30, 10)]).filter(
      (metric) => metric.name === 'operator_store_scaling.total_cpu_ratio_1M_vs_1k',
    );
    expect(ratio).toMatchObject({ value: 1.4, target: { kind: 'max', value: 1.3 } });
  });

  it('has no ratio where a CPU figure could not be read', () => {
    const result = figures([run(1_000, 30, null, 10), run(100_000, 33, 22, 11)]);
    expect(result['operator_store_scaling.total_cpu_ms_per_tab_1k']).toBeNull();
    expect(result['operator_store_scaling.total_cpu_ratio_100k_vs_1k']).toBeNull();
    expect(result['operator_store_scaling.database_cpu_ratio_100k_vs_1k']).toBeNull();
    expect(result['operator_store_scaling.server_cpu_ratio_100k_vs_1k']).toBeCloseTo(1.1);
  });
});
