// How code outside the operator adds to it without the operator knowing what it adds (the
// benchmark's per-purchase payment baseline, bench/baseline/, is one): tables of its own in the
// operator's SQLite file, routes served beside the operator's (and described in /openapi.json),
// routes it calls at peer operators, and outbox messages of its own kind, delivered at least once
// like the operator's own. Passed to startOperator as `extensions`. An extension works on the
// SQLite file directly, with synchronous statements in its transactions: an operator on
// PostgreSQL refuses extensions.

import type { RouteSpec } from '@opentab/protocol';
import type { RouteBinding } from '@opentab/server-kit';
import type { OperatorContext } from './operator-context';
import type { SqliteOperatorParts } from './store/sqlite-operator-storage';

/** The operator's context, and its SQLite file's connection and synchronous classes. */
export interface ExtensionContext extends OperatorContext {
  readonly sqlite: SqliteOperatorParts;
}

export interface OperatorExtension {
  /** Names its outbox messages ({ kind: 'extension', extension: name }) and its log lines. */
  readonly name: string;
  /** Idempotent SQL (CREATE TABLE IF NOT EXISTS …), run on the operator's file at every start. */
  readonly tables?: string;
  /** Its routes by operationId, as the router binds them and /openapi.json describes them. */
  readonly routes: Readonly<Record<string, RouteSpec>>;
  /** Binds its routes to this operator, once at start-up. */
  bind(context: ExtensionContext): readonly RouteBinding[];
  /** Sends one of its outbox messages; a throw leaves it to the next attempt. */
  deliver?(context: ExtensionContext, target: string, payload: unknown): Promise<void>;
}

export type { OperatorContext } from './operator-context';
export { bind, type HandlerContext, type RouteBinding } from '@opentab/server-kit';
export { enqueueBillingRecord } from './billing/billing-outbox';
export { ensureAccount, ledgerAccount } from './ledger-accounts';
export { assertFresh, authenticateCustomer, requireSession } from './account-manager/customer-auth';
export { PEER_CALL_TIMEOUT_MS } from './peers/peer-directory';
export type { OutboxDestination } from './outbox/outbox';
export type { Merchant } from './store/records';
export type { PostingInput } from './ledger';
export type { DepositRecord, WithdrawalRecord } from './billing/billing-records';
