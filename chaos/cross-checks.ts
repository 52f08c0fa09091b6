// Invariants no single party can check alone, over what the customers hold and what the three
// stores say once the world is quiet: each initiation held money at most once; every receipt a
// customer holds is a purchase the merchant was credited for, and the merchant was credited
// exactly what its receipts add up to; each customer was charged once, the locked-rate conversion
// of that credit; the parties agree on every tab; and the operators' settlement accounts mirror
// each other.

import { check, type CheckResult } from '@opentab/server-kit';
import { canonicalJson } from '@opentab/protocol';
import { chargeInCustomerCurrency } from '@opentab/protocol';
import type { AuditTab, AuditTransaction, SettlementBalance } from '@opentab/operator-server';
import type { AgentAuditPurchase, AgentAuditTab } from '@opentab/merchant-agent/audit';
import type { CustomerFacts } from './customers/chaos-customer';
import { CUSTOMER_OPERATOR, MERCHANT_OPERATOR } from './world/topology';

export interface WorldFacts {
  readonly customers: readonly CustomerFacts[];
  /** The customers' AM (op-se). */
  readonly am: {
    readonly transactions: readonly AuditTransaction[];
    readonly settlement: readonly SettlementBalance[];
  };
  /** The merchant's MTA (op-eu). */
  readonly mta: { readonly tabs: readonly AuditTab[]; readonly settlement: readonly SettlementBalance[] };
  readonly agent: { readonly tabs: readonly AgentAuditTab[]; readonly purchases: readonly AgentAuditPurchase[] };
}

export function crossPartyChecks(world: WorldFacts): CheckResult[] {
  const index = indexWorld(world);
  return [
    oneHoldPerInitiation(world, index),
    merchantPaidForReceipts(world, index),
    customerChargedOnce(world, index),
    partiesAgree(world, index),
    settlementMirrors(world),
    customerRecordsAcknowledged(world),
  ];
}

interface WorldIndex {
  readonly transactions: ReadonlyMap<string, AuditTransaction>;
  readonly mtaTabs: ReadonlyMap<string, AuditTab>;
  readonly mtaTabsByTransaction: ReadonlyMap<string, AuditTab>;
  readonly agentTabs: ReadonlyMap<string, AgentAuditTab>;
  readonly agentPurchases: ReadonlyMap<string, AgentAuditPurchase>;
}

function indexWorld(world: WorldFacts): WorldIndex {
  return {
    transactions: new Map(world.am.transactions.map((t) => [t.transactionId, t])),
    mtaTabs: new Map(world.mta.tabs.map((t) => [t.tabId, t])),
    mtaTabsByTransaction: new Map(
      world.mta.tabs
        .filter((t) => t.customerOperatorId === CUSTOMER_OPERATOR.operatorId)
        .map((t) => [t.transactionId, t]),
    ),
    agentTabs: new Map(world.agent.tabs.map((t) => [t.tabId, t])),
    agentPurchases: new Map(world.agent.purchases.map((p) => [p.purchaseId, p])),
  };
}

/**
 * An initiation holds the deposit at most once, and only for the answer the customer got: the
 * transaction it was told of when the tab opened, none when it was refused. The AM keeps each
 * initiation's tab key on its transactions, which tells one initiation's transactions apart.
 */
function oneHoldPerInitiation(world: WorldFacts, index: WorldIndex): CheckResult {
  const byTabKey = new Map<string, AuditTransaction[]>();
  for (const transaction of world.am.transactions)
    byTabKey.set(transaction.tabPublicKey, [...(byTabKey.get(transaction.tabPublicKey) ?? []), transaction]);
  const describe = (transactions: readonly AuditTransaction[]) =>
    transactions.map((t) => `${t.transactionId} (${t.state}, tab ${t.tabId ?? 'none'})`).join(', ');
  const violations: string[] = [];
  for (const customer of world.customers) {
    for (const initiation of customer.initiations) {
      const holding = (byTabKey.get(initiation.tabPublicKey) ?? []).filter((t) => t.state !== 'failed');
      const what = `${customer.name}'s initiation ${initiation.id}`;
      const outcome = initiation.outcome;
      if (outcome.kind === 'refused' && holding.length > 0)
        violations.push(`${what} was refused (${outcome.code}), yet held money in ${describe(holding)}`);
      if (outcome.kind !== 'refused' && holding.length > 1)
        violations.push(`${what} held money ${holding.length} times: ${describe(holding)}`);
      if (outcome.kind === 'opened' && !index.transactions.has(outcome.transactionId))
        violations.push(`${what} opened transaction ${outcome.transactionId}, which the AM does not have`);
    }
  }
  return check('one-hold-per-initiation', violations);
}

