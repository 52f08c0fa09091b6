// The cross-party checks on a small world described by hand: consistent, it passes every check;
// each check fails on the one inconsistency it exists to catch.

import { describe, expect, it } from 'vitest';
import type { LockedRate } from '@opentab/protocol';
import { chargeInCustomerCurrency } from '@opentab/protocol';
import type { AuditTab, AuditTransaction } from '@opentab/operator-server';
import type { AgentAuditPurchase, AgentAuditTab } from '@opentab/merchant-agent/audit';
import type { CustomerFacts } from './customers/chaos-customer';
import { crossPartyChecks, type WorldFacts } from './cross-checks';

const RATE: LockedRate = {
  tableId: 'rates-1',
  base: 'EUR',
  customer: { currency: 'SEK', perBase: '11.3595' },
  merchant: { currency: 'EUR', perBase: '1' },
};
const SPENT = 30n;
const CHARGE = chargeInCustomerCurrency(SPENT, RATE, 2000n);

function consistentWorld(): WorldFacts {
  const customer: CustomerFacts = {
    name: 'customer-1',
    accountId: 'acct_1',
    initiations: [
      { id: 'i1', tabPublicKey: 'key-1', outcome: { kind: 'refused', code: 'merchant_unreachable' } },
      { id: 'i2', tabPublicKey: 'key-2', outcome: { kind: 'opened', transactionId: 'op-se.1.2' } },
    ],
    tabs: [
      {
        transactionId: 'op-se.1.2',
        tabId: 'tab_1',
        hold_minor: 2000n,
        rate: RATE,
        recordAcknowledged: true,
        receipts: [
          { purchaseId: 'p1', seq: 1, itemId: 'brief', price_minor: 10n, chainIndex: 2 },
          { purchaseId: 'p2', seq: 2, itemId: 'report', price_minor: 20n, chainIndex: 6 },
        ],
      },
    ],
  };
  const refused: AuditTransaction = {
    transactionId: 'op-se.1.1',
    accountId: 'acct_1',
    merchantId: 'chaos-news',
    merchantOperatorId: 'op-eu',
    state: 'failed',
    hold_minor: 2000n,
    customerCurrency: 'SEK',
    deposit_minor: 176n,
    merchantCurrency: 'EUR',
    rate: RATE,
    tabPublicKey: 'key-1',
    tabId: null,
    openedAt_ms: 0,
    expiresAt_ms: 10_000,
    charged_minor: null,
  };
  const transaction: AuditTransaction = {
    ...refused,
    transactionId: 'op-se.1.2',
    state: 'cleared',
    tabPublicKey: 'key-2',
    tabId: 'tab_1',
    charged_minor: CHARGE,
  };
  const mtaTab: AuditTab = {
    tabId: 'tab_1',
    merchantId: 'chaos-news',
    customerOperatorId: 'op-se',
    transactionId: 'op-se.1.2',
    state: 'cleared',
    deposit_minor: 176n,
    currency: 'EUR',
    openedAt_ms: 0,
    expiresAt_ms: 10_000,
    concludeAfter_ms: 12_000,
    cleared_minor: SPENT,
    outcome: 'agreed',
  };
  const agentTab: AgentAuditTab = {
    tabId: 'tab_1',
    currency: 'EUR',
    deposit_minor: 176n,
    spent_minor: SPENT,
    chainUnit_minor: 5n,
    chainLength: 36,
    chainRoot: 'root',
    lastChainIndex: 6,
    lastChainLink: 'link',
    purchaseCount: 2,
    openedAt_ms: 0,
    expiresAt_ms: 10_000,
    status: 'cleared',
    stopReason: 'customer-terminate',
    stoppedAt_ms: 5_000,
    cleared_minor: SPENT,
    outcome: 'agreed',
  };
  const purchases: AgentAuditPurchase[] = [
    { purchaseId: 'p1', tabId: 'tab_1', seq: 1, itemId: 'brief', price_minor: 10n, chainIndex: 2 },
    { purchaseId: 'p2', tabId: 'tab_1', seq: 2, itemId: 'report', price_minor: 20n, chainIndex: 6 },
  ];
  return {
    customers: [customer],
    am: {
      transactions: [refused, transaction],
      settlement: [{ accountId: 'settlement:op-eu:EUR', peerOperatorId: 'op-eu', currency: 'EUR', balance: SPENT }],
    },
    mta: {
      tabs: [mtaTab],
      settlement: [{ accountId: 'settlement:op-se:EUR', peerOperatorId: 'op-se', currency: 'EUR', balance: -SPENT }],
    },
    agent: { tabs: [agentTab], purchases },
  };
}

function failed(world: WorldFacts): Record<string, readonly string[]> {
  return Object.fromEntries(
    crossPartyChecks(world)
      .filter((result) => result.violations.length > 0)
      .map((result) => [result.name, result.violations]),
  );
}

