import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseCalendarDate, parseTimestamp } from './time';

describe('RFC 3339 timestamps', () => {
  it('reads what RFC 3339 allows, offsets and fractions included', () => {
    expect(parseTimestamp('2026-11-29T12:00:00Z')).toBe(Date.UTC(2026, 10, 29, 12));
    expect(parseTimestamp('2026-11-29T13:00:00+01:00')).toBe(Date.UTC(2026, 10, 29, 12));
    expect(parseTimestamp('2026-11-29T12:00:00.123Z')).toBe(Date.UTC(2026, 10, 29, 12, 0, 0, 123));
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTimestamp('2000-02-29T23:59:59Z')).toBe(Date.UTC(2000, 1, 29, 23, 59, 59));
    const zeroLeapDay = new Date(0);
    zeroLeapDay.setUTCFullYear(0, 1, 29);
    expect(parseTimestamp('0000-02-29T00:00:00Z')).toBe(zeroLeapDay.getTime());
    const now_ms = Date.now();
    expect(parseTimestamp(formatTimestamp(now_ms))).toBe(now_ms);
  });

  it('refuses dates that do not exist rather than moving them (Date.parse rolls 30 February into March)', () => {
    for (const text of [
      '2024-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '1900-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-01-00T00:00:00Z',
    ]) {
      expect([text, parseTimestamp(text)]).toEqual([text, null]);
    }
  });

  it('refuses 24:00 and anything that is not the RFC 3339 form', () => {
    for (const text of [
      '2026-11-29T24:00:00Z',
      '2026-11-29T23:60:00Z',
      '2026-11-29 12:00:00Z',
      '2026-11-29T12:00:00',
      '2026-11-29',
      'Sun, 29 Nov 2026 12:00:00 GMT',
      '',
    ]) {
      expect([text, parseTimestamp(text)]).toEqual([text, null]);
    }
  });
});

describe('calendar dates', () => {
  it('reads a day of the calendar as the start of that day in UTC', () => {
    expect(parseCalendarDate('2024-06-28')).toBe(Date.UTC(2024, 5, 28));
    expect(parseCalendarDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });

  it('refuses what names no day', () => {
    for (const text of [
      '2023-02-29',
      '2024-06-31',
      '2024-13-01',
      '2024-6-28',
      '2024-06-28T00:00:00Z',
      ' 2024-06-28',
      '28.06.2024',
      '',
    ]) {
      expect([text, parseCalendarDate(text)]).toEqual([text, null]);
    }
  });
});
