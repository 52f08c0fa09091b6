// A synchronous class's methods answering through promises, each call run through a `Call`: how
// the SQLite storage offers its statement classes as groups of the asynchronous interface.

import type { Promised } from './operator-storage';

/** Runs one synchronous statement method, answering through a promise. */
export type Call = <T>(step: () => T) => Promise<T>;

/** `target`'s named methods, each run through `call`. */
export function promised<T extends object, K extends keyof T>(
  target: T,
  names: readonly K[],
  call: Call,
): Promised<Pick<T, K>> {
  const methods: Record<string, unknown> = {};
  for (const name of names) {
    const method = target[name] as (...args: unknown[]) => unknown;
    methods[name as string] = (...args: unknown[]) => call(() => method.apply(target, args));
  }
  return methods as Promised<Pick<T, K>>;
}
