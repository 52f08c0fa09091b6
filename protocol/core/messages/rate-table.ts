import * as v from 'valibot';
import { parseCalendarDate } from '../time';
import {
  CalendarDate,
  CurrencyCode,
  OperatorId,
  PositiveDecimalString,
  Timestamp,
  envelopeOf,
  payloadHeader,
} from './primitives';

/**
 * Where a table's quotes come from: who published them and for which day, so that a customer
 * sees how old the rates are (the table's own issuedAt is only when the operator signed it).
 */
export const RateTableSource = v.strictObject({
  /** `ecb`: the European Central Bank's reference rates; `operator`: rates the operator set itself. */
  publisher: v.picklist(['ecb', 'operator']),
  /** The day the publisher's quotes are for, YYYY-MM-DD. */
  publishedOn: CalendarDate,
  /**
   * Old rates an operator was told to serve anyway, for a demonstration: the table is shown as
   * sample rates, never as current ones.
   */
  sample: v.boolean(),
});
export type RateTableSource = v.InferOutput<typeof RateTableSource>;

/** Signed by the customer's operator: units of each currency per one unit of `base`. */
export const RateTablePayload = v.pipe(
  v.strictObject({
    ...payloadHeader('rate-table'),
    operatorId: OperatorId,
    base: CurrencyCode,
    rates: v.pipe(
      v.record(CurrencyCode, PositiveDecimalString),
      v.check((rates) => Object.keys(rates).length <= 200, 'must quote at most 200 currencies'),
    ),
    issuedAt: Timestamp,
    validUntil: Timestamp,
    /** Absent from tables signed before operators stated it: such a table has no provenance, and is shown so. */
    source: v.optional(RateTableSource),
  }),
  v.check((table) => Date.parse(table.issuedAt) < Date.parse(table.validUntil), 'validUntil must be after issuedAt'),
  v.check(
    (table) =>
      table.source === undefined ||
      (parseCalendarDate(table.source.publishedOn) ?? Infinity) <= Date.parse(table.issuedAt),
    'source.publishedOn must not be after issuedAt',
  ),
);
export type RateTablePayload = v.InferOutput<typeof RateTablePayload>;
export const RateTable = envelopeOf(RateTablePayload);
export type RateTable = v.InferOutput<typeof RateTable>;
