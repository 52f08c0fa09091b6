// createMerchantAgent: the one object a merchant's server holds. It wires configuration, the
// store (SQLite or PostgreSQL), the tab operations, the record outbox and the HTTP edge together, and offers
// the merchant's own code what it needs: access checks, tab reads, stopping tabs, events.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { nodeCrypto } from '@opentab/server-kit';
import { signerFromSecretKey } from '@opentab/protocol';
import { DELIVERY_AGENT_API, OpentabError, type MerchantInfo } from '@opentab/protocol';
import { AccessTokens, type AccessClaims } from './access-token';
import { resolveConfig, type MerchantAgentConfig } from './config';
import { DeliveryService } from './delivery/delivery-service';
import { deliveryRoutes } from './delivery/delivery-routes';
import { DeliveryStore } from './delivery/delivery-store';
import { ProductShelf } from './delivery/product-shelf';
import { AdminLogins } from './admin/admin-logins';
import { adminRoutes, authorizeAdmin, serveAdminPages } from './admin/admin-routes';
import { AdminService } from './admin/admin-service';
import { AdminStore } from './admin/admin-store';
import { MERCHANT_ADMIN_API } from './admin/admin-api';
import { CatalogueFollower, createCatalogueEditsTables } from './admin/catalogue-edits';
import { RefundSender } from './admin/refund-sender';
import { AgentEvents, type Listener, type MerchantAgentEventName } from './events';
import { createAgentRequestHandler, type AgentOperations } from './http/handler';
import { DisputeDecisions } from './dispute-decisions';
import { merchantAgentOpenApiDocument } from './openapi';
import { OperatorKeys } from './operator-keys';
import { RecordOutbox } from './record-outbox';
import { MerchantSigner } from './signed-answers';
import { openAgentStore } from './open-store';
import type { SqliteAgentStore } from './sqlite-store';
import { TabService } from './tab-service';
import type { TabStatus } from './tab-record';
import {
  disputeDecisionView,
  type DisputeDecisionView,
  type PurchaseListEvidence,
  type PurchaseView,
  type TabView,
} from './views';

/** Where a stopped tab's merchant record stands with the MTA. */
export interface RecordDelivery {
  readonly recordId: string;
  readonly attempts: number;
  readonly acknowledged: boolean;
  readonly nextAttemptAt_ms: number;
  readonly lastError: string | null;
  /** Set when the MTA refused the record for good ('tab_not_opened': the tab never opened there); it is not
   * sent again. */
  readonly refusedCode: string | null;
}

export interface MerchantAgent {
  readonly merchantId: string;
  readonly displayName: string;
  readonly currency: string;
  /** Where the agent answers, e.g. '/opentab'; its routes are relative to this. */
  readonly mountPath: string;
  /** The merchant's Ed25519 public key (base64url): what its operator registers and certifies. */
  readonly publicKey: string;

  /**
   * Answers a request whose path lies under `mountPath` and resolves true; resolves false
   * without touching the response for any other path. `url` overrides request.url (adapters
   * pass the original URL when a framework has rewritten it).
   */
  handle(request: IncomingMessage, response: ServerResponse, url?: string): Promise<boolean>;
  /**
   * True when `token` (from a receipt) is genuine, unexpired and was issued for `itemId`: an
   * entitlement's token for its access period, a consumable's for accessTokenLifetime_ms. Never throws.
   */
  verifyAccess(token: unknown, itemId: string): boolean;
  /** The claims of a valid token (item, random reference, expiry), or null. */
  readAccess(token: unknown): AccessClaims | null;
  /** Stops an open tab ('merchant-stop') and sends its record to the MTA. Null for an unknown tab. */
  stop(tabId: string): Promise<TabView | null>;
  tab(tabId: string): Promise<TabView | null>;
  /** Newest first. */
  tabs(filter?: { status?: TabStatus; limit?: number }): Promise<TabView[]>;
  purchases(tabId: string): Promise<PurchaseView[]>;
  /**
   * The tab's purchase list with the key its hash is keyed with, to reveal to the MTA or an
   * arbiter in a dispute (operators otherwise see only the hash). Null for an unknown tab.
   */
  purchaseListEvidence(tabId: string): Promise<PurchaseListEvidence | null>;
  /** The operator's decision on the tab's dispute, with its reason, once the MTA sent it; else null. */
  disputeDecision(tabId: string): Promise<DisputeDecisionView | null>;
  recordDelivery(tabId: string): Promise<RecordDelivery | null>;
  info(): MerchantInfo;
  /** Returns the function that removes the listener. */
  on<E extends MerchantAgentEventName>(event: E, listener: Listener<E>): () => void;
  /** Tries every undelivered record now, ignoring the backoff schedule. */
  flushRecords(): Promise<void>;
  /** Stops the timers, waits for a delivery in flight and closes the database. Idempotent. */
  close(): Promise<void>;
}

