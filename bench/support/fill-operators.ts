// Fills both operators' stores with finished history before their servers start: at the
// customer's operator one account per tab (customer row, ledger account, session, transaction,
// captured hold, charge entry, delivered billing record, message receipts); at the merchant's
// operator the matching tab (both records, credit entry, delivered outbox rows, receipts).
// Everything goes through the store and ledger APIs in one SQLite transaction per operator,
// except the message receipts and the outbox's delivered marks, which have no insert API.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { nodeCrypto } from '@opentab/server-kit';
import { newMessageId, makeTransactionId } from '@opentab/protocol';
import { moneyToWire } from '@opentab/protocol';
import { Ledger, openDatabase } from '@opentab/operator-server/store';
import { ledgerAccount } from '@opentab/operator-server/store';
import { Outbox } from '@opentab/operator-server/store';
import { OperatorStore } from '@opentab/operator-server/store';
import type { BenchLayout, BenchOperator } from './bench-world';
import { ARTICLE_PRICE } from './catalogue';
import {
  HISTORY_CHAIN_LENGTH,
  HISTORY_CHAIN_UNIT,
  HISTORY_CHARGE_MINOR,
  HISTORY_DEPOSIT_MINOR,
  HISTORY_HOLD_MINOR,
  HISTORY_RATE,
  HISTORY_SPENT_MINOR,
  type HistoricTab,
} from './history';

const DAY_MS = 24 * 3600 * 1000;
const CREDIT_LIMIT_MINOR = 50_000n;
/** The size of a typical stored answer (a signed envelope with an operator certificate inside). */
const RECEIPT_RESPONSE = JSON.stringify({ payload: { padding: 'x'.repeat(1_400) } });

interface OpenedStore {
  readonly db: Database.Database;
  readonly ledger: Ledger;
  readonly store: OperatorStore;
  readonly outbox: Outbox;
  readonly insertReceipt: Database.Statement<[string, string, string, number, string, number]>;
}

