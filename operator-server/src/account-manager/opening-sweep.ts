// The AM's guarantee that nothing stays 'opening' for long: a transaction still opening past
// `tabs.openingBound_s` (this AM stopped mid-initiation, or the MTA did not answer and the
// customer never came back) is asked about once more, and failed, its hold released, if even
// that brings no definite answer. Failing is safe: a tab-opened only ever leaves once the
// transaction is open, so its customer cannot have revealed a chain link; should the MTA have
// opened the tab after all, its clearing can only be zero, which a failed transaction accepts.
//
// Processes sharing a database sweep side by side: each first claims the openings it will ask
// about (a lease in the store, one short statement), then asks the MTAs outside any transaction
// or lock, and the conditional state change records the outcome. An MTA that does not answer
// holds up only the claims of the process that asked it; a process that stopped mid-sweep leaves
// its claims to the others once their leases run out.

import type { OperatorContext } from '../operator-context';
import { PEER_CALL_TIMEOUT_MS } from '../peers/peer-directory';
import { settleOpening } from './initiation';

const BATCH_LIMIT = 50;

/** How long a claim keeps other processes off an opening: longer than the MTA call its holder makes, so that
 * only the claim of a holder that stopped runs out. */
export const OPENING_LEASE_MS = 2 * PEER_CALL_TIMEOUT_MS;

/** Claims the stalled openings no other process holds, for `holder` (this process), and settles each not being
 * worked on in this process, in parallel (each may wait for the MTA); how many it settled. */
export async function settleStalledOpenings(context: OperatorContext, now_ms: number, holder: string): Promise<number> {
  const bound_ms = context.config.tabs.openingBound_s * 1000;
  const claimed = await context.storage.transactions.claimStalledOpenings({
    holder,
    openedBefore_ms: now_ms - bound_ms,
    now_ms,
    leaseUntil_ms: now_ms + OPENING_LEASE_MS,
    limit: BATCH_LIMIT,
  });
  const settled = await Promise.all(
    claimed.map(async (transaction) => {
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
