// Fills both operators' PostgreSQL stores with the finished history fill-operators.ts writes into
// their SQLite files, tab for tab: at the customer's operator per tab a customer (with its key), a
// ledger account, a session, a cleared transaction, a captured hold, the charge entry with its four
// postings, a delivered billing record and four stored answers; at the merchant's operator the tab
// with both records, the credit entry with its two postings, three delivered outbox rows and three
// stored answers. Written by set-based INSERT … SELECT over generate_series, a batch of tabs per
// transaction, so a million tabs take minutes rather than hours. The store's own migrations make
// the tables first, and its API writes the few rows every tab shares (the merchant, the operators'
// own accounts). Every column this file writes is named here and nowhere else in the benchmark:
// when a migration adds a NOT NULL column without a default, this is the one file to change.

import pg from 'pg';
import { ledgerAccount, PostgresOperatorStorage } from '@opentab/operator-server/store';
import type { BenchMerchant } from './bench-world';
import { ARTICLE_PRICE } from './catalogue';
import {
  HISTORY_CHAIN_LENGTH,
  HISTORY_CHAIN_UNIT,
  HISTORY_CHARGE_MINOR,
  HISTORY_DEPOSIT_MINOR,
  HISTORY_HOLD_MINOR,
  HISTORY_RATE,
  HISTORY_SPENT_MINOR,
  historicTab,
} from './history';

/** What the history names of the world it is filled for. */
export interface HistoryLayout {
  readonly customerOperator: { readonly operatorId: string };
  readonly merchantOperator: { readonly operatorId: string };
  readonly merchant: Pick<BenchMerchant, 'merchantId' | 'currency' | 'origin' | 'agentUrl' | 'publicKey'>;
}

export interface OperatorPostgresStores {
  readonly customerOperatorUrl: string;
  readonly merchantOperatorUrl: string;
}

const DAY_MS = 24 * 3600 * 1000;
const CREDIT_LIMIT_MINOR = 50_000n;
/** Tabs per transaction: one statement per million rows would hold its whole WAL at once. */
const DEFAULT_BATCH = 25_000;
/** The size of a typical stored answer (a signed envelope with an operator certificate inside). */
const RECEIPT_RESPONSE = JSON.stringify({ payload: { padding: 'x'.repeat(1_400) } });
const CUSTOMER_SIDE_ROUTES = ['logon', 'openTab', 'customerRecord', 'peerClearing'];
const MERCHANT_SIDE_ROUTES = ['peerInitiation', 'peerCustomerRecord', 'merchantRecord'];

// Placeholders in the JSON templates, replaced per row in SQL.
const TX = '@TX@';
const TAB = '@TAB@';
const ROOT = '@ROOT@';

// ---------------------------------------------------------------------------------------------
// Per-row values, as SQL over g = 1 … n (the historic tab of index g - 1, as history.ts numbers
// them, so the ids have the same shape and never meet the random ones of live tabs).

const counterHex = "'a' || lpad(to_hex(g - 1), 23, '0')";
const accountId = `'acct_' || ${counterHex}`;
const tabId = `'tab_' || ${counterHex}`;
const pseudonym = `'psn_' || ${counterHex}`;
/** 32 bytes in base64url (43 characters), derived from `seed`: the same key at both operators. */
const key32 = (seed: string) =>
  `rtrim(translate(encode(decode(md5('${seed}' || g) || md5('${seed}+' || g), 'hex'), 'base64'), '+/', '-_'), '=')`;
const tabPublicKey = key32('tab-key');
const chainRoot = key32('chain-root');
/** A message id: 32 hex digits, as newMessageId makes them. */
const messageId = (seed: string) => `md5('${seed}' || g)`;
/** The customer operator's session g and its one transaction: ids as makeSessionId/makeTransactionId make them. */
const transactionId = ":customerOperatorId::text || '.' || g || '.1'";
const fillIn = (template: string) =>
  `replace(replace(replace(${template}, '${TX}', ${transactionId}), '${TAB}', ${tabId}), '${ROOT}', ${chainRoot})`;
const overBatch = 'FROM generate_series(:first::bigint, :last::bigint) AS g';

