// Timestamps on the wire are RFC 3339 strings; inside the code they are epoch milliseconds.

/** An RFC 3339 date-time; parseTimestamp also requires the date to exist and the hour to be 00-23. */
export const RFC3339_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an RFC 3339 timestamp, or null when it is not one (Date.parse alone accepts far too much). */
export function parseTimestamp(text: string): number | null {
  const fields = RFC3339_PATTERN.exec(text);
  if (fields === null) return null;
  const [year, month, day, hour] = fields.slice(1, 5).map(Number) as [number, number, number, number];
  // Date.parse rolls 2024-02-30 over into March and reads T24:00:00 as the next midnight; neither
  // names a time RFC 3339 allows, and a date that silently moves is worse than a refusal.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

const CALENDAR_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of the start (UTC) of a YYYY-MM-DD day, or null when it names no day of the calendar. */
export function parseCalendarDate(text: string): number | null {
  const fields = CALENDAR_DATE_PATTERN.exec(text);
  if (fields === null) return null;
  const [year, month, day] = fields.slice(1, 4).map(Number) as [number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const start = new Date(0);
  start.setUTCFullYear(year, month - 1, day);
  return start.getTime();
}

function daysInMonth(year: number, month: number): number {
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0); // unlike Date.UTC, takes years 0–99 as they are
  return lastDay.getUTCDate();
}

export function formatTimestamp(epoch_ms: number): string {
  return new Date(epoch_ms).toISOString();
}

/** Default window within which a message's `iat` must lie around the receiver's clock. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

export type Freshness = 'fresh' | 'too_old' | 'in_future' | 'unreadable';

export function checkIssuedAt(iat: string, now_ms: number, skew_ms: number = CLOCK_SKEW_MS): Freshness {
  const issued_ms = parseTimestamp(iat);
  if (issued_ms === null) return 'unreadable';
  if (issued_ms < now_ms - skew_ms) return 'too_old';
  if (issued_ms > now_ms + skew_ms) return 'in_future';
  return 'fresh';
}

/** Where code reads the time: injected, so that tests decide how much of it passes. */
export interface Clock {
  /** Epoch milliseconds (a holder that only measures intervals, like a rate limiter, may read a monotonic one). */
  now_ms(): number;
}

export const systemClock: Clock = { now_ms: () => Date.now() };
