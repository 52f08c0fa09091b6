// How code outside the merchant agent adds to it without the agent knowing what it adds (the
// benchmark's per-purchase orders, bench/baseline/, are one): tables of its own in the agent's
// SQLite file (an agent on PostgreSQL takes no extensions) and routes served under the mount path beside the agent's (limited, validated,
// answered only once durable, and described in /openapi.json like the agent's own). Passed to
// createMerchantAgent as `extensions`.

import type { CryptoProvider, RouteSpec, Signer } from '@opentab/protocol';
import type { AccessTokens } from './access-token';
import type { AgentSettings } from './config';
import type { AgentRoute } from './http/handler';
import type { SqliteAgentStore } from './sqlite-store';

export interface AgentExtension {
  /** Idempotent SQL (CREATE TABLE IF NOT EXISTS …), run on the agent's file at every start. */
  readonly tables?: string;
  /** Its routes by operationId, as the agent serves them and /openapi.json describes them. */
  readonly routes: Readonly<Record<string, RouteSpec>>;
  /** Binds its routes to this agent, once at start-up. */
  bind(agent: ExtendedAgent): readonly AgentRoute[];
}

/** What an extension's routes may use of the agent. */
export interface ExtendedAgent {
  readonly settings: AgentSettings;
  readonly crypto: CryptoProvider;
  /**
   * Its store: `transaction`, the replies kept for replays, and `database` for the extension's own
   * tables. Extensions need the SQLite store: the agent refuses them with a PostgreSQL one.
   */
  readonly store: SqliteAgentStore;
  /** The merchant key. */
  readonly signer: Signer;
  readonly tokens: AccessTokens;
}

export { agentRoute, type AgentRoute } from './http/handler';
export { grantAccess, type AccessTokens } from './access-token';
export { requireFresh, requireSignedBy } from './message-checks';
export { firstAnswer, requestDigest } from './replay-guard';
export { big, int, text } from './sqlite-columns';
export type { AgentSettings } from './config';
export type { SqliteAgentStore } from './sqlite-store';
export type { AgentStore, AgentStoreTransaction } from './store';