// Statements name their parameters (:name); every batch gives :first and :last (of g),
// :customerOperatorId and :at (ms), and each side the values it lists in `values`.

const CUSTOMER_SIDE_STATEMENTS = [
  `INSERT INTO customers (account_id, currency, display_name, public_key, created_at, status)
   SELECT ${accountId}, 'SEK', 'Customer ' || (g - 1), ${key32('customer-key')}, :at::bigint, 'active' ${overBatch}`,
  `INSERT INTO ledger_accounts (id, currency, kind, min_balance, balance, held, created_at)
   SELECT :customerAccountPrefix::text || ${accountId}, 'SEK', 'customer', :creditFloor::bigint, -:charge::bigint, 0, :at::bigint ${overBatch}`,
  `INSERT INTO sessions (seq, account_id, created_at, expires_at, transactions)
   SELECT g, ${accountId}, :at::bigint, :at::bigint + ${DAY_MS}, 1 ${overBatch}`,
  `INSERT INTO transactions (transaction_id, session_id, account_id, merchant_id, merchant_operator_id, state,
     hold_minor, customer_currency, deposit_minor, merchant_currency, rate, tab_public_key, chain, pseudonym, tab_id,
     merchant_display_name, opened_at, expires_at, charged_minor, cleared_at, clearing_outcome, customer_record,
     initiation_id, chain_root, amended_initiation, tab_ack, cleared_minor, clearing_revision, clearing_note)
   SELECT ${transactionId}, :customerOperatorId::text || '.' || g, ${accountId}, :merchantId, :merchantOperatorId, 'cleared',
     :hold::bigint, 'SEK', :deposit::bigint, 'EUR', :rate, ${tabPublicKey}, ${fillIn(':chain')}, ${pseudonym}, ${tabId},
     'Bench News', :at::bigint, :at::bigint + 600000, :charge::bigint, :at::bigint, 'agreed', ${fillIn(':customerRecord')},
     ${messageId('initiation')}, ${chainRoot}, ${fillIn(':amendedInitiation')}, ${fillIn(':tabAck')}, :spent::bigint, 0, NULL ${overBatch}`,
  `INSERT INTO ledger_holds (id, account_id, amount, ref, status, captured_amount, capture_entry_id, created_at, ended_at)
   SELECT 'hold:' || ${transactionId}, :customerAccountPrefix::text || ${accountId}, :hold::bigint, ${transactionId}, 'captured',
     :charge::bigint, 'charge:' || ${transactionId}, :at::bigint, :at::bigint ${overBatch}`,
  `INSERT INTO ledger_entries (seq, id, memo, ref, created_at)
   SELECT g, 'charge:' || ${transactionId}, 'tab ' || ${tabId} || ' at Bench News', ${transactionId}, :at::bigint ${overBatch}`,
  // The capture's postings in the order the AM gives them: customer, fx in, fx out, the peer.
  `INSERT INTO ledger_postings (entry_seq, position, account_id, amount, created_at)
   SELECT g, p.position, COALESCE(p.account_id, :customerAccountPrefix::text || ${accountId}), p.amount, :at::bigint
   ${overBatch}, (VALUES (0, NULL, -:charge::bigint), (1, :fxSek::text, :charge::bigint), (2, :fxEur::text, -:spent::bigint), (3, :owedToMerchantOperator::text, :spent::bigint))
     AS p (position, account_id, amount)`,
  `INSERT INTO outbox (record_id, destination, payload, created_at, attempts, next_attempt_at, delivered_at)
   SELECT 'withdrawal:' || :customerOperatorId || ':' || ${transactionId}, 'billing:0', ${fillIn(':withdrawal')}, :at::bigint, 1, :at::bigint, :at::bigint ${overBatch}`,
  `INSERT INTO message_receipts (message_id, route, body_digest, status, response, created_at)
   SELECT ${messageId("receipt' || r.route || '")}, r.route, repeat('x', 86), 200, :receiptResponse, :at::bigint
   ${overBatch}, unnest(:routes::text[]) AS r (route)`,
];

