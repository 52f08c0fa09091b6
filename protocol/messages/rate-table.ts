import * as v from 'valibot';
import { CurrencyCode, OperatorId, PositiveDecimalString, Timestamp, envelopeOf, payloadHeader } from './primitives';

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
  }),
  v.check((table) => Date.parse(table.issuedAt) < Date.parse(table.validUntil), 'validUntil must be after issuedAt'),
);
export type RateTablePayload = v.InferOutput<typeof RateTablePayload>;
export const RateTable = envelopeOf(RateTablePayload);
export type RateTable = v.InferOutput<typeof RateTable>;
