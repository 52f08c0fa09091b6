// The composition root: one process is the account manager and the MTA of one operator.
// Builds the context, binds every route, serves HTTP, and runs the background jobs that
// make the server keep its own promises: clearing tabs whose time has come, releasing holds no MTA
// ever cleared, and draining the outbox.

import { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock, type HttpTransport } from '@opentab/protocol';
import { KeyedLock } from '@opentab/protocol';
import { DELIVERY_OPERATOR_API, OPERATOR_API } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import type { CryptoProvider } from '@opentab/protocol';
import { createNodeHttpTransport } from '@opentab/server-kit';
import type { FileSync } from '@opentab/server-kit';
import { accountView } from './account-manager/account-view';
import { applyClearing } from './account-manager/clearing';
import { keepDisputeDecision } from './account-manager/dispute-decision';
import { authenticateCustomer, requireSession } from './account-manager/customer-auth';
import { relayCustomerRecord } from './account-manager/customer-records';
import { enroll, logon } from './account-manager/enrollment';
import { lapseOverdueHolds } from './account-manager/hold-deadline';
import { settleStalledOpenings } from './account-manager/opening-sweep';
import { openTab } from './account-manager/initiation';
import { vouchForMerchant } from './account-manager/merchant-query';
import { adminBindings } from './admin/admin-handlers';
import { adminPages } from './admin/admin-pages';
import { staffOfRequest } from './staff/staff-auth';
import { deliveryBindings } from './delivery/delivery-bindings';
import { MtaDelivery } from './delivery/mta-delivery';
import { createBillingSink } from './billing/sinks';
import { ConfigError, type OperatorConfig } from './config/config';
import type { ExtensionContext, OperatorExtension } from './extension';
import { ADMIN_API } from './http/admin-api';
import { createHttpServer } from './http/http-server';
import { operatorOpenApiDocument } from './http/openapi';
import { bind, Router } from '@opentab/server-kit';
import { loadOperatorIdentity } from './identity/operator-identity';
import { PeerTrust } from './identity/peer-trust';
import { OwnKeys } from './identity/key-rotation';
import { receiveKeyRotation } from './identity/peer-key-rotation';
import { REGISTRATION_BOUND_MS, voidInterruptedRegistrations } from './mta/interrupted-registrations';
import { MerchantCertificates } from './mta/merchant-certificates';
import { lookUpMerchant } from './mta/merchant-lookup';
import { clearDueTabs, receiveCustomerRecord, receiveMerchantRecord } from './mta/records';
import { receiveRefund } from './mta/refunds';
import { registerTab } from './mta/tab-registration';
import type { OperatorContext } from './operator-context';
import { createOutboxDeliverer } from './outbox/delivery';
import { PeerDirectory } from './peers/peer-directory';
import { RateDesk } from './rates/rate-desk';
import { RateFeed } from './rates/rate-feed';
import { Traffic } from './admin/traffic';
import { FigureHistory } from './admin/figure-history';
import { figuresOf } from './admin/operations-handlers';
import { StaffSessions } from './staff/staff-sessions';
import { STAFF_SESSION_API } from './http/admin-staff-api';
import { rateHealth } from './rates/rate-freshness';
import { createRateSourceReader, quotesToResume } from './rates/rate-source';
import { openOperatorStorage } from './store/open-operator-storage';
import type { SqliteOperatorParts } from './store/sqlite-operator-storage';
import { createLogger, type Logger } from './support/logger';
import { MessageReceipts } from './support/message-receipts';
import { ProcessLiveness } from './support/process-liveness';
import { TlsCertificateReloader, type TlsReload } from './tls/certificate-reloader';
import { readTlsCredentials, type TlsCredentials, type TlsFiles } from './tls/tls-credentials';

/** Request rates and latency percentiles cover the last one to two minutes. */
const TRAFFIC_WINDOW_MS = 60_000;