const MERCHANT_SIDE_STATEMENTS = [
  `INSERT INTO tabs (tab_id, merchant_id, customer_operator_id, transaction_id, state, pseudonym, tab_public_key,
     deposit_minor, currency, chain, opened_at, expires_at, conclude_after, customer_record, merchant_record,
     cleared_minor, outcome, cleared_at, chain_root)
   SELECT ${tabId}, :merchantId, :customerOperatorId, ${transactionId}, 'cleared', ${pseudonym}, ${tabPublicKey},
     :deposit::bigint, 'EUR', ${fillIn(':chain')}, :at::bigint, :at::bigint + 600000, :at::bigint, ${fillIn(':customerRecord')}, ${fillIn(':merchantRecord')},
     :spent::bigint, 'agreed', :at::bigint, ${chainRoot} ${overBatch}`,
  `INSERT INTO ledger_entries (seq, id, memo, ref, created_at)
   SELECT g, 'credit:' || ${tabId}, 'tab ' || ${tabId} || ' cleared (agreed)', ${tabId}, :at::bigint ${overBatch}`,
  `INSERT INTO ledger_postings (entry_seq, position, account_id, amount, created_at)
   SELECT g, p.position, p.account_id, p.amount, :at::bigint
   ${overBatch}, (VALUES (0, :owedByCustomerOperator::text, -:spent::bigint), (1, :merchantAccount::text, :spent::bigint)) AS p (position, account_id, amount)`,
  `INSERT INTO outbox (record_id, destination, payload, created_at, attempts, next_attempt_at, delivered_at)
   SELECT o.record_prefix || ${tabId}, o.destination, ${fillIn('o.payload')}, :at::bigint, 1, :at::bigint, :at::bigint
   ${overBatch}, (VALUES ('clearing:', 'peer-clearing:' || :customerOperatorId, :clearing::text), ('tab-cleared:', 'merchant-notice:' || :merchantId, :tabCleared::text),
     (:depositRecordPrefix::text, 'billing:0', :depositRecord::text)) AS o (record_prefix, destination, payload)`,
  `INSERT INTO message_receipts (message_id, route, body_digest, status, response, created_at)
   SELECT ${messageId("receipt' || r.route || '")}, r.route, repeat('x', 86), 200, :receiptResponse, :at::bigint
   ${overBatch}, unnest(:routes::text[]) AS r (route)`,
];

/** What live statements number next follows the filled rows: BIGSERIAL columns written with explicit values. */
const RESTART_SEQUENCES = [
  "SELECT setval(pg_get_serial_sequence('sessions', 'seq'), GREATEST(1, (SELECT max(seq) FROM sessions)))",
  "SELECT setval(pg_get_serial_sequence('ledger_entries', 'seq'), GREATEST(1, (SELECT max(seq) FROM ledger_entries)))",
];

const ADD_TO_BALANCE = 'UPDATE ledger_accounts SET balance = balance + $2::bigint WHERE id = $1';

// ---------------------------------------------------------------------------------------------

interface Side {
  readonly url: string;
  readonly operatorId: string;
  /** The accounts and merchant every tab shares, through the store's API once it is migrated. */
  readonly shared: (storage: PostgresOperatorStorage) => Promise<void>;
  readonly statements: readonly string[];
  /** The statements' parameters besides :first, :last, :customerOperatorId and :at::bigint. */
  readonly values: Readonly<Record<string, unknown>>;
  /** What each tab adds to the shared accounts' balances. */
  readonly balancePerTab: ReadonlyArray<readonly [accountId: string, amount_minor: bigint]>;
}

