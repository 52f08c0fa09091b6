// One invariant's verdict: its name and every violation found, each a sentence naming the rows
// involved. A check that found nothing wrong has no violations. Shared by the operator's audit,
// the merchant agent's and the crash suite's cross-party checks, which all print alike.

export interface CheckResult {
  readonly name: string;
  readonly violations: readonly string[];
}

export function check(name: string, violations: readonly string[]): CheckResult {
  return { name, violations };
}

export function failedChecks(results: readonly CheckResult[]): CheckResult[] {
  return results.filter((result) => result.violations.length > 0);
}

/** How long ago, for a person: "42 s". */
export function secondsSince(since_ms: number, now_ms: number): string {
  return `${Math.round((now_ms - since_ms) / 1000)} s`;
}

/** The results as lines for a terminal: one per check, each violation indented under its check. */
export function describeChecks(title: string, results: readonly CheckResult[]): string {
  const lines = [title];
  for (const result of results) {
    const failed = result.violations.length > 0;
    lines.push(`  ${failed ? 'FAIL' : 'ok  '}  ${result.name}${failed ? ` (${result.violations.length})` : ''}`);
    for (const violation of result.violations) lines.push(`          ${violation}`);
  }
  const failedCount = failedChecks(results).length;
  lines.push(`  ${results.length - failedCount} passed, ${failedCount} failed`);
  return `${lines.join('\n')}\n`;
}

/** Runs one check; a check that cannot run (a damaged file, a missing table) fails with the reason instead of
 * ending the audit. */
export function guarded(name: string, run: () => CheckResult): CheckResult {
  try {
    return run();
  } catch (error) {
    return check(name, [`could not run: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

/** A value read once, on first use, by the checks that need it. */
export function readOnce<T>(read: () => T): () => T {
  let read_: { value: T } | null = null;
  return () => (read_ ??= { value: read() }).value;
}