export interface OperatorOptions {
  readonly crypto?: CryptoProvider;
  /**
   * The clock every decision in time reads (default: the system's). Injected, it drives the rate
   * limits too; otherwise they read the monotonic clock, which a wall-clock step cannot move.
   */
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Syncs the SQLite WAL file to disk; tests hold or fail it to see that nothing leaves before it. */
  readonly syncWal?: FileSync;
  /** Tests drive the background jobs themselves with `runJobs()`. */
  readonly backgroundJobs?: boolean;
  /** Routes, tables and outbox messages added from outside (see extension.ts). */
  readonly extensions?: readonly OperatorExtension[];
}

export interface RunningOperator {
  readonly url: string;
  readonly context: OperatorContext;
  /** The SQLite file's connection and synchronous classes, for tools and tests that look inside it; null on PostgreSQL. */
  readonly sqlite: SqliteOperatorParts | null;
  /** Its rate source's last good quotes; `refreshIfDue(now)` reads the source when a read is due (tests drive it with their clock). */
  readonly rateFeed: RateFeed;
  /** One pass of the background jobs, after any pass under way: clear due tabs, lapse overdue holds, deliver
   * due outbox messages, settle stalled openings. */
  runJobs(): Promise<void>;
  /**
   * Reads the TLS certificate and key files now, and serves them to new connections if they are a
   * new, matching pair (the files' directories are watched, so this happens by itself on a change).
   * Null when the operator does not serve TLS.
   */
  reloadTlsCertificate(): TlsReload | null;
  close(): Promise<void>;
}