/** A bound on one sweep's work, so a backlog (after downtime) is worked off over several sweeps. */
const REPLIES_PRUNED_PER_SWEEP = 1_000;

/** Checks the configuration (throwing MerchantAgentConfigError listing every problem), opens the database and
 * starts the timers. */
export async function createMerchantAgent(config: MerchantAgentConfig): Promise<MerchantAgent> {
  const settings = resolveConfig(config);
  const crypto = nodeCrypto;
  const store = await openAgentStore(settings.store, settings.logger);
  const adminLogins = new AdminLogins(settings.adminLogins);
  // Catalogue edits are made through the admin API of any process sharing the store; a process on
  // PostgreSQL follows them whether or not it serves that API itself.
  let catalogueEdits: CatalogueFollower | null = null;
  if (adminLogins.enabled || store.kind === 'postgres')
    try {
      await createCatalogueEditsTables(store);
      catalogueEdits = new CatalogueFollower(store.sql, settings.catalogue, settings.catalogue.snapshot);
      await catalogueEdits.catchUp();
    } catch (error) {
      await store.close();
      throw error;
    }
  const merchantKey = signerFromSecretKey(crypto, settings.merchantSecretKey);
  const signer = new MerchantSigner(crypto, merchantKey, settings.merchantId);
  const tokens = new AccessTokens(settings.accessTokenSecret, (length) => crypto.randomBytes(length));
  const events = new AgentEvents(settings.logger);
  const operatorKeys = await OperatorKeys.load(crypto, store, settings);
  // A record the MTA refuses for good ends its tab, which only the tab service may do.
  const outbox = new RecordOutbox({
    store,
    crypto,
    signer,
    events,
    settings,
    operatorKeys,
    onRefusedForGood: (tabId, code, message) => service.voidTab(tabId, code, message),
  });
  const service: TabService = new TabService({
    settings,
    crypto,
    store,
    signer,
    tokens,
    events,
    outbox,
    // One SQLite file has one process, which applies its own edits as it makes them.
    ...(store.kind === 'postgres' && catalogueEdits !== null
      ? { catalogueUpToDate: () => catalogueEdits.catchUp() }
      : {}),
    operatorKeys,
  });
  // Extensions come only with a SQLite store (resolveConfig refuses them on PostgreSQL).
  const sqliteStore = store as unknown as SqliteAgentStore;
  for (const extension of settings.extensions)
    if (extension.tables !== undefined) sqliteStore.database.exec(extension.tables);
  const extensionRoutes = settings.extensions.flatMap((extension) =>
    extension.bind({ settings, crypto, store: sqliteStore, signer: merchantKey, tokens }),
  );
  const delivery = await startDelivery();
  const admin = await startAdmin();
  async function startAdmin(): Promise<{ service: AdminService; refunds: RefundSender; logins: AdminLogins } | null> {
    if (!adminLogins.enabled || catalogueEdits === null) return null;
    try {
      const adminStore = await AdminStore.open(store);
      const refunds = new RefundSender({ admin: adminStore, crypto, merchantKey, settings, operatorKeys });
      const service = new AdminService({
        admin: adminStore,
        catalogue: settings.catalogue,
        refunds,
        catalogueEdits,
        currency: settings.currency,
        now_ms: () => settings.clock.now_ms(),
      });
      return { service, refunds, logins: adminLogins };
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  async function startDelivery(): Promise<DeliveryService | null> {
    if (settings.delivery === null) return null;
    try {
      const shelf = ProductShelf.load(crypto, settings.delivery.productsDirectory, {
        merchantId: settings.merchantId,
        publicKey: merchantKey.publicKey,
        catalogue: settings.catalogue,
      });
      return new DeliveryService({
        settings,
        crypto,
        store,
        deliveries: await DeliveryStore.open(store),
        shelf,
        tabs: service,
        merchantKey,
        events,
        maxAttempts: settings.delivery.maxAttempts,
        operatorKeys,
      });
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  const disputeDecisions = new DisputeDecisions({ settings, crypto, store, operatorKeys });
  const operations: AgentOperations = {
    ...agentOperations(service),
    ...(delivery === null ? {} : deliveryOnly(service, delivery)),
    acceptDisputeDecision: (decision) => disputeDecisions.accept(decision),
  };
  const handler = createAgentRequestHandler(operations, {
    ...settings,
    durable: () => store.durable(),
    openApiDocument: merchantAgentOpenApiDocument({
      ...settings,
      extensionRoutes: [
        ...settings.extensions.map((extension) => extension.routes),
        ...(delivery === null ? [] : [DELIVERY_AGENT_API]),
        ...(admin === null ? [] : [MERCHANT_ADMIN_API]),
      ],
    }),
    extensionRoutes: [
      ...extensionRoutes,
      ...(delivery === null ? [] : deliveryRoutes(delivery)),
      ...(admin === null
        ? []
        : adminRoutes(admin.service, admin.logins, {
            merchantId: settings.merchantId,
            displayName: settings.displayName,
            currency: settings.currency,
          })),
    ],
    ...(admin === null
      ? {}
      : {
          authorize: authorizeAdmin(admin.logins),
          pages: (request, response, path, query) =>
            serveAdminPages(admin.service, admin.logins, request, response, path, query),
        }),
    ...(delivery === null ? {} : { contentFile: (path: string) => delivery.contentFile(path) }),
    // A clock the merchant passes in (a test's) drives the rate limits too; without one they read
    // the monotonic clock, which a step of the wall clock cannot move.
    rateLimitClock: config.clock === undefined ? undefined : settings.clock,
  });

  const sweepExpiredTabs = async (): Promise<void> => {
    try {
      await service.stopExpiredTabs();
    } catch (error) {
      settings.logger.warn('stopping expired tabs failed; retrying at the next check', error);
    }
  };
  // Answers to replays are kept for a while, not forever: the table would grow with every tab.
  const forgetOldReplies = async (): Promise<void> => {
    try {
      await store.pruneReplies(settings.clock.now_ms() - settings.replyRetention_ms, REPLIES_PRUNED_PER_SWEEP);
    } catch (error) {
      settings.logger.warn('forgetting old replies failed; retrying at the next check', error);
    }
  };
  // The merchant information a process on PostgreSQL serves shows another process's catalogue
  // edits by the next sweep at the latest (a purchase catches up before it is priced).
  const followCatalogueEdits = async (): Promise<void> => {
    if (store.kind !== 'postgres') return;
    try {
      await catalogueEdits?.catchUp();
    } catch (error) {
      settings.logger.warn('reading the catalogue edits failed; retrying at the next check', error);
    }
  };
  // A refund the MTA did not answer is sent again once its retry is due.
  const sendDueRefunds = async (): Promise<void> => {
    try {
      await admin?.refunds.sendDue();
    } catch (error) {
      settings.logger.warn('sending refunds failed; retrying at the next check', error);
    }
  };
  // A retirement is learned even when no message under the successor has arrived yet. Not awaited:
  // an operator slow to answer holds up neither the start nor the other sweeps.
  const readOperatorKeys = (): void => {
    operatorKeys
      .refreshIfDue(settings.operatorKeyCheckInterval_ms)
      .catch((error: unknown) => settings.logger.warn("reading the operator's keys failed; retrying later", error));
  };
  // One sweep at a time: a slow one is not joined by the next tick's.
  let sweeping: Promise<void> | null = null;
  const sweep = (): Promise<void> =>
    (sweeping ??= (async () => {
      await sweepExpiredTabs();
      await forgetOldReplies();
      await sendDueRefunds();
      await followCatalogueEdits();
      readOperatorKeys();
    })().finally(() => (sweeping = null)));
  // Tabs that expired while the server was down stop now, before the first request.
  await sweep();
  const expiryTimer = setInterval(() => void sweep(), settings.expiryCheckInterval_ms);
  expiryTimer.unref();
  outbox.start();

  let closing: Promise<void> | null = null;
  return {
    merchantId: settings.merchantId,
    displayName: settings.displayName,
    currency: settings.currency,
    mountPath: settings.mountPath,
    publicKey: signer.publicKey,
    handle: handler,
    verifyAccess: (token, itemId) => tokens.verify(token, itemId, settings.clock.now_ms()),
    readAccess: (token) => tokens.read(token, settings.clock.now_ms()),
    stop: (tabId) => service.stopByMerchant(tabId),
    tab: (tabId) => service.tab(tabId),
    tabs: (filter) => service.tabs(filter),
    purchases: (tabId) => service.purchasesOf(tabId),
    purchaseListEvidence: (tabId) => service.purchaseListEvidence(tabId),
    async disputeDecision(tabId) {
      const decision = await disputeDecisions.decisionOf(tabId);
      return decision === null ? null : disputeDecisionView(decision, settings.currency);
    },
    async recordDelivery(tabId) {
      const entry = await store.outboxEntry(tabId);
      if (entry === null) return null;
      const { recordId, attempts, nextAttemptAt_ms, lastError, refusedCode } = entry;
      return {
        recordId,
        attempts,
        nextAttemptAt_ms,
        lastError,
        acknowledged: entry.acknowledgedAt_ms !== null && refusedCode === null,
        refusedCode,
      };
    },
    info: () => service.info(),
    on: (event, listener) => events.on(event, listener),
    flushRecords: () => outbox.flush(),
    close() {
      closing ??= (async () => {
        clearInterval(expiryTimer);
        await sweeping;
        await outbox.close();
        await operatorKeys.settled();
        await store.close();
      })();
      return closing;
    },
  };
}

/**
 * The agent's operations with a plain purchase of a product it delivers refused: such a product is
 * paid only by the accept of its checked package, never by a click-to-pay purchase that would pay
 * for it with nothing delivered.
 */
function deliveryOnly(service: TabService, delivery: DeliveryService): Pick<AgentOperations, 'purchase'> {
  return {
    purchase: (purchase) => {
      if (delivery.delivers(purchase.itemId)) return Promise.reject(new OpentabError('delivery_only'));
      return service.purchase(purchase);
    },
  };
}

/** The tab service's operations the HTTP edge calls. */
function agentOperations(service: TabService): Omit<AgentOperations, 'acceptDisputeDecision'> {
  return {
    info: () => service.info(),
    acceptTabInformation: (information) => service.acceptTabInformation(information),
    acceptTabCleared: (cleared) => service.acceptTabCleared(cleared),
    provideRecord: (request) => service.provideRecord(request),
    purchase: (purchase) => service.purchase(purchase),
    receipts: (request) => service.receipts(request),
    terminate: (terminate) => service.terminate(terminate),
  };
}
