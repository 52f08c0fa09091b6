// Everything a handler of this operator needs, built once at start-up by operator.ts.

import type { Clock, HttpTransport } from '@opentab/protocol';
import type { KeyedLock } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import type { OperatorConfig } from './config/config';
import type { OperatorIdentity } from './identity/operator-identity';
import type { OwnKeys } from './identity/key-rotation';
import type { PeerTrust } from './identity/peer-trust';
import type { PeerDirectory } from './peers/peer-directory';
import type { RateDesk } from './rates/rate-desk';
import type { StaffSessions } from './staff/staff-sessions';
import type { Traffic } from './admin/traffic';
import type { FigureHistory } from './admin/figure-history';
import type { OperatorStorage } from './store/operator-storage';
import type { MessageReceipts } from './support/message-receipts';
import type { Logger } from './support/logger';

export interface OperatorContext {
  readonly config: OperatorConfig;
  readonly crypto: CryptoProvider;
  readonly identity: OperatorIdentity;
  /** Successor keys prepared and rotated to, and the rotation notices this operator signed. */
  readonly ownKeys: OwnKeys;
  readonly receipts: MessageReceipts;
  readonly rates: RateDesk;
  readonly trust: PeerTrust;
  readonly peers: PeerDirectory;
  /** Recent requests per route group: rate and latency percentiles, for /metrics and the console. */
  readonly traffic: Traffic;
  /** The figures of the last 24 hours, a sample a minute, sampled by the background jobs (in memory only). */
  readonly figureHistory: FigureHistory;
  /** The staff's log-ins and console sessions (their accounts and log are `storage.staff`). */
  readonly staff: { readonly sessions: StaffSessions };
  /**
   * The same tables behind the asynchronous store interface: a domain step that changes money
   * runs as one `storage.transaction(async (tx) => …)`. Every request path, background sweep,
   * admin and staff step, the message receipts, the outbox (written through a transaction's
   * `outbox`, drained by `deliverDueOutbox`), revocations, peers' retired keys, the operator's own
   * keys, the rate desk, the delivery store and issued certificates go through it, on SQLite or
   * PostgreSQL alike.
   */
  readonly storage: OperatorStorage;
  readonly log: Logger;
  readonly clock: Clock;
  /**
   * Resolves once everything committed so far is durable (SQLite: the WAL synced to disk;
   * PostgreSQL: at once, a COMMIT is). Nothing leaves this operator before it.
   */
  readonly durable: () => Promise<void>;
  /** HTTP to peers, merchant agents and webhooks: waits for `durable()`, then sends. */
  readonly transport: HttpTransport;
  /**
   * One step at a time per transaction (AM: a replayed initiation, the opening sweep) and per
   * registration (MTA: a re-sent amended initiation): a replay waits for its first run, then
   * reads what that run left, instead of racing it.
   */
  readonly locks: { readonly initiations: KeyedLock; readonly registrations: KeyedLock };
}
