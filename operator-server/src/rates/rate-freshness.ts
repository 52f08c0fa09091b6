// Whether an operator may publish rate tables from the quotes it has: only while the day they
// are for is recent enough, unless they are sample rates (which every table then says they are).

import { OpentabError } from '@opentab/protocol';
import type { RateTableSource } from '@opentab/protocol';
import { shortDate } from '@opentab/protocol';
import { formatTimestamp, parseCalendarDate } from '@opentab/protocol';
import type { RateQuotes } from './rate-quotes';

/**
 * How old a rate source may be, counted from the start (UTC) of the day its quotes are for.
 * The ECB publishes at about 16:00 CET on TARGET working days. The longest run of days without
 * a publication is four: Good Friday to Easter Monday, or Christmas and Boxing Day next to a
 * weekend. Thursday's rates are then the newest until Tuesday at about 16:00 CET (14:00 UTC in
 * summer time), 5 days and 14-15 hours after Thursday began. Six days covers that with about
 * nine hours to spare for a late publication or a few failed fetches, and catches a source that
 * stopped being updated by the second working day.
 */
export const DEFAULT_MAX_SOURCE_AGE_S = 6 * 86_400;

export type RateAvailability =
  /** Tables may be issued, valid no later than `usableUntil_ms`, when the source becomes too old. */
  | { readonly kind: 'current'; readonly quotes: RateQuotes; readonly usableUntil_ms: number }
  /** Old rates served on purpose (a demonstration): tables say they are samples. */
  | { readonly kind: 'sample'; readonly quotes: RateQuotes }
  | { readonly kind: 'stale'; readonly quotes: RateQuotes; readonly maxSourceAge_s: number }
  | { readonly kind: 'unavailable'; readonly reason: string };

export function assessRates(quotes: RateQuotes | null, now_ms: number, maxSourceAge_s: number): RateAvailability {
  if (quotes === null) return { kind: 'unavailable', reason: 'no exchange rates have been read from its source yet' };
  const day_ms = parseCalendarDate(quotes.source.publishedOn);
  if (day_ms === null || day_ms > now_ms) {
    return {
      kind: 'unavailable',
      reason: `its exchange rates are dated ${quotes.source.publishedOn}, after today (is its clock right?)`,
    };
  }
  if (quotes.source.sample) return { kind: 'sample', quotes };
  const usableUntil_ms = day_ms + maxSourceAge_s * 1000;
  if (now_ms >= usableUntil_ms) return { kind: 'stale', quotes, maxSourceAge_s };
  return { kind: 'current', quotes, usableUntil_ms };
}

/** What /healthz says about the rates. */
export interface RateHealth {
  readonly status: RateAvailability['kind'];
  readonly source: RateTableSource | null;
  /** Current rates: until when tables may still be issued from them. */
  readonly usableUntil?: string;
  /** Stale or unavailable rates: why no rate table is published. */
  readonly problem?: string;
  /** Why the latest read of the rate source failed (the last good rates are still used). */
  readonly sourceProblem?: string;
}

export function rateHealth(availability: RateAvailability, sourceProblem: string | null): RateHealth {
  const problem = sourceProblem === null ? {} : { sourceProblem };
  switch (availability.kind) {
    case 'current':
      return {
        status: 'current',
        source: availability.quotes.source,
        usableUntil: formatTimestamp(availability.usableUntil_ms),
        ...problem,
      };
    case 'sample':
      return { status: 'sample', source: availability.quotes.source, ...problem };
    case 'stale':
      return {
        status: 'stale',
        source: availability.quotes.source,
        problem: refusalOf(availability).message,
        ...problem,
      };
    case 'unavailable':
      return { status: 'unavailable', source: null, problem: refusalOf(availability).message, ...problem };
  }
}

/** The refusal of the rate-table route when no table may be published. */
export function refusalOf(availability: Extract<RateAvailability, { kind: 'stale' | 'unavailable' }>): OpentabError {
  if (availability.kind === 'unavailable') {
    return new OpentabError(
      'rates_unavailable',
      `This operator has no rate table to publish: ${availability.reason}. Try again later.`,
    );
  }
  return new OpentabError(
    'rates_stale',
    `The newest exchange rates this operator has are ${describeSource(availability.quotes.source)}, older than the ${describeDuration(availability.maxSourceAge_s)} it accepts, so it publishes no rate table until its source has newer ones.`,
  );
}

/** "ECB rates of 28 Jun 2024", "sample ECB rates of 28 Jun 2024", "its own rates of 28 Jun 2024". */
export function describeSource(source: RateTableSource): string {
  const rates = source.publisher === 'ecb' ? 'ECB rates' : 'its own rates';
  return `${source.sample ? 'sample ' : ''}${rates} of ${shortDate(source.publishedOn)}`;
}

function describeDuration(duration_s: number): string {
  if (duration_s % 86_400 === 0) return plural(duration_s / 86_400, 'day');
  if (duration_s % 3600 === 0) return plural(duration_s / 3600, 'hour');
  return plural(duration_s, 'second');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
