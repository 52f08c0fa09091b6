// The one way untrusted input becomes a typed message: validate against the message's schema,
// or refuse with a stable error code and the paths that failed.

import * as v from 'valibot';
import { OpentabError } from '../errors';
import { AMOUNT_ISSUE, WEAK_KEY_ISSUE } from './primitives';

const MAX_REPORTED_ISSUES = 10;

/**
 * An unpaired UTF-16 surrogate: under the u flag a well-formed pair is one code point, so \p{Cs}
 * matches only the lone halves. RFC 8785 cannot encode them, so a message holding one could never
 * have been signed or digested, and SQLite would store it as U+FFFD, not as sent.
 */
const LONE_SURROGATE = /\p{Cs}/u;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: OpentabError };

export function parseMessage<S extends v.GenericSchema>(schema: S, input: unknown): Parsed<v.InferOutput<S>> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (result.success) {
    const illFormed = pathOfLoneSurrogate(result.output, '');
    if (illFormed === null) return { ok: true, value: result.output };
    return {
      ok: false,
      error: new OpentabError('invalid_message', undefined, [
        `${illFormed}: must be well-formed Unicode (no lone surrogate)`,
      ]),
    };
  }
  const issues = result.issues;
  const details = issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => {
    const path = v.getDotPath(issue) ?? '(message)';
    return `${path}: ${issue.message}`;
  });
  const code = issues.some((issue) => issue.message === AMOUNT_ISSUE)
    ? 'amount_invalid'
    : issues.some((issue) => issue.message.startsWith(WEAK_KEY_ISSUE))
      ? 'weak_key'
      : 'invalid_message';
  return { ok: false, error: new OpentabError(code, undefined, details) };
}

/** The dot path (as valibot writes it) of the first string or key holding a lone surrogate, or null. */
function pathOfLoneSurrogate(value: unknown, path: string): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path || '(message)' : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path === '' ? key : `${path}.${key}`;
    if (LONE_SURROGATE.test(key)) return itemPath;
    const found = pathOfLoneSurrogate(item, itemPath);
    if (found !== null) return found;
  }
  return null;
}
