// Every answer the background gives, to a page or to its own UI, is one of these two shapes, so a
// caller always has a code to branch on and a sentence to show.

export interface CallError<Code extends string = string> {
  readonly code: Code;
  readonly message: string;
}

export type CallResult<T, Code extends string = string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: CallError<Code> };

export function succeeded<T>(value: T): CallResult<T, never> {
  return { ok: true, value };
}

export function failed<Code extends string>(code: Code, message: string): CallResult<never, Code> {
  return { ok: false, error: { code, message } };
}
