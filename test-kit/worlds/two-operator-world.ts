// The standard test world of the operator suite: a customer operator in SEK, a merchant operator
// in EUR (trusting each other through one CA), a real merchant agent on its own HTTP server
// registered at the EUR operator, and an enrolled customer with a credit limit at the SEK one.
// Operators and merchant agent share one manual clock: timeouts, grace periods, deadlines and
// retries come due only when a test advances it, never because the machine was slow.

import { afterEach, beforeEach } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { nodeCrypto } from '@opentab/server-kit';
import { createNodeHttpTransport } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import {
  createMerchantAgent,
  type AgentExtension,
  type MerchantAgent,
  type CatalogueEntry,
  type MerchantAgentConfig,
} from '@opentab/merchant-agent';
import type { Clock } from '@opentab/merchant-agent';
import { ManualClock } from '../manual-clock';
import { agentStoreUnderTest } from '../merchant-agent/agent-harness';
import type { AgentStoreConfig } from '@opentab/merchant-agent/store';
import { assertStoredLedgerInvariants, type LedgerInvariantOptions } from '@opentab/operator-server/store';
import { startOperatorWorld, type OperatorWorld, type WorldTls } from './operator-world';
import { TestCustomer } from './test-customer';
import type { OperatorConfigInput, OperatorStoreSettings } from '@opentab/operator-server';
import type { OperatorExtension } from '@opentab/operator-server/extension';
import type { BillingRecord } from '@opentab/operator-server';
import { parseBillingJsonl } from '@opentab/operator-server';
import { waitFor } from '../wait-for';

export const CUSTOMER_OPERATOR = 'op-se';
export const MERCHANT_OPERATOR = 'op-eu';
/** How long the MTA waits for a missing record once the first has come (or the tab timed out). */
export const RECORD_GRACE_MS = 1_000;
/** The shortest tab timeout the world's operators accept. */
export const MIN_TIMEOUT_MS = 10_000;
/** How often the merchant agent looks for tabs past their timeout. */
export const MERCHANT_EXPIRY_CHECK_MS = 50;
/** The longest the merchant agent waits before it tries an undelivered record again. */
export const MERCHANT_RECORD_RETRY_MAX_MS = 200;

/** 100 articles priced 0.01 to 0.23 EUR: 1 + (7i mod 23) cents. */
export function hundredArticles(): CatalogueEntry[] {
  return Array.from({ length: 100 }, (_, k) => {
    const i = k + 1;
    const cents = 1 + ((i * 7) % 23);
    return { itemId: `article-${i}`, title: `Article ${i}`, price: `0.${String(cents).padStart(2, '0')}` };
  });
}

export interface MerchantSite {
  readonly agent: MerchantAgent;
  readonly url: string;
  readonly agentUrl: string;
  /** The agent's SQLite file; throws when the run keeps the agent on PostgreSQL (see `store`). */
  readonly databasePath: string;
  /** Where the agent keeps its state: a SQLite file, or (the postgres run) a PostgreSQL database. */
  readonly store: AgentStoreConfig;
  /** The agent stops (its timers, its outbox, its database), as its process would; the server answers 503 meanwhile. */
  stopAgent(): Promise<void>;
  /** A new agent on the same database file and keys, as after a restart. */
  startAgent(): Promise<void>;
  /** false: the merchant's server answers every request with a 503 (down for maintenance), until set true again. */
  setAvailable(available: boolean): void;
  /**
   * The next `count` requests to the agent route `path` (e.g. '/mta/tab-information') are handled
   * in full, their effects committed, and then the connection is cut before the answer leaves:
   * what a stop of the merchant's server between its commit and its answer looks like to the caller.
   */
  loseAnswers(path: string, count?: number): void;
  /** Requests to the agent route `path` get a 503, as from a proxy in front of it, until unblocked. */
  blockRoute(path: string, blocked?: boolean): void;
  /**
   * Another agent of the same merchant on the same PostgreSQL database, with a server and a pool
   * of its own, as a second process behind a load balancer would be; closed with the site.
   */
  startPeerAgent(): Promise<PeerAgent>;
  close(): Promise<void>;
}

export interface PeerAgent {
  readonly agent: MerchantAgent;
  readonly agentUrl: string;
}

