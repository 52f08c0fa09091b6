// The AM's guarantee that nothing stays 'opening' for long: a transaction still opening past
// `tabs.openingBound_s` (this AM stopped mid-initiation, or the MTA did not answer and the
// customer never came back) is asked about once more, and failed, its hold released, if even
// that brings no definite answer. Failing is safe: a tab-opened only ever leaves once the
// transaction is open, so its customer cannot have revealed a chain link; should the MTA have
// opened the tab after all, its clearing can only be zero, which a failed transaction accepts.

import type { OperatorContext } from '../operator-context';
import { settleOpening } from './initiation';

const BATCH_LIMIT = 50;

/** Settles every stalled opening not being worked on in this process, in parallel (each may wait for the
 * MTA); how many it settled. */
export async function settleStalledOpenings(context: OperatorContext, now_ms: number): Promise<number> {
  const bound_ms = context.config.tabs.openingBound_s * 1000;
  const stalled = await context.storage.transactions.stalledOpenings(now_ms - bound_ms, BATCH_LIMIT);
  const settled = await Promise.all(
    stalled.map(async (transaction) => {
      const key = transaction.initiationId ?? transaction.transactionId;
      // A customer's replay is settling it right now; its own answer decides.
      if (context.locks.initiations.isHeld(key)) return false;
      const after = await context.locks.initiations.run(key, async () => {
        const current = await context.storage.transactions.transaction(transaction.transactionId);
        return current === null ? null : settleOpening(context, current, context.clock.now_ms(), 'fail');
      });
      if (after === null || after.state === 'opening') return false;
      context.log.warn('initiation.settled-by-sweep', { tx: after.transactionId, state: after.state });
      return true;
    }),
  );
  return settled.filter(Boolean).length;
}
