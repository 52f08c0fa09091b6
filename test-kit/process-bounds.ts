// Bounds for tests that start Node processes (a CLI, a server) through tsx. Starting one compiles
// its sources first, which takes a second on a quiet machine and tens of seconds on a busy one:
// a test's bound counts its process starts, so that only a process that never answers fails it.

/** How long one Node process started through tsx may take to start, do its step and exit. */
export const PROCESS_STEP_BOUND_MS = 60_000;

/** The bound of a test that starts `count` processes one after another. */
export function boundForProcessSteps(count: number): number {
  return count * PROCESS_STEP_BOUND_MS;
}
