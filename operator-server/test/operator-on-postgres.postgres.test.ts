// Two operators, each on a PostgreSQL database of its own, over real HTTP: a customer enrols at
// op-se, opens a tab with a merchant of op-eu, buys, closes it and sends its record; the tab
// clears, and every balance is exact to the minor unit and every ledger invariant holds.

import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@opentab/test-kit';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import {
  CUSTOMER_OPERATOR,
  hundredArticles,
  MERCHANT_OPERATOR,
  startOperatorWorld,
  startTwoOperatorWorld,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { ConfigError } from '../src/config/config';
import { describeInvariantViolations } from '../src/ledger/invariants';

let w: TwoOperatorWorld | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

async function postgresWorld(): Promise<TwoOperatorWorld> {
  const store = async () => ({ kind: 'postgres', url: await createTestDatabase('operator'), poolSize: 4 }) as const;
  w = await startTwoOperatorWorld({
    stores: { [CUSTOMER_OPERATOR]: await store(), [MERCHANT_OPERATOR]: await store() },
  });
  return w;
}

describe('operators on PostgreSQL', () => {
  it('refuse extensions, which keep their tables in the SQLite file, before touching the database', async () => {
    const url = await createTestDatabase('operator');
    const started = startOperatorWorld({
      operators: [{ operatorId: CUSTOMER_OPERATOR, currency: 'SEK' }],
      stores: { [CUSTOMER_OPERATOR]: { kind: 'postgres', url, poolSize: 2 } },
      extensions: [{ name: 'baseline', tables: 'CREATE TABLE IF NOT EXISTS x (y)', routes: {}, bind: () => [] }],
    });
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/extensions work on the operator's SQLite file.*store kind 'sqlite'/);
    const database = new pg.Client({ connectionString: url });
    await database.connect();
    try {
      const { rows } = await database.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
      expect(rows[0].n).toBe(0);
    } finally {
      await database.end();
    }
  });

  it('clear a tab between them to the minor unit', async () => {
    const world = await postgresWorld();
    for (const operatorId of [CUSTOMER_OPERATOR, MERCHANT_OPERATOR])
      expect(world.world.operator(operatorId).running.context.storage.kind).toBe('postgres');
    const customer = await world.newCustomer('500.00');
    const tab = await customer.openTab({
      merchantId: world.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
      merchantCurrency: 'EUR',
      deposit: { currency: 'SEK', value: '200.00' },
    });
    // 20000 öre × (1 / 11.3595) = 1760.6… cents, floored: 17.60 EUR of deposit.
    expect(tab.opened.payload.deposit.merchant).toEqual({ currency: 'EUR', value: '17.60' });
    for (const article of hundredArticles().slice(0, 3))
      await tab.buy(world.merchant.agentUrl, article.itemId, { currency: 'EUR', value: article.price });
    // 0.08 + 0.15 + 0.22 EUR.
    expect(tab.spent_minor).toBe(45n);
    await tab.terminate(world.merchant.agentUrl);
    await customer.sendRecord(tab);

    const cleared = await waitFor('the AM to capture', async () => {
      const account = await customer.account();
      return account.tabs[0]?.state === 'cleared' ? account : undefined;
    });
    // 45 cents × 11.3595 = 511.1775 öre → 511 öre: 5.11 SEK charged, the rest of the hold released.
    expect(cleared.tabs[0]!.charged).toEqual({ currency: 'SEK', value: '5.11' });
    expect(cleared.balance).toEqual({ currency: 'SEK', value: '-5.11' });
    expect(cleared.held).toEqual({ currency: 'SEK', value: '0.00' });
    expect(cleared.available).toEqual({ currency: 'SEK', value: '494.89' });
    const merchant = await world.world
      .operator(MERCHANT_OPERATOR)
      .admin.call('getMerchant', undefined, { merchantId: world.merchantId });
    expect(merchant.balance).toEqual({ currency: 'EUR', value: '0.45' });
    const settlement = await world.world
      .operator(CUSTOMER_OPERATOR)
      .admin.call('settlement', undefined, {}, { peer: MERCHANT_OPERATOR });
    expect(settlement.lines.map((line) => line.payable)).toEqual([{ currency: 'EUR', value: '0.45' }]);

    for (const operatorId of [CUSTOMER_OPERATOR, MERCHANT_OPERATOR]) {
      const { ledger } = world.world.operator(operatorId).running.context.storage;
      const violations = describeInvariantViolations(
        await ledger.checkInvariants(),
        await ledger.listHolds({ status: 'pending' }),
      );
      expect(violations).toEqual([]);
    }
  });
});