/** The merchant credit per tab is the sum of the merchant's receipts, and every receipt a customer holds is
 * one of them. */
function merchantPaidForReceipts(world: WorldFacts, index: WorldIndex): CheckResult {
  const violations: string[] = [];
  for (const customer of world.customers) {
    for (const tab of customer.tabs) {
      for (const receipt of tab.receipts) {
        const purchase = index.agentPurchases.get(receipt.purchaseId);
        if (
          purchase === undefined ||
          purchase.tabId !== tab.tabId ||
          purchase.seq !== receipt.seq ||
          purchase.price_minor !== receipt.price_minor
        ) {
          violations.push(
            `${customer.name} holds a receipt for purchase ${receipt.purchaseId} (seq ${receipt.seq}, ${receipt.price_minor}) of tab ${tab.tabId} that the merchant's store does not have as such`,
          );
        }
      }
      if (!index.agentTabs.has(tab.tabId))
        violations.push(`${customer.name}'s tab ${tab.tabId} is unknown to the merchant agent`);
    }
  }
  for (const agentTab of world.agent.tabs) {
    const mtaTab = index.mtaTabs.get(agentTab.tabId);
    const credited = mtaTab?.state === 'cleared' ? (mtaTab.cleared_minor ?? 0n) : null;
    if (
      credited !== agentTab.spent_minor &&
      !(credited === null && agentTab.spent_minor === 0n && mtaTab?.state === 'failed')
    ) {
      violations.push(
        `tab ${agentTab.tabId}: the merchant's receipts add up to ${agentTab.spent_minor} ${agentTab.currency}, the MTA ${credited === null ? `has it ${mtaTab?.state ?? 'not at all'}` : `credited ${credited} (${mtaTab?.outcome ?? '?'})`}`,
      );
    }
  }
  return check('merchant-paid-for-receipts', violations);
}

/**
 * Each tab's customer is charged once: round-half-even(credit ÷ locked rate), capped at the hold,
 * with the hold and rate the customer was told; a transaction nobody could buy on charges nothing.
 */
function customerChargedOnce(world: WorldFacts, index: WorldIndex): CheckResult {
  const violations: string[] = [];
  for (const customer of world.customers) {
    for (const tab of customer.tabs) {
      const transaction = index.transactions.get(tab.transactionId);
      if (transaction === undefined) continue;
      if (transaction.hold_minor !== tab.hold_minor || canonicalJson(transaction.rate) !== canonicalJson(tab.rate)) {
        violations.push(
          `transaction ${tab.transactionId} holds ${transaction.hold_minor} at ${canonicalJson(transaction.rate)}; ${customer.name} was told ${tab.hold_minor} at ${canonicalJson(tab.rate)}`,
        );
      }
    }
  }
  for (const transaction of world.am.transactions) {
    const mtaTab = index.mtaTabsByTransaction.get(transaction.transactionId);
    const credited = mtaTab?.state === 'cleared' ? (mtaTab.cleared_minor ?? 0n) : 0n;
    const expected = chargeInCustomerCurrency(credited, transaction.rate, transaction.hold_minor);
    const charged = transaction.state === 'cleared' ? (transaction.charged_minor ?? 0n) : 0n;
    if (charged !== expected) {
      violations.push(
        `transaction ${transaction.transactionId} (${transaction.state}) charged ${charged} ${transaction.customerCurrency}; the MTA credited ${credited} ${transaction.merchantCurrency} for tab ${mtaTab?.tabId ?? 'none'}, which makes ${expected}`,
      );
    }
  }
  return check('customer-charged-once', violations);
}

