// The two ways a case drives work: a tight synchronous loop for CPU-bound checks, and a pool of
// concurrent asynchronous tasks for anything that goes over HTTP.

import { perSecond } from './stats';

/** Below this a timer's resolution and one GC pause would distort a per-operation figure. */
const MIN_MEASURE_MS = 200;
/** Calls between two clock reads: reading the clock must not be part of what is measured. */
const CALLS_PER_CLOCK_READ = 64;

/** CPU time of this process so far (user + system), in milliseconds. */
function cpuNow_ms(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * Operations per CPU second of `operation` on this thread — per second per core — after
 * `warmup_ms` of the same work so the JIT has settled. Counted against CPU time rather than the
 * wall clock, so time the machine's other load takes the core away is not charged to whichever
 * check happened to be running then.
 */
export function operationsPerCpuSecond(
  operation: (iteration: number) => void,
  measure_ms: number,
  warmup_ms = measure_ms / 4,
): number {
  if (measure_ms < MIN_MEASURE_MS) throw new RangeError(`measure for at least ${MIN_MEASURE_MS} ms`);
  const run = (duration_ms: number) => {
    let iterations = 0;
    const start_ms = cpuNow_ms();
    let elapsed_ms = 0;
    while (elapsed_ms < duration_ms) {
      for (let i = 0; i < CALLS_PER_CLOCK_READ; i++) operation(iterations++);
      elapsed_ms = cpuNow_ms() - start_ms;
    }
    return perSecond(iterations, elapsed_ms);
  };
  run(warmup_ms);
  return run(measure_ms);
}

export interface PoolRun {
  readonly elapsed_ms: number;
  /** One latency per task, in task order. */
  readonly latencies_ms: number[];
}

/** Runs `count` tasks with at most `concurrency` in flight; a failing task fails the run. */
export async function runPool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<PoolRun> {
  const latencies_ms = new Array<number>(count).fill(0);
  let next = 0;
  const start_ms = performance.now();
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const taskStart_ms = performance.now();
      await task(index);
      latencies_ms[index] = performance.now() - taskStart_ms;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { elapsed_ms: performance.now() - start_ms, latencies_ms };
}
