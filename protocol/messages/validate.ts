// The one way untrusted input becomes a typed message: validate against the message's schema,
// or refuse with a stable error code and the paths that failed.

import * as v from 'valibot';
import { OpentabError } from '../errors';
import { AMOUNT_ISSUE } from './primitives';

const MAX_REPORTED_ISSUES = 10;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: OpentabError };

export function parseMessage<S extends v.GenericSchema>(schema: S, input: unknown): Parsed<v.InferOutput<S>> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (result.success) return { ok: true, value: result.output };
  const issues = result.issues;
  const details = issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => {
    const path = v.getDotPath(issue) ?? '(message)';
    return `${path}: ${issue.message}`;
  });
  const amountProblem = issues.some((issue) => issue.message === AMOUNT_ISSUE);
  const code = amountProblem ? 'amount_invalid' : 'invalid_message';
  return { ok: false, error: new OpentabError(code, undefined, details) };
}