async function fillSide(
  side: Side,
  tabs: number,
  batch: number,
  customerOperatorId: string,
  at_ms: number,
): Promise<void> {
  const pool = new pg.Pool({ connectionString: side.url, max: 1 });
  try {
    const storage = new PostgresOperatorStorage({ pool, operatorId: side.operatorId, clock: { now_ms: () => at_ms } });
    await storage.migrate();
    await side.shared(storage);
  } finally {
    await pool.end();
  }
  const client = new pg.Client({ connectionString: side.url });
  await client.connect();
  try {
    for (let from = 1; from <= tabs; from += batch) {
      const to = Math.min(tabs, from + batch - 1);
      const values = { first: from, last: to, customerOperatorId, at: at_ms, ...side.values };
      await client.query('BEGIN');
      for (const statement of side.statements) await client.query(...bind(statement, values));
      for (const [accountId, amount_minor] of side.balancePerTab)
        await client.query(ADD_TO_BALANCE, [accountId, (amount_minor * BigInt(to - from + 1)).toString()]);
      await client.query('COMMIT');
    }
    for (const statement of RESTART_SEQUENCES) await client.query(statement);
    // Fresh statistics and visibility map, as autovacuum would have them on a store that grew
    // over months, and its pages written out: otherwise autovacuum and the checkpointer would do
    // it during the measurement, on the database's CPU.
    await client.query('VACUUM ANALYZE');
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

/**
 * `:name` → `$n` in the order names first appear, with the values in that order: PostgreSQL must
 * learn every parameter's type from the statement, so each gets exactly the ones it names.
 * (`::type` casts are left alone.)
 */
export function bind(statement: string, values: Readonly<Record<string, unknown>>): [string, unknown[]] {
  const names: string[] = [];
  const text = statement.replace(/(?<![:\w]):([a-zA-Z]\w*)/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for :${name}`);
    if (!names.includes(name)) names.push(name);
    return `$${names.indexOf(name) + 1}`;
  });
  return [text, names.map((name) => values[name])];
}

function templates(customerOperatorId: string, merchantOperatorId: string, at_ms: number) {
  const tab = historicTab(0, at_ms);
  const json = (value: unknown) => JSON.stringify(value).replaceAll(tab.tabId, TAB);
  return {
    rate: JSON.stringify(HISTORY_RATE),
    chain: JSON.stringify({ root: ROOT, unit: HISTORY_CHAIN_UNIT, length: HISTORY_CHAIN_LENGTH }),
    customerRecord: json(tab.customerRecord(TX)),
    merchantRecord: json(tab.merchantRecord),
    tabAck: json(tab.tabAck(TX)),
    amendedInitiation: json(tab.amendedInitiation(TX)),
    withdrawal: JSON.stringify({
      recordType: 'withdrawal',
      recordId: `withdrawal:${customerOperatorId}:${TX}`,
      transactionId: TX,
      tabId: TAB,
      amount: { currency: 'SEK', value: minorToWire(HISTORY_CHARGE_MINOR) },
      rate: HISTORY_RATE,
    }),
    clearing: JSON.stringify({
      type: 'clearing',
      transactionId: TX,
      tabId: TAB,
      cleared: ARTICLE_PRICE,
      outcome: 'agreed',
      note: 'agreed',
    }),
    tabCleared: JSON.stringify({ type: 'tab-cleared', tabId: TAB, cleared: ARTICLE_PRICE, outcome: 'agreed' }),
    deposit: JSON.stringify({
      recordType: 'deposit',
      recordId: `deposit:${merchantOperatorId}:${TAB}`,
      tabId: TAB,
      amount: ARTICLE_PRICE,
      outcome: 'agreed',
    }),
  };
}

/** Two-decimal minor units as the wire writes them (SEK and EUR both have two). */
function minorToWire(minor: bigint): string {
  return `${minor / 100n}.${(minor % 100n).toString().padStart(2, '0')}`;
}

/** `tabs` finished tabs, each of its own customer account, in both operators' PostgreSQL stores. */
export async function fillOperatorPostgresStores(
  layout: HistoryLayout,
  stores: OperatorPostgresStores,
  tabs: number,
  at_ms: number,
  options: { readonly tabsPerTransaction?: number } = {},
): Promise<void> {
  const batch = options.tabsPerTransaction ?? DEFAULT_BATCH;
  const customerOperatorId = layout.customerOperator.operatorId;
  const merchantOperatorId = layout.merchantOperator.operatorId;
  const { merchant } = layout;
  const json = templates(customerOperatorId, merchantOperatorId, at_ms);
  const fxSek = ledgerAccount.fx('SEK');
  const fxEur = ledgerAccount.fx('EUR');
  const owedToMerchantOperator = ledgerAccount.settlement(merchantOperatorId, 'EUR');
  const owedByCustomerOperator = ledgerAccount.settlement(customerOperatorId, 'EUR');
  const merchantAccount = ledgerAccount.merchant(merchant.merchantId);
  const customerSide: Side = {
    url: stores.customerOperatorUrl,
    operatorId: customerOperatorId,
    shared: (storage) =>
      storage.transaction(async (tx) => {
        await tx.ledger.createAccount({ id: fxSek, currency: 'SEK', kind: 'fx', minBalance: null });
        await tx.ledger.createAccount({ id: fxEur, currency: 'EUR', kind: 'fx', minBalance: null });
        await tx.ledger.createAccount({
          id: owedToMerchantOperator,
          currency: 'EUR',
          kind: 'settlement',
          minBalance: null,
        });
      }),
    statements: CUSTOMER_SIDE_STATEMENTS,
    values: {
      customerAccountPrefix: ledgerAccount.customer(''),
      creditFloor: (-CREDIT_LIMIT_MINOR).toString(),
      charge: HISTORY_CHARGE_MINOR.toString(),
      merchantId: merchant.merchantId,
      merchantOperatorId,
      hold: HISTORY_HOLD_MINOR.toString(),
      deposit: HISTORY_DEPOSIT_MINOR.toString(),
      rate: json.rate,
      chain: json.chain,
      customerRecord: json.customerRecord,
      amendedInitiation: json.amendedInitiation,
      tabAck: json.tabAck,
      spent: HISTORY_SPENT_MINOR.toString(),
      fxSek,
      fxEur,
      owedToMerchantOperator: owedToMerchantOperator,
      withdrawal: json.withdrawal,
      receiptResponse: RECEIPT_RESPONSE,
      routes: CUSTOMER_SIDE_ROUTES,
    },
    balancePerTab: [
      [fxSek, HISTORY_CHARGE_MINOR],
      [fxEur, -HISTORY_SPENT_MINOR],
      [owedToMerchantOperator, HISTORY_SPENT_MINOR],
    ],
  };
  const merchantSide: Side = {
    url: stores.merchantOperatorUrl,
    operatorId: merchantOperatorId,
    shared: (storage) =>
      storage.transaction(async (tx) => {
        await tx.merchants.upsertMerchant({
          merchantId: merchant.merchantId,
          displayName: 'Bench News',
          currency: merchant.currency,
          origins: [merchant.origin],
          agentUrl: merchant.agentUrl,
          publicKey: merchant.publicKey,
          createdAt: at_ms,
        });
        await tx.ledger.createAccount({
          id: merchantAccount,
          currency: merchant.currency,
          kind: 'merchant',
          minBalance: 0n,
        });
        await tx.ledger.createAccount({
          id: owedByCustomerOperator,
          currency: 'EUR',
          kind: 'settlement',
          minBalance: null,
        });
      }),
    statements: MERCHANT_SIDE_STATEMENTS,
    values: {
      merchantId: merchant.merchantId,
      deposit: HISTORY_DEPOSIT_MINOR.toString(),
      chain: json.chain,
      customerRecord: json.customerRecord,
      merchantRecord: json.merchantRecord,
      spent: HISTORY_SPENT_MINOR.toString(),
      owedByCustomerOperator: owedByCustomerOperator,
      merchantAccount: merchantAccount,
      clearing: json.clearing,
      tabCleared: json.tabCleared,
      depositRecordPrefix: `deposit:${merchantOperatorId}:`,
      depositRecord: json.deposit,
      receiptResponse: RECEIPT_RESPONSE,
      routes: MERCHANT_SIDE_ROUTES,
    },
    balancePerTab: [
      [owedByCustomerOperator, -HISTORY_SPENT_MINOR],
      [merchantAccount, HISTORY_SPENT_MINOR],
    ],
  };
  await Promise.all([
    fillSide(customerSide, tabs, batch, customerOperatorId, at_ms),
    fillSide(merchantSide, tabs, batch, customerOperatorId, at_ms),
  ]);
}
