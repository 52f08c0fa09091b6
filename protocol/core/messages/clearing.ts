// How a tab's clearing came out: words both the operators' peer messages and the customer's
// account view use.

import * as v from 'valibot';

/** `voided`: the tab never opened (its registration failed), so nothing was bought on it. */
export const ClearingOutcome = v.picklist([
  'agreed',
  'disputed',
  'customer-record-missing',
  'merchant-record-missing',
  'no-records',
  'voided',
]);
export type ClearingOutcome = v.InferOutput<typeof ClearingOutcome>;

/**
 * How many times a tab's clearing was corrected by evidence that came after it (0: the first
 * clearing). Each revision states the whole amount cleared so far, never a difference, so a
 * receiver applies the highest revision it has seen and ignores older ones arriving late.
 */
export const ClearingRevision = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(1000));

/** The operator's decision on a disputed tab: keep what the chain proved, or set what the tab clears. */
export const ResolutionDecision = v.picklist(['uphold', 'adjust']);
export type ResolutionDecision = v.InferOutput<typeof ResolutionDecision>;
