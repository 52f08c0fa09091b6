// Who did what, kept in the same storage transaction as the change itself: the admin routes'
// wrapper (staff-handlers.ts) notes the line a change will be kept under, and the handler makes
// its change through `changeWithLogLine`, which writes that line with it. A change without its
// line, or a line without its change, cannot be committed.

import type { IncomingMessage } from 'node:http';
import type { OperatorContext } from '../operator-context';
import type { OperatorStoreTransaction } from '../store/operator-storage';
import type { StaffAction } from './staff-store';

interface Pending {
  readonly line: StaffAction;
  written: boolean;
}

const pending = new WeakMap<IncomingMessage, Pending>();

/** Notes the line the request's change is to be kept under. */
export function expectLogLine(request: IncomingMessage, line: StaffAction): void {
  pending.set(request, { line, written: false });
}

/** Whether the request's change was committed with its line. */
export function logLineWritten(request: IncomingMessage): boolean {
  return pending.get(request)?.written ?? false;
}

/**
 * Runs `change` as one storage transaction that also keeps the request's log line (with the
 * subject the change names, when the route's path does not). Everything `change` writes
 * synchronously (tables not yet behind the storage interface) joins the same transaction.
 */
export async function changeWithLogLine<T>(
  context: OperatorContext,
  request: IncomingMessage,
  change: (tx: OperatorStoreTransaction) => Promise<T>,
  subject?: string,
): Promise<T> {
  const entry = pending.get(request);
  const result = await context.storage.transaction(async (tx) => {
    const done = await change(tx);
    if (entry !== undefined)
      await tx.staff.recordAction(subject === undefined ? entry.line : { ...entry.line, subject });
    return done;
  });
  if (entry !== undefined) entry.written = true;
  return result;
}