describe('cross-party checks', () => {
  it('pass on a world where every party agrees', () => {
    expect(failed(consistentWorld())).toEqual({});
  });

  it('one-hold-per-initiation: a re-sent initiation that held a second deposit', () => {
    const world = consistentWorld();
    const orphan = {
      ...world.am.transactions[1]!,
      transactionId: 'op-se.1.3',
      state: 'lapsed',
      tabId: null,
      charged_minor: null,
    };
    const result = failed({ ...world, am: { ...world.am, transactions: [...world.am.transactions, orphan] } });
    expect(result).toEqual({
      'one-hold-per-initiation': [
        "customer-1's initiation i2 held money 2 times: op-se.1.2 (cleared, tab tab_1), op-se.1.3 (lapsed, tab none)",
      ],
    });
  });

  it('one-hold-per-initiation: a refused initiation whose hold stayed until the deadline', () => {
    const world = consistentWorld();
    const lapsed = { ...world.am.transactions[0]!, state: 'lapsed' };
    const result = failed({ ...world, am: { ...world.am, transactions: [lapsed, world.am.transactions[1]!] } });
    expect(result).toEqual({
      'one-hold-per-initiation': [
        "customer-1's initiation i1 was refused (merchant_unreachable), yet held money in op-se.1.1 (lapsed, tab none)",
      ],
    });
  });

  it('merchant-paid-for-receipts: a clearing below the receipts', () => {
    const world = consistentWorld();
    const short = { ...world.mta.tabs[0]!, cleared_minor: 10n, outcome: 'merchant-record-missing' };
    const result = failed({ ...world, mta: { ...world.mta, tabs: [short] } });
    expect(result['merchant-paid-for-receipts']).toEqual([
      "tab tab_1: the merchant's receipts add up to 30 EUR, the MTA credited 10 (merchant-record-missing)",
    ]);
  });

  it('merchant-paid-for-receipts: a receipt the merchant does not have', () => {
    const world = consistentWorld();
    const result = failed({ ...world, agent: { ...world.agent, purchases: world.agent.purchases.slice(0, 1) } });
    expect(result['merchant-paid-for-receipts']).toEqual([expect.stringContaining('holds a receipt for purchase p2')]);
  });

  it('customer-charged-once: a charge that is not the conversion of the credit', () => {
    const world = consistentWorld();
    const overcharged = { ...world.am.transactions[1]!, charged_minor: CHARGE + 1n };
    expect(
      Object.keys(failed({ ...world, am: { ...world.am, transactions: [world.am.transactions[0]!, overcharged] } })),
    ).toEqual(['customer-charged-once']);
  });

  it('customer-charged-once: a transaction that holds another deposit than the customer was told', () => {
    const world = consistentWorld();
    const held = { ...world.am.transactions[1]!, hold_minor: 2100n };
    const result = failed({ ...world, am: { ...world.am, transactions: [world.am.transactions[0]!, held] } });
    expect(result).toEqual({ 'customer-charged-once': [expect.stringContaining('holds 2100 at')] });
  });

  it('parties-agree: a tab the MTA failed that the merchant agent never closed', () => {
    const world = consistentWorld();
    const voided = {
      ...world.mta.tabs[0]!,
      tabId: 'tab_2',
      transactionId: 'op-se.1.3',
      state: 'failed',
      cleared_minor: null,
      outcome: null,
    };
    const stuck = {
      ...world.agent.tabs[0]!,
      tabId: 'tab_2',
      spent_minor: 0n,
      status: 'stopped',
      cleared_minor: null,
      outcome: null,
    };
    const failedTransaction = { ...world.am.transactions[0]!, transactionId: 'op-se.1.3' };
    const result = failed({
      ...world,
      am: { ...world.am, transactions: [...world.am.transactions, failedTransaction] },
      mta: { ...world.mta, tabs: [...world.mta.tabs, voided] },
      agent: { ...world.agent, tabs: [...world.agent.tabs, stuck] },
    });
    expect(result).toEqual({ 'parties-agree': ['tab tab_2 is failed at the MTA but stopped at the merchant agent'] });
  });

  it('settlement-mirror: operators that disagree on what one owes the other', () => {
    const world = consistentWorld();
    const result = failed({
      ...world,
      mta: { ...world.mta, settlement: [{ ...world.mta.settlement[0]!, balance: -SPENT + 1n }] },
    });
    expect(result).toEqual({ 'settlement-mirror': ['op-se owes op-eu 30 EUR, op-eu is owed 29 EUR'] });
  });

  it('customer-records-acknowledged: a record the AM never took', () => {
    const world = consistentWorld();
    world.customers[0]!.tabs[0]!.recordAcknowledged = false;
    expect(Object.keys(failed(world))).toEqual(['customer-records-acknowledged']);
  });
});
