import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { describeInvariantViolations, ledgerAccount, PostgresOperatorStorage } from '@opentab/operator-server/store';
import { createTestDatabase } from '@opentab/test-kit/postgres';
import { fillOperatorPostgresStores, type HistoryLayout } from './fill-operators-postgres';
import {
  HISTORY_CHARGE_MINOR,
  HISTORY_DEPOSIT_MINOR,
  HISTORY_HOLD_MINOR,
  HISTORY_RATE,
  HISTORY_SPENT_MINOR,
  historicTab,
} from './history';

const LAYOUT: HistoryLayout = {
  customerOperator: { operatorId: 'op-se' },
  merchantOperator: { operatorId: 'op-eu' },
  merchant: {
    merchantId: 'bench-news',
    currency: 'EUR',
    origin: 'http://127.0.0.1:1',
    agentUrl: 'http://127.0.0.1:1/opentab',
    publicKey: 'k'.repeat(43),
  },
};
const TABS = 5;
const AT_MS = Date.UTC(2026, 0, 1);

const pools: pg.Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.end()));
});

function storageOn(url: string, operatorId: string): PostgresOperatorStorage {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pools.push(pool);
  return new PostgresOperatorStorage({ pool, operatorId, clock: { now_ms: () => AT_MS + 1_000 } });
}

async function counts(url: string, tables: readonly string[]): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result: Record<string, number> = {};
    for (const table of tables)
      result[table] = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
    return result;
  } finally {
    await client.end();
  }
}

async function fill(): Promise<{ customerOperatorUrl: string; merchantOperatorUrl: string }> {
  const stores = { customerOperatorUrl: await createTestDatabase(), merchantOperatorUrl: await createTestDatabase() };
  // Two tabs a transaction: five tabs take three batches, so the batches' seams are covered too.
  await fillOperatorPostgresStores(LAYOUT, stores, TABS, AT_MS, { tabsPerTransaction: 2 });
  return stores;
}

describe('fillOperatorPostgresStores', () => {
  it('writes every row a finished tab leaves at each operator, one set per tab', async () => {
    const stores = await fill();
    expect(
      await counts(stores.customerOperatorUrl, [
        'customers',
        'sessions',
        'transactions',
        'ledger_accounts',
        'ledger_holds',
        'ledger_entries',
        'ledger_postings',
        'outbox',
        'message_receipts',
      ]),
    ).toEqual({
      customers: TABS,
      sessions: TABS,
      transactions: TABS,
      // Each customer's, and the fx accounts in SEK and EUR and what is owed to op-eu.
      ledger_accounts: TABS + 3,
      ledger_holds: TABS,
      ledger_entries: TABS,
      ledger_postings: TABS * 4,
      outbox: TABS,
      message_receipts: TABS * 4,
    });
    expect(
      await counts(stores.merchantOperatorUrl, [
        'merchants',
        'tabs',
        'ledger_accounts',
        'ledger_entries',
        'ledger_postings',
        'outbox',
        'message_receipts',
      ]),
    ).toEqual({
      merchants: 1,
      tabs: TABS,
      ledger_accounts: 2,
      ledger_entries: TABS,
      ledger_postings: TABS * 2,
      outbox: TABS * 3,
      message_receipts: TABS * 3,
    });
  });

  it('leaves both ledgers balanced, every hold captured and every balance its postings', async () => {
    const stores = await fill();
    for (const [url, operatorId] of [
      [stores.customerOperatorUrl, 'op-se'],
      [stores.merchantOperatorUrl, 'op-eu'],
    ] as const) {
      const { ledger } = storageOn(url, operatorId);
      const report = await ledger.checkInvariants();
      expect(describeInvariantViolations(report, await ledger.listHolds({ status: 'pending' }))).toEqual([]);
      // Not balanced by being empty: the history moved money in both currencies.
      expect(Object.keys(report.sumsByCurrency).sort()).toEqual(
        url === stores.customerOperatorUrl ? ['EUR', 'SEK'] : ['EUR'],
      );
    }
    const customerSide = storageOn(stores.customerOperatorUrl, 'op-se');
    const merchantSide = storageOn(stores.merchantOperatorUrl, 'op-eu');
    expect((await customerSide.ledger.getAccount(ledgerAccount.fx('SEK'))).balance).toBe(
      HISTORY_CHARGE_MINOR * BigInt(TABS),
    );
    expect(
      (await customerSide.ledger.getAccount(ledgerAccount.customer(historicTab(3, AT_MS).accountId))).balance,
    ).toBe(-HISTORY_CHARGE_MINOR);
    expect((await merchantSide.ledger.getAccount(ledgerAccount.merchant('bench-news'))).balance).toBe(
      HISTORY_SPENT_MINOR * BigInt(TABS),
    );
  });

  it('writes what the operator reads back as cleared tabs, with ids and keys that agree at both operators', async () => {
    const stores = await fill();
    const customerSide = storageOn(stores.customerOperatorUrl, 'op-se');
    const merchantSide = storageOn(stores.merchantOperatorUrl, 'op-eu');
    const last = historicTab(TABS - 1, AT_MS);
    const transactionId = `op-se.${TABS}.1`;
    const transaction = await customerSide.transactions.transaction(transactionId);
    const tab = await merchantSide.tabs.tab(last.tabId);
    expect(transaction).toMatchObject({
      transactionId,
      accountId: last.accountId,
      tabId: last.tabId,
      state: 'cleared',
      hold_minor: HISTORY_HOLD_MINOR,
      rate: HISTORY_RATE,
    });
    expect(tab).toMatchObject({
      tabId: last.tabId,
      transactionId,
      state: 'cleared',
      deposit_minor: HISTORY_DEPOSIT_MINOR,
      cleared_minor: HISTORY_SPENT_MINOR,
    });
    expect(tab!.tabPublicKey).toBe(transaction!.tabPublicKey);
    expect(tab!.chain.root).toBe(transaction!.chainRoot);
    expect(tab!.customerRecord?.payload).toMatchObject({ transactionId, tabId: last.tabId });
    expect(tab!.merchantRecord?.payload).toMatchObject({ tabId: last.tabId });
    const hold = await customerSide.ledger.getHold(`hold:${transactionId}`);
    expect(hold).toMatchObject({ status: 'captured', capturedAmount: HISTORY_CHARGE_MINOR, ref: transactionId });
  });

  it('leaves the sequences after the filled rows, so a live session and entry get fresh numbers', async () => {
    const stores = await fill();
    const customerSide = storageOn(stores.customerOperatorUrl, 'op-se');
    const session = await customerSide.customers.insertSession(historicTab(0, AT_MS).accountId, AT_MS, AT_MS + 60_000);
    expect(session.seq).toBe(TABS + 1);
    // Its seq would be 1, taken by the first tab's charge, had the fill not moved the sequence on.
    const entry = await customerSide.ledger.postEntry({
      id: 'live-entry',
      memo: 'a live entry after the history',
      postings: [
        { accountId: ledgerAccount.fx('EUR'), amount: -1n },
        { accountId: ledgerAccount.settlement('op-eu', 'EUR'), amount: 1n },
      ],
    });
    expect(entry.id).toBe('live-entry');
  });
});
