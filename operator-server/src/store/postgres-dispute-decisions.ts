// The MTA's signed dispute decision on a customer's transaction, on PostgreSQL: kept once, by a
// conditional update, so a decision delivered twice (or to two processes) is kept once.

import type { DisputeDecisionAccess } from './operator-records-storage';
import type { StoreConnection } from './postgres-merchants';

export function postgresDisputeDecisionAccess(connection: StoreConnection): DisputeDecisionAccess {
  return {
    async setTransactionDisputeDecision(transactionId, decision) {
      const { rowCount } = await connection.query(
        'UPDATE transactions SET dispute_decision = $1 WHERE transaction_id = $2 AND dispute_decision IS NULL',
        [JSON.stringify(decision), transactionId],
      );
      return rowCount === 1;
    },
  };
}