export interface MerchantSiteOptions {
  readonly merchantId: string;
  readonly operatorUrl: string;
  readonly operatorPublicKey: string;
  readonly operatorId: string;
  readonly currency: string;
  readonly catalogue: readonly CatalogueEntry[];
  readonly dir: string;
  readonly merchantSecretKey?: string;
  readonly port?: number;
  /** Routes and tables the agent adds from outside (@opentab/merchant-agent/extension). */
  readonly extensions?: readonly AgentExtension[];
  /** The agent's clock; the system clock when absent. */
  readonly clock?: Clock;
  /** The agent delivers the prepared products of this folder (secure delivery). */
  readonly delivery?: { readonly productsDirectory: string; readonly maxAttempts?: number };
  /** The agent's rate limits; its defaults when absent. */
  readonly rateLimit?: MerchantAgentConfig['rateLimit'];
  /** The site serves https with this certificate, and its agent trusts the CA that signed the operator's. */
  readonly tls?: { readonly certificatePem: string; readonly keyPem: string; readonly caCertificatePem: string };
  /** The merchant's logins to its dashboard and admin API; none when absent. */
  readonly adminLogins?: MerchantAgentConfig['adminLogins'];
  /** Where the agent keeps its data; a SQLite file in `dir` when absent. */
  readonly store?: MerchantAgentConfig['store'];
}

