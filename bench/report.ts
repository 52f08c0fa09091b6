// What a benchmark case hands back, and the two ways the runner shows it: a table for people and
// one JSON object for machines. Both use the same dotted metric names, so a figure found in one
// can be grepped for in the other.

/** A figure, or null when the case could not measure it (the note says why). */
export type MetricValue = number | null;

export interface Target {
  /** 'min': the figure must be at least `value`; 'max': at most. */
  readonly kind: 'min' | 'max';
  readonly value: number;
}

export interface Metric {
  /** `<case>.<figure>_<unit>`, e.g. `lifecycle.tabs_per_s`. */
  readonly name: string;
  readonly value: MetricValue;
  readonly target?: Target;
}

export interface CaseResult {
  readonly name: string;
  readonly metrics: readonly Metric[];
  /** Conditions a reader needs to interpret the figures (sizes, concurrency, what was skipped). */
  readonly notes: readonly string[];
}

export interface BenchReport {
  readonly cases: Readonly<Record<string, Readonly<Record<string, MetricValue>>>>;
}

export function metric(name: string, value: MetricValue, target?: Target): Metric {
  return target === undefined ? { name, value } : { name, value, target };
}

export const atLeast = (value: number): Target => ({ kind: 'min', value });
export const atMost = (value: number): Target => ({ kind: 'max', value });

export function meetsTarget(value: MetricValue, target: Target): boolean | null {
  if (value === null) return null;
  return target.kind === 'min' ? value >= target.value : value <= target.value;
}

export function toReport(results: readonly CaseResult[]): BenchReport {
  const cases: Record<string, Record<string, MetricValue>> = {};
  for (const result of results) cases[result.name] = Object.fromEntries(result.metrics.map((m) => [m.name, m.value]));
  return { cases };
}

/** Three significant digits at most, never exponent notation: figures are read, not parsed. */
export function formatValue(value: MetricValue): string {
  if (value === null) return 'null';
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function formatTarget(target: Target | undefined): string {
  if (target === undefined) return '';
  return `${target.kind === 'min' ? '≥' : '≤'} ${formatValue(target.value)}`;
}

function verdict(m: Metric): string {
  if (m.target === undefined) return '';
  const met = meetsTarget(m.value, m.target);
  return met === null ? 'n/a' : met ? 'ok' : 'MISS';
}

export function formatTable(results: readonly CaseResult[]): string {
  const rows = results.flatMap((result) =>
    result.metrics.map((m) => [m.name, formatValue(m.value), formatTarget(m.target), verdict(m)]),
  );
  const header = ['metric', 'value', 'target', ''];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 1 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const notes = results.flatMap((result) => result.notes.map((note) => `  ${result.name}: ${note}`));
  return [
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    ...(notes.length > 0 ? ['', 'notes:', ...notes] : []),
  ].join('\n');
}