function openStore(operator: BenchOperator): OpenedStore {
  mkdirSync(dirname(operator.databasePath), { recursive: true });
  const db = openDatabase(operator.databasePath);
  const ledger = new Ledger(db);
  const store = new OperatorStore(db, operator.operatorId);
  return {
    db,
    ledger,
    store,
    outbox: new Outbox(db),
    insertReceipt: db.prepare(
      'INSERT INTO message_receipts (message_id, route, body_digest, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
  };
}

function receipts(opened: OpenedStore, routes: readonly string[], at_ms: number): void {
  for (const route of routes)
    opened.insertReceipt.run(newMessageId(nodeCrypto), route, 'x'.repeat(86), 200, RECEIPT_RESPONSE, at_ms);
}

function markOutboxDelivered(opened: OpenedStore, at_ms: number): void {
  opened.db.prepare('UPDATE outbox SET delivered_at = ?, attempts = 1 WHERE delivered_at IS NULL').run(at_ms);
}

function fillCustomerSide(opened: OpenedStore, layout: BenchLayout, tab: HistoricTab, at_ms: number): void {
  const { store, ledger, outbox } = opened;
  const merchantOperatorId = layout.merchantOperator.operatorId;
  const customer = ledgerAccount.customer(tab.accountId);
  store.insertCustomer(tab.accountId, 'SEK', `Customer ${tab.index}`, at_ms);
  store.bindCustomerKey(tab.accountId, tab.customerKey);
  ledger.createAccount({ id: customer, currency: 'SEK', kind: 'customer', minBalance: -CREDIT_LIMIT_MINOR });
  const session = store.insertSession(tab.accountId, at_ms, at_ms + DAY_MS);
  const transactionId = makeTransactionId(session.sessionId, store.nextTransactionSeq(session.seq));
  ledger.placeHold({
    id: `hold:${transactionId}`,
    accountId: customer,
    amount: HISTORY_HOLD_MINOR,
    ref: transactionId,
    currency: 'SEK',
  });
  store.insertTransaction({
    transactionId,
    sessionId: session.sessionId,
    accountId: tab.accountId,
    merchantId: layout.merchant.merchantId,
    merchantOperatorId,
    hold_minor: HISTORY_HOLD_MINOR,
    customerCurrency: 'SEK',
    deposit_minor: HISTORY_DEPOSIT_MINOR,
    merchantCurrency: 'EUR',
    rate: HISTORY_RATE,
    tabPublicKey: tab.tabPublicKey,
    chain: { root: tab.chainRoot, unit: HISTORY_CHAIN_UNIT, length: HISTORY_CHAIN_LENGTH },
    pseudonym: tab.pseudonym,
    openedAt: at_ms,
    expiresAt: at_ms + 600_000,
    initiationId: newMessageId(nodeCrypto),
    chainRoot: tab.chainRoot,
    amendedInitiation: tab.amendedInitiation(transactionId),
  });
  store.markTransactionOpen(transactionId, tab.tabAck(transactionId), 'Bench News');
  store.setTransactionCustomerRecord(transactionId, tab.customerRecord(transactionId));
  store.markTransactionCleared(transactionId, HISTORY_CHARGE_MINOR, 'agreed', at_ms, HISTORY_SPENT_MINOR, 0, null);
  ledger.captureHold({
    holdId: `hold:${transactionId}`,
    amount: HISTORY_CHARGE_MINOR,
    entryId: `charge:${transactionId}`,
    memo: `tab ${tab.tabId} at Bench News`,
    postings: [
      { accountId: customer, amount: -HISTORY_CHARGE_MINOR },
      { accountId: ledgerAccount.fx('SEK'), amount: HISTORY_CHARGE_MINOR },
      { accountId: ledgerAccount.fx('EUR'), amount: -HISTORY_SPENT_MINOR },
      { accountId: ledgerAccount.settlement(merchantOperatorId, 'EUR'), amount: HISTORY_SPENT_MINOR },
    ],
  });
  const recordId = `withdrawal:${layout.customerOperator.operatorId}:${transactionId}`;
  outbox.enqueue(
    recordId,
    { kind: 'billing', sinkIndex: 0 },
    {
      recordType: 'withdrawal',
      recordId,
      transactionId,
      tabId: tab.tabId,
      amount: moneyToWire({ currency: 'SEK', minor: HISTORY_CHARGE_MINOR }),
      rate: HISTORY_RATE,
    },
    at_ms,
  );
  receipts(opened, ['logon', 'openTab', 'customerRecord', 'peerClearing'], at_ms);
}

function fillMerchantSide(opened: OpenedStore, layout: BenchLayout, tab: HistoricTab, at_ms: number): void {
  const { store, ledger, outbox } = opened;
  const customerOperatorId = layout.customerOperator.operatorId;
  const transactionId = makeTransactionId(`${customerOperatorId}.${tab.index + 1}`, 1);
  store.insertTab({
    tabId: tab.tabId,
    merchantId: layout.merchant.merchantId,
    customerOperatorId,
    transactionId,
    pseudonym: tab.pseudonym,
    tabPublicKey: tab.tabPublicKey,
    deposit_minor: HISTORY_DEPOSIT_MINOR,
    currency: 'EUR',
    chain: { root: tab.chainRoot, unit: HISTORY_CHAIN_UNIT, length: HISTORY_CHAIN_LENGTH },
    openedAt: at_ms,
    expiresAt: at_ms + 600_000,
    concludeAfter: at_ms + 630_000,
  });
  store.markTabOpen(tab.tabId);
  store.setTabCustomerRecord(tab.tabId, tab.customerRecord(transactionId));
  store.setTabMerchantRecord(tab.tabId, tab.merchantRecord, at_ms);
  store.markTabCleared(tab.tabId, HISTORY_SPENT_MINOR, 'agreed', at_ms);
  ledger.postEntry({
    id: `credit:${tab.tabId}`,
    memo: `tab ${tab.tabId} cleared (agreed)`,
    ref: tab.tabId,
    postings: [
      { accountId: ledgerAccount.settlement(customerOperatorId, 'EUR'), amount: -HISTORY_SPENT_MINOR },
      { accountId: ledgerAccount.merchant(layout.merchant.merchantId), amount: HISTORY_SPENT_MINOR },
    ],
  });
  const cleared = ARTICLE_PRICE;
  outbox.enqueue(
    `clearing:${tab.tabId}`,
    { kind: 'peer-clearing', operatorId: customerOperatorId },
    { type: 'clearing', transactionId, tabId: tab.tabId, cleared, outcome: 'agreed', note: 'agreed' },
    at_ms,
  );
  outbox.enqueue(
    `tab-cleared:${tab.tabId}`,
    { kind: 'merchant-notice', merchantId: layout.merchant.merchantId },
    { type: 'tab-cleared', tabId: tab.tabId, cleared, outcome: 'agreed' },
    at_ms,
  );
  const recordId = `deposit:${layout.merchantOperator.operatorId}:${tab.tabId}`;
  outbox.enqueue(
    recordId,
    { kind: 'billing', sinkIndex: 0 },
    { recordType: 'deposit', recordId, tabId: tab.tabId, amount: cleared, outcome: 'agreed' },
    at_ms,
  );
  receipts(opened, ['peerInitiation', 'peerCustomerRecord', 'merchantRecord'], at_ms);
}

/** `tabs` finished tabs, each of its own customer account, at both operators. */
export function fillOperatorStores(layout: BenchLayout, tabs: readonly HistoricTab[], at_ms: number): void {
  const customerSide = openStore(layout.customerOperator);
  const merchantSide = openStore(layout.merchantOperator);
  try {
    customerSide.db.transaction(() => {
      customerSide.ledger.createAccount({ id: ledgerAccount.fx('SEK'), currency: 'SEK', kind: 'fx', minBalance: null });
      customerSide.ledger.createAccount({ id: ledgerAccount.fx('EUR'), currency: 'EUR', kind: 'fx', minBalance: null });
      customerSide.ledger.createAccount({
        id: ledgerAccount.settlement(layout.merchantOperator.operatorId, 'EUR'),
        currency: 'EUR',
        kind: 'settlement',
        minBalance: null,
      });
      for (const tab of tabs) fillCustomerSide(customerSide, layout, tab, at_ms);
      markOutboxDelivered(customerSide, at_ms);
    })();
    merchantSide.db.transaction(() => {
      const { merchant } = layout;
      merchantSide.store.upsertMerchant({
        merchantId: merchant.merchantId,
        displayName: 'Bench News',
        currency: merchant.currency,
        origins: [merchant.origin],
        agentUrl: merchant.agentUrl,
        publicKey: merchant.publicKey,
        createdAt: at_ms,
      });
      merchantSide.ledger.createAccount({
        id: ledgerAccount.merchant(merchant.merchantId),
        currency: merchant.currency,
        kind: 'merchant',
        minBalance: 0n,
      });
      merchantSide.ledger.createAccount({
        id: ledgerAccount.settlement(layout.customerOperator.operatorId, 'EUR'),
        currency: 'EUR',
        kind: 'settlement',
        minBalance: null,
      });
      for (const tab of tabs) fillMerchantSide(merchantSide, layout, tab, at_ms);
      markOutboxDelivered(merchantSide, at_ms);
    })();
  } finally {
    customerSide.db.close();
    merchantSide.db.close();
  }
}