export async function startOperator(config: OperatorConfig, options: OperatorOptions = {}): Promise<RunningOperator> {
  const crypto = options.crypto ?? nodeCrypto;
  const clock = options.clock ?? systemClock;
  const now_ms = (): number => clock.now_ms();
  const log = options.log ?? createLogger(config.operatorId, config.log);
  const identity = loadOperatorIdentity(crypto, config, now_ms());

  const extensions = options.extensions ?? [];
  if (config.store.kind === 'postgres' && extensions.length > 0)
    throw new ConfigError(
      "extensions work on the operator's SQLite file directly (their tables, synchronous statements): they need store kind 'sqlite'",
    );
  const opened = await openOperatorStorage({
    settings: config.store,
    dataDir: config.dataDir,
    operatorId: config.operatorId,
    clock,
    log,
    ...(options.syncWal !== undefined ? { syncWal: options.syncWal } : {}),
  });
  const { storage, durable, sqlite } = opened;
  const outbound = createNodeHttpTransport({ trustedCaCertificates: config.trustedCaCertificates });
  const transport: HttpTransport = async (exchange) => {
    await durable();
    return outbound(exchange);
  };
  const trust = new PeerTrust(crypto, identity.caPublicKey, storage.peerKeyRetirements);
  const peers = new PeerDirectory(config.operatorId, () => identity.certificate, config.peers, trust, transport);
  const rateReader = createRateSourceReader(config.rates.rateSource);
  // The desk asks the feed for its quotes at every table; the feed starts from the last table issued.
  const rateDesk: RateDesk = new RateDesk({
    tables: storage.rateTables,
    crypto,
    signer: () => identity.signer,
    operatorId: config.operatorId,
    quotes: () => rateFeed.latest(),
    log,
    lifespan_ms: config.rates.lifespan_s * 1000,
    maxSourceAge_s: config.rates.maxSourceAge_s,
  });
  const lastIssuedQuotes = await rateDesk.lastIssuedQuotes();
  const rateFeed = new RateFeed(rateReader, log, quotesToResume(config.rates.rateSource, lastIssuedQuotes));
  if (rateReader.local) {
    await rateFeed.refreshIfDue(now_ms());
    if (rateFeed.latest() === null) {
      await opened.close();
      throw new ConfigError(`cannot start without rates: ${rateFeed.status().problem}`);
    }
  }
  const ownKeys = new OwnKeys(crypto, identity, config, storage.ownKeys);
  // A key a rotation made current replaces the one the configuration names.
  await ownKeys.useCurrentKey();
  const context: OperatorContext = {
    config,
    crypto,
    identity,
    trust,
    peers,
    log,
    clock,
    durable,
    transport,
    receipts: new MessageReceipts(storage, log),
    rates: rateDesk,
    ownKeys,
    traffic: new Traffic(TRAFFIC_WINDOW_MS, now_ms()),
    figureHistory: new FigureHistory(),
    staff: { sessions: new StaffSessions(storage) },
    storage,
    locks: { initiations: new KeyedLock(), registrations: new KeyedLock() },
  };
  const certificates = new MerchantCertificates(context);
  const delivery = new MtaDelivery(crypto);
  // Records could not reach a stopped MTA: a grace period counts only time the MTA was up to
  // receive them, so tabs that fell due while it was down get a fresh one now. While another
  // process sharing the database was up, the MTA was not down.
  const liveness = new ProcessLiveness(storage, config.tick_ms);
  if (!(await liveness.othersAliveAt(now_ms())))
    await storage.tabs.postponeDueTabs(now_ms() + config.tabs.recordGrace_s * 1000);
  await liveness.markStarted(now_ms());
  // Alone on its SQLite file, this process began every registration still opening. Processes sharing
  // a database leave the ones another may still have under way, and sweep them once past the bound.
  await voidInterruptedRegistrations(
    context,
    now_ms(),
    storage.kind === 'sqlite' ? Number.MAX_SAFE_INTEGER : now_ms() - REGISTRATION_BOUND_MS,
  );
  // Built once: an extension may key what it keeps by its context. Extensions were refused above
  // on PostgreSQL, so where there are any there is a SQLite file.
  const extensionContext: ExtensionContext | null = sqlite === null ? null : { ...context, sqlite };
  if (sqlite !== null)
    for (const extension of extensions) if (extension.tables !== undefined) sqlite.db.exec(extension.tables);

  peers.attachLocalHandlers({
    peerMerchantLookup: async (body) => lookUpMerchant(context, certificates, body, now_ms()),
    peerInitiation: (body) => registerTab(context, certificates, body, now_ms()),
    peerCustomerRecord: (body) => receiveCustomerRecord(context, body, now_ms()),
    peerClearing: (body) => applyClearing(context, body, now_ms()),
    peerDisputeDecision: (body) => keepDisputeDecision(context, body, now_ms()),
  });

  const router = new Router([
    bind(OPERATOR_API.operatorInfo, async () => {
      // Another process sharing the store may have rotated: announce the key it made current.
      await ownKeys.useCurrentKey();
      const rotations = (await ownKeys.rotations()).map((rotation) => rotation.notice);
      return {
        operatorId: identity.operatorId,
        currency: config.currency,
        certificate: identity.certificate,
        ...(rotations.length > 0 ? { rotations } : {}),
      };
    }),
    bind(OPERATOR_API.rateTable, async (_, { now_ms }) => (await context.rates.currentTable(now_ms)).envelope),
    bind(OPERATOR_API.enroll, (body, { now_ms }) => enroll(context, body, now_ms)),
    bind(OPERATOR_API.logon, (body, { now_ms }) => logon(context, body, now_ms)),
    bind(OPERATOR_API.account, async (body, { now_ms }) => {
      const customer = await authenticateCustomer(context, body, now_ms);
      await requireSession(context, body.payload.sessionId, customer.accountId, now_ms);
      return accountView(context, customer);
    }),
    bind(OPERATOR_API.merchantQuery, (body, { now_ms }) => vouchForMerchant(context, body, now_ms)),
    bind(OPERATOR_API.openTab, (body, { now_ms }) => openTab(context, body, now_ms)),
    bind(OPERATOR_API.customerRecord, (body, { now_ms }) => relayCustomerRecord(context, body, now_ms)),
    bind(OPERATOR_API.peerMerchantLookup, (body, { now_ms }) => lookUpMerchant(context, certificates, body, now_ms)),
    bind(OPERATOR_API.peerInitiation, (body, { now_ms }) => registerTab(context, certificates, body, now_ms)),
    bind(OPERATOR_API.peerCustomerRecord, (body, { now_ms }) => receiveCustomerRecord(context, body, now_ms)),
    bind(OPERATOR_API.peerClearing, (body, { now_ms }) => applyClearing(context, body, now_ms)),
    bind(OPERATOR_API.peerDisputeDecision, (body, { now_ms }) => keepDisputeDecision(context, body, now_ms)),
    bind(OPERATOR_API.merchantRecord, (body, { now_ms }) => receiveMerchantRecord(context, body, now_ms)),
    bind(OPERATOR_API.peerKeyRotation, (body, { now_ms }) => receiveKeyRotation(context, body, now_ms)),
    bind(OPERATOR_API.merchantRefund, (body, { now_ms }) => receiveRefund(context, body, now_ms)),
    ...deliveryBindings(context, delivery),
    ...(extensionContext === null ? [] : extensions.flatMap((extension) => extension.bind(extensionContext))),
    ...adminBindings(context),
  ]);
  const openApi = operatorOpenApiDocument({
    operatorId: config.operatorId,
    publicUrl: config.publicUrl,
    routes: Object.assign(
      {},
      OPERATOR_API,
      DELIVERY_OPERATOR_API,
      ...extensions.map((extension) => extension.routes),
      STAFF_SESSION_API,
      ADMIN_API,
    ),
  });
  const tlsCredentials = config.tls === undefined ? null : tlsCredentialsOf(config.tls);
  const staffPages = adminPages(context, router);
  const server = createHttpServer({
    ...(tlsCredentials !== null ? { tls: tlsCredentials } : {}),
    router,
    pages: staffPages.pages,
    observe: staffPages.observe,
    adminToken: config.adminToken,
    staffOf: (request) => staffOfRequest(context, request),
    log,
    clock,
    durable,
    documents: {
      // What someone who opens the operator's address in a browser meets: what it is, and where to go.
      '/': () => ({
        operatorId: config.operatorId,
        currency: config.currency,
        about:
          "This is an Opentab operator. Customers: enter this address on the Opentab extension's options page, with your enrolment code. Developers: the HTTP API is described at /openapi.json.",
        api: '/openapi.json',
        health: '/healthz',
      }),
      '/openapi.json': () => openApi,
      // Answered 200 while the process serves: a restart would not make old rates newer. `ok` is
      // false, and `rates` says why, while no rate table can be published.
      '/healthz': () => {
        const rates = rateHealth(context.rates.availability(now_ms()), rateFeed.status().problem);
        return { ok: rates.status === 'current' || rates.status === 'sample', operatorId: config.operatorId, rates };
      },
    },
    rateLimit: config.rateLimit,
    rateLimitClock: options.clock,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `${tlsCredentials !== null ? 'https' : 'http'}://${config.listen.host}:${address.port}`;
  const tlsReloader =
    config.tls !== undefined && tlsCredentials !== null && server instanceof HttpsServer
      ? new TlsCertificateReloader(server, config.tls, tlsCredentials, log)
      : null;
  tlsReloader?.watch();

  const deliver = createOutboxDeliverer(
    context,
    config.billingSinks.map((sink) => createBillingSink(sink, outbound)),
    extensions,
    extensionContext,
  );
  let closing = false;
  const runJobs = async () => {
    if (closing) return;
    await liveness
      .markAlive(now_ms())
      .catch((error: unknown) => log.warn('liveness.unrecorded', { error: (error as Error).message }));
    // A rotation another process sharing the store made: sign with its successor from this pass on.
    await ownKeys
      .useCurrentKey()
      .catch((error: unknown) => log.warn('keys.current_unreadable', { error: (error as Error).message }));
    context.rates.availability(now_ms()); // logs the moment the rates turn too old, with or without traffic
    // Processes sharing one database take turns at a sweep: two would only duplicate its work.
    await opened.sweep('clear-due-tabs', () => clearDueTabs(context, now_ms()));
    await opened.sweep('lapse-overdue-holds', () => lapseOverdueHolds(context, now_ms()));
    // Twice the window: a message may arrive up to one window after its iat, and be replayed up to one window
    // after that.
    await opened.sweep('prune-receipts', () => context.receipts.prune(now_ms() - 2 * config.clockSkew_s * 1000));
    // One of the processes sharing a database may have stopped mid-registration while the others run on.
    if (storage.kind === 'postgres')
      await opened.sweep('void-interrupted-registrations', () =>
        voidInterruptedRegistrations(context, now_ms(), now_ms() - REGISTRATION_BOUND_MS),
      );
    await context.storage.deliverDueOutbox(now_ms(), deliver);
    // The charts' minute sample: a failed read costs a point on a chart, never the pass.
    const sampledAt_ms = now_ms();
    await context.figureHistory
      .recordIfDue(sampledAt_ms, () => figuresOf(context, sampledAt_ms))
      .catch((error: unknown) => log.warn('figures.sample_failed', { error: (error as Error).message }));
    // Last: it may wait for an MTA that does not answer, and nothing else in the pass should. Each
    // process claims the openings it asks about, so no lock is held while it waits.
    await settleStalledOpenings(context, now_ms(), liveness.processId);
  };
  let timer: NodeJS.Timeout | null = null;
  let rateTimer: NodeJS.Timeout | null = null;
  // Passes run one after another, whether the timer or a caller starts them: a caller's pass
  // never finds the outbox busy with the timer's and returns without delivering.
  let running: Promise<void> = Promise.resolve();
  let queued = 0;
  const runJobsInTurn = (): Promise<void> => {
    queued++;
    const pass = running.then(runJobs).finally(() => queued--);
    running = pass.catch((error: unknown) => log.warn('jobs.failed', { error: (error as Error).message }));
    return pass;
  };
  if (options.backgroundJobs ?? true) {
    // A tick that finds a pass still under way (one waiting for an MTA, say) adds none behind it.
    timer = setInterval(() => {
      if (queued === 0) void runJobsInTurn().catch(() => undefined);
    }, config.tick_ms);
    timer.unref();
    // Apart from the jobs: a slow rate source must not hold up clearing and the outbox.
    rateTimer = setInterval(() => void rateFeed.refreshIfDue(now_ms()), config.tick_ms);
    rateTimer.unref();
  }
  // A remote source is first read now, while the operator already serves.
  void rateFeed.refreshIfDue(now_ms());
  context.rates.availability(now_ms());
  log.info('operator.started', {
    url,
    currency: config.currency,
    peers: config.peers.map((peer) => peer.operatorId).join(',') || 'none',
  });

  return {
    url,
    context,
    sqlite,
    rateFeed,
    runJobs: runJobsInTurn,
    reloadTlsCertificate: () => tlsReloader?.reload() ?? null,
    async close() {
      closing = true;
      if (timer !== null) clearInterval(timer);
      if (rateTimer !== null) clearInterval(rateTimer);
      tlsReloader?.close();
      await Promise.all([running, rateFeed.close()]);
      await liveness
        .stop()
        .catch((error: unknown) => log.warn('liveness.unrecorded', { error: (error as Error).message }));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await opened.close();
      log.info('operator.stopped');
    },
  };
}

/** The files were checked when the configuration was loaded; they may have changed since. */
function tlsCredentialsOf(files: TlsFiles): TlsCredentials {
  const read = readTlsCredentials(files);
  if (!read.ok) throw new ConfigError(`cannot serve TLS:\n  ${read.problems.join('\n  ')}`);
  return read.credentials;
}