export async function startMerchantSite(options: MerchantSiteOptions): Promise<MerchantSite> {
  const store =
    options.store ?? (await agentStoreUnderTest(join(options.dir, `${options.merchantId}.sqlite`), options));
  const merchantSecretKey = options.merchantSecretKey ?? toBase64url(nodeCrypto.randomBytes(32));
  const accessTokenSecret = toBase64url(nodeCrypto.randomBytes(32));
  const peers: Array<{ agent: MerchantAgent; server: Server }> = [];
  const startAgent = () =>
    createMerchantAgent({
      merchantId: options.merchantId,
      displayName: `Shop ${options.merchantId}`,
      operatorId: options.operatorId,
      operatorBaseUrl: options.operatorUrl,
      operatorPublicKey: options.operatorPublicKey,
      merchantSecretKey,
      currency: options.currency,
      catalogue: options.catalogue,
      store,
      accessTokenSecret,
      recordRetryBase_ms: 50,
      recordRetryMax_ms: MERCHANT_RECORD_RETRY_MAX_MS,
      expiryCheckInterval_ms: MERCHANT_EXPIRY_CHECK_MS,
      logger: { warn: () => {} },
      ...(options.extensions !== undefined ? { extensions: options.extensions } : {}),
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
      ...(options.delivery !== undefined ? { delivery: options.delivery } : {}),
      ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
      ...(options.adminLogins !== undefined ? { adminLogins: options.adminLogins } : {}),
      ...(options.tls !== undefined ? { operatorTrustedCaCertificates: [options.tls.caCertificatePem] } : {}),
    });
  let agent = await startAgent();
  let agentRunning = true;
  let available = true;
  const answersToLose = new Map<string, number>();
  const blockedRoutes = new Set<string>();
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const route = (request.url ?? '').slice(agent.mountPath.length);
    if (!available || !agentRunning || blockedRoutes.has(route)) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
      return;
    }
    const toLose = answersToLose.get(route) ?? 0;
    if (toLose > 0) {
      answersToLose.set(route, toLose - 1);
      // Headers and body are written through end(): the status line and headers leave, then the
      // connection ends before the body. The caller sees its answer begin and break off, which no
      // client may take for a connection closed before the request (and so send it again).
      response.end = (() => {
        response.flushHeaders();
        request.socket.end();
        return response;
      }) as typeof response.end;
    }
    void agent.handle(request, response).then((handled) => {
      if (!handled) response.writeHead(404).end();
    });
  };
  const server: Server =
    options.tls === undefined
      ? createServer(handler)
      : createHttpsServer({ cert: options.tls.certificatePem, key: options.tls.keyPem }, handler);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get agent() {
      return agent;
    },
    url,
    agentUrl: `${url}${agent.mountPath}`,
    get databasePath() {
      if (store.kind !== 'sqlite') throw new Error('this run keeps the agent on PostgreSQL, not in a SQLite file');
      return store.path;
    },
    store,
    async stopAgent() {
      agentRunning = false;
      await agent.close();
    },
    async startAgent() {
      agent = await startAgent();
      agentRunning = true;
    },
    setAvailable(value) {
      available = value;
    },
    loseAnswers(path, count = 1) {
      answersToLose.set(path, count);
    },
    blockRoute(path, blocked = true) {
      if (blocked) blockedRoutes.add(path);
      else blockedRoutes.delete(path);
    },
    async startPeerAgent() {
      if (store.kind !== 'postgres')
        throw new Error('only agents on PostgreSQL share their store with another process');
      const peer = await startAgent();
      const peerServer = createServer((request, response) => {
        void peer.handle(request, response).then((handled) => {
          if (!handled) response.writeHead(404).end();
        });
      });
      await new Promise<void>((resolve) => peerServer.listen(0, '127.0.0.1', resolve));
      peers.push({ agent: peer, server: peerServer });
      return {
        agent: peer,
        agentUrl: `http://127.0.0.1:${(peerServer.address() as AddressInfo).port}${peer.mountPath}`,
      };
    },
    async close() {
      for (const peer of peers) {
        await peer.agent.close();
        await closeServer(peer.server);
      }
      if (agentRunning) await agent.close();
      await closeServer(server);
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface TwoOperatorWorld {
  readonly world: OperatorWorld;
  readonly merchant: MerchantSite;
  readonly merchantId: string;
  readonly dir: string;
  /** The clock of both operators and the merchant agent; it moves only when the test advances it. */
  readonly clock: ManualClock;
  /** Advances the clock by `by_ms` and runs each operator's background jobs once at the new time. */
  elapse(by_ms: number): Promise<void>;
  /**
   * Runs now, without moving the clock, what background work is due: each operator's jobs, the
   * merchant agent's records, and the jobs again for what those records set off. A test that
   * compares tables around a request settles first, so no timer of the real clock falls between.
   */
  settleBackgroundWork(): Promise<void>;
  /** Resolves once the MTA has acknowledged the merchant agent's record of `tabId`. */
  merchantRecordAcknowledged(tabId: string): Promise<void>;
  /** A fresh customer account with this credit limit (SEK), enrolled and logged on. */
  newCustomer(creditLimit: string): Promise<TestCustomer>;
  /** The records the operator's JSONL sink wrote, each checked against the schema: throws on one that is not
   * a billing record. */
  billingRecords(operatorId: string): BillingRecord[];
  /** Rejects, naming each, when a ledger invariant of an operator of the world is broken (on either store). */
  assertInvariants(options?: LedgerInvariantOptions): Promise<void>;
  close(): Promise<void>;
}

export interface TwoOperatorWorldOptions {
  readonly sameOperator?: boolean;
  readonly catalogue?: readonly CatalogueEntry[];
  readonly settings?: Partial<OperatorConfigInput>;
  readonly merchantSecretKey?: string;
  /** The world's clock; a new one, set to now, when absent. */
  readonly clock?: ManualClock;
  /** Added to both operators and to the merchant agent (the benchmark's baseline is one such pair). */
  readonly extensions?: {
    readonly operator?: readonly OperatorExtension[];
    readonly agent?: readonly AgentExtension[];
  };
  /** Operators and the merchant's site serve https with this certificate; everyone trusts its CA. */
  readonly tls?: WorldTls;
  /** The merchant agent delivers the prepared products of this folder (prepared with `merchantSecretKey`). */
  readonly delivery?: { readonly productsDirectory: string; readonly maxAttempts?: number };
  /** The merchant agent's rate limits; its defaults when absent. */
  readonly agentRateLimit?: MerchantAgentConfig['rateLimit'];
  /** The merchant's logins to its dashboard and admin API; none when absent. */
  readonly adminLogins?: MerchantAgentConfig['adminLogins'];
  /** The store of each operator named here, by operator id; otherwise as `startOperatorWorld` chooses. */
  readonly stores?: Readonly<Record<string, OperatorStoreSettings>>;
}

export async function startTwoOperatorWorld(options: TwoOperatorWorldOptions = {}): Promise<TwoOperatorWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'opentab-op-test-'));
  const clock = options.clock ?? new ManualClock();
  const operators = options.sameOperator
    ? [{ operatorId: CUSTOMER_OPERATOR, currency: 'SEK' }]
    : [
        { operatorId: CUSTOMER_OPERATOR, currency: 'SEK' },
        { operatorId: MERCHANT_OPERATOR, currency: 'EUR' },
      ];
  const world = await startOperatorWorld({
    dir,
    operators,
    settings: {
      tick_ms: 20,
      tabs: { recordGrace_s: RECORD_GRACE_MS / 1000, minTimeout_s: MIN_TIMEOUT_MS / 1000 },
      ...options.settings,
    },
    ...(options.extensions?.operator !== undefined ? { extensions: options.extensions.operator } : {}),
    clock,
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
    ...(options.stores !== undefined ? { stores: options.stores } : {}),
  });
  const tlsPems =
    options.tls === undefined
      ? undefined
      : {
          certificatePem: readFileSync(options.tls.certificateFile, 'utf8'),
          keyPem: readFileSync(options.tls.keyFile, 'utf8'),
          caCertificatePem: readFileSync(options.tls.caCertificateFile, 'utf8'),
        };
  const customerTransport =
    tlsPems === undefined ? undefined : createNodeHttpTransport({ trustedCaCertificates: [tlsPems.caCertificatePem] });
  const merchantOperator = world.operator(options.sameOperator ? CUSTOMER_OPERATOR : MERCHANT_OPERATOR);
  const merchantCurrency = options.sameOperator ? 'SEK' : 'EUR';
  const merchantId = 'news';
  const merchant = await startMerchantSite({
    merchantId,
    operatorId: merchantOperator.operatorId,
    operatorUrl: merchantOperator.url,
    operatorPublicKey: merchantOperator.running.context.identity.signer.kid,
    currency: merchantCurrency,
    catalogue: options.catalogue ?? hundredArticles(),
    dir,
    ...(options.merchantSecretKey !== undefined ? { merchantSecretKey: options.merchantSecretKey } : {}),
    ...(options.extensions?.agent !== undefined ? { extensions: options.extensions.agent } : {}),
    ...(options.delivery !== undefined ? { delivery: options.delivery } : {}),
    ...(options.agentRateLimit !== undefined ? { rateLimit: options.agentRateLimit } : {}),
    ...(options.adminLogins !== undefined ? { adminLogins: options.adminLogins } : {}),
    clock,
    ...(tlsPems !== undefined ? { tls: tlsPems } : {}),
  });
  await merchantOperator.admin.call('registerMerchant', {
    merchantId,
    displayName: 'The Daily Tab',
    currency: merchantCurrency,
    origins: [merchant.url],
    agentUrl: merchant.agentUrl,
    publicKey: merchant.agent.publicKey,
  });
  const customerOperator = world.operator(CUSTOMER_OPERATOR);

  return {
    world,
    merchant,
    merchantId,
    dir,
    clock,
    async elapse(by_ms) {
      clock.advance(by_ms);
      for (const operator of Object.values(world.operators)) await operator.running.runJobs();
    },
    async settleBackgroundWork() {
      const runJobs = async () => {
        for (const operator of Object.values(world.operators)) await operator.running.runJobs();
      };
      await runJobs();
      await merchant.agent.flushRecords();
      await runJobs();
    },
    async merchantRecordAcknowledged(tabId) {
      await waitFor(
        `the MTA to acknowledge the merchant record of ${tabId}`,
        async () => (await merchant.agent.recordDelivery(tabId))?.acknowledged === true,
      );
    },
    async newCustomer(creditLimit) {
      const { accountId } = await customerOperator.admin.call('createCustomer', {
        creditLimit: { currency: 'SEK', value: creditLimit },
      });
      const { code } = await customerOperator.admin.call('enrollmentCode', {}, { accountId });
      return TestCustomer.enroll(customerOperator.url, code, {
        clock,
        ...(customerTransport !== undefined ? { transport: customerTransport } : {}),
      });
    },
    billingRecords(operatorId) {
      const file = world.operator(operatorId).billingFile;
      if (!existsSync(file)) return [];
      return parseBillingJsonl(readFileSync(file, 'utf8'), file);
    },
    async assertInvariants(invariantOptions = {}) {
      for (const operator of Object.values(world.operators))
        await assertStoredLedgerInvariants(operator.running.context.storage.ledger, invariantOptions);
    },
    async close() {
      await merchant.close();
      await world.close();
    },
  };
}

/**
 * A fresh world for every test of the file, handed to `receive` before the test runs; after it,
 * the ledger invariants of both operators are asserted and the world is closed.
 */
export function worldPerTest(receive: (world: TwoOperatorWorld) => void, options: TwoOperatorWorldOptions = {}): void {
  let current: TwoOperatorWorld | null = null;
  beforeEach(async () => {
    current = await startTwoOperatorWorld(options);
    receive(current);
  });
  afterEach(async () => {
    const world = current;
    current = null;
    if (world === null) return;
    try {
      await world.assertInvariants();
    } finally {
      await world.close();
    }
  });
}
