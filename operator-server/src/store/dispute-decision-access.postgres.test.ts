// The MTA's signed dispute decision on a customer's transaction, as a group of the operator's
// store, one suite run on both stores: kept once, whichever of decisions racing for it comes first.

import { describe, expect, it } from 'vitest';
import { seal, signerFromSecretKey, type SignedDisputeResolution } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { BOTH_STORES, type StoreGroups } from './testing/both-stores';

const NOW_MS = 1_800_000_000_000;
const mta = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());

function decision(decision: 'uphold' | 'adjust', clearedAfter: string): SignedDisputeResolution {
  return seal(
    nodeCrypto,
    mta,
    {
      type: 'dispute-resolution' as const,
      operatorId: 'op-eu',
      disputeId: 'dispute:tab_1',
      tabId: 'tab_1',
      transactionId: 'tx-1',
      customerOperatorId: 'op-us',
      merchantId: 'shop-1',
      decision,
      clearedBefore: { currency: 'EUR', value: '0.45' },
      clearedAfter: { currency: 'EUR', value: clearedAfter },
      revision: decision === 'uphold' ? 0 : 1,
      reason: 'The merchant showed delivery.',
    },
    NOW_MS,
  );
}

async function clearedTransaction({ customers, sql }: StoreGroups) {
  await customers.insertCustomer('acct:alice', 'EUR', 'Alice', NOW_MS);
  await sql.execute(
    `INSERT INTO transactions (transaction_id, session_id, account_id, merchant_id, merchant_operator_id, state, hold_minor,
       customer_currency, deposit_minor, merchant_currency, rate, tab_public_key, chain, pseudonym, opened_at, expires_at)
     VALUES ('tx-1', 'session-1', 'acct:alice', 'shop-1', 'op-eu', 'cleared', 500, 'EUR', 500, 'EUR', '1', 'tab-key', '{}',
       'pseudonym', ${NOW_MS}, ${NOW_MS + 3_600_000})`,
  );
}

async function keptDecision({ sql }: StoreGroups): Promise<unknown> {
  const [row] = await sql.select("SELECT dispute_decision FROM transactions WHERE transaction_id = 'tx-1'");
  return row!.dispute_decision === null ? null : JSON.parse(row!.dispute_decision as string);
}

describe.each(BOTH_STORES)('the dispute decisions of the operator store on $name', ({ open }) => {
  it('keeps the first decision on a transaction, signed as it came, and no later one', async () => {
    const store = await open();
    await clearedTransaction(store);
    expect(await keptDecision(store)).toBeNull();
    const decisions = [decision('uphold', '0.45'), decision('adjust', '0.20'), decision('adjust', '0.10')];
    const kept = await Promise.all(
      decisions.map((signed) => store.disputeDecisions.setTransactionDisputeDecision('tx-1', signed)),
    );
    expect(kept.filter(Boolean)).toHaveLength(1);
    expect(await keptDecision(store)).toEqual(decisions[kept.indexOf(true)]);
    expect(await store.disputeDecisions.setTransactionDisputeDecision('tx-1', decisions[0]!)).toBe(false);
    expect(await store.disputeDecisions.setTransactionDisputeDecision('tx-2', decisions[0]!)).toBe(false);
  });
});