/** AM, MTA and merchant agent know the same tabs, and their final states fit together. */
function partiesAgree(world: WorldFacts, index: WorldIndex): CheckResult {
  const violations: string[] = [];
  for (const tab of world.mta.tabs) {
    const transaction = index.transactions.get(tab.transactionId);
    if (transaction === undefined) {
      violations.push(`the MTA's tab ${tab.tabId} names transaction ${tab.transactionId}, which the AM does not have`);
      continue;
    }
    if (transaction.deposit_minor !== tab.deposit_minor)
      violations.push(
        `tab ${tab.tabId}: the MTA's deposit ${tab.deposit_minor} is not the AM's ${transaction.deposit_minor}`,
      );
    if (transaction.tabId !== null && transaction.tabId !== tab.tabId)
      violations.push(
        `transaction ${transaction.transactionId} opened tab ${transaction.tabId}, yet the MTA also has tab ${tab.tabId} for it`,
      );
    if (tab.state === 'cleared' && transaction.state !== 'cleared' && transaction.state !== 'failed') {
      violations.push(
        `tab ${tab.tabId} is cleared at the MTA, its transaction ${transaction.transactionId} is still ${transaction.state} at the AM`,
      );
    }
    const agentTab = index.agentTabs.get(tab.tabId);
    if (agentTab === undefined && tab.state !== 'failed')
      violations.push(`the MTA's ${tab.state} tab ${tab.tabId} is unknown to the merchant agent`);
    if (agentTab !== undefined && agentTab.status !== 'cleared')
      violations.push(`tab ${tab.tabId} is ${tab.state} at the MTA but ${agentTab.status} at the merchant agent`);
  }
  for (const transaction of world.am.transactions) {
    if (transaction.tabId !== null && !index.mtaTabs.has(transaction.tabId))
      violations.push(
        `transaction ${transaction.transactionId} opened tab ${transaction.tabId}, which the MTA does not have`,
      );
  }
  for (const agentTab of world.agent.tabs)
    if (!index.mtaTabs.has(agentTab.tabId))
      violations.push(`the merchant agent's tab ${agentTab.tabId} is unknown to the MTA`);
  return check('parties-agree', violations);
}

/** What one operator owes the other is what the other says it is owed: the settlement accounts sum to zero
 * per currency. */
function settlementMirrors(world: WorldFacts): CheckResult {
  const totals = new Map<string, { am: bigint; mta: bigint }>();
  const add = (balances: readonly SettlementBalance[], peer: string, side: 'am' | 'mta') => {
    for (const balance of balances) {
      if (balance.peerOperatorId !== peer) continue;
      const total = totals.get(balance.currency) ?? { am: 0n, mta: 0n };
      total[side] += balance.balance;
      totals.set(balance.currency, total);
    }
  };
  add(world.am.settlement, MERCHANT_OPERATOR.operatorId, 'am');
  add(world.mta.settlement, CUSTOMER_OPERATOR.operatorId, 'mta');
  return check(
    'settlement-mirror',
    [...totals.entries()]
      .filter(([, total]) => total.am + total.mta !== 0n)
      .map(
        ([currency, total]) =>
          `${CUSTOMER_OPERATOR.operatorId} owes ${MERCHANT_OPERATOR.operatorId} ${total.am} ${currency}, ${MERCHANT_OPERATOR.operatorId} is owed ${-total.mta} ${currency}`,
      ),
  );
}

function customerRecordsAcknowledged(world: WorldFacts): CheckResult {
  return check(
    'customer-records-acknowledged',
    world.customers.flatMap((customer) =>
      customer.tabs
        .filter((tab) => !tab.recordAcknowledged)
        .map((tab) => `${customer.name}'s record of tab ${tab.tabId} was never acknowledged by its AM`),
    ),
  );
}
