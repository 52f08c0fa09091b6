// One merchant agent behind a real node:http server on 127.0.0.1, a stand-in MTA and a store of
// its own: the world most agent tests run in. The store is a SQLite file in a fresh temp directory,
// or, when OPENTAB_AGENT_STORE=postgres (the vitest project `postgres`), a fresh database on the
// run's PostgreSQL cluster: one suite, run once per store.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import { ManualClock } from '../manual-clock';
import type { TabInformation, TabInformationAck } from '@opentab/protocol';
import type { WireAmount } from '@opentab/protocol';
import { createMerchantAgent, type MerchantAgent, type MerchantAgentConfig } from '@opentab/merchant-agent';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { AgentStoreConfig } from '@opentab/merchant-agent/store';
import { StandInMta, type TabTerms } from './stand-in-mta';
import { TestCustomer } from './test-customer';
import { freshPostgresStore, storeKindUnderTest } from '../store-under-test';

export const MERCHANT_ID = 'test-news';

export const TEST_CATALOGUE = [
  { itemId: 'article-1', title: 'A one-cent brief', price: '0.01' },
  { itemId: 'article-2', title: 'A five-cent article', price: '0.05' },
  { itemId: 'article-3', title: 'A long read', price: '0.25', access_s: 7 * 86_400 },
  { itemId: 'ebook-1', title: 'An e-book', price: '1.00' },
  { itemId: 'tip-1', title: 'A tip for the author', price: '0.10', kind: 'consumable' },
] as const;

export const eur = (value: string): WireAmount => ({ currency: 'EUR', value });

export type AgentStoreKind = AgentStoreConfig['kind'];

/** The store the agent tests of this run use. */
export function agentStoreKindUnderTest(): AgentStoreKind {
  return storeKindUnderTest('OPENTAB_AGENT_STORE');
}

/** The agent's own tables with the key their rows are ordered by, for snapshots of everything it keeps. */
const AGENT_TABLES = {
  tabs: 'tab_id',
  purchases: 'purchase_id',
  replies: 'message_id',
  record_outbox: 'tab_id',
  dispute_decisions: 'tab_id',
};

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export interface OpenedTab {
  readonly tabId: string;
  readonly customer: TestCustomer;
  readonly information: TabInformation;
  readonly ack: TabInformationAck;
}

export class AgentHarness {
  agent!: MerchantAgent;
  private server!: Server;
  /** A connection of the test's own to the agent's PostgreSQL database, opened on first use. */
  private reader: Promise<pg.Client> | null = null;
  readonly config: MerchantAgentConfig;

  private constructor(
    readonly dir: string,
    readonly mta: StandInMta,
    readonly clock: ManualClock,
    overrides: Partial<MerchantAgentConfig>,
    store: AgentStoreConfig,
  ) {
    this.config = {
      merchantId: MERCHANT_ID,
      displayName: 'Test News',
      operatorId: mta.operatorId,
      operatorBaseUrl: mta.baseUrl,
      operatorPublicKey: mta.operatorPublicKey,
      merchantSecretKey: toBase64url(nodeCrypto.ed25519.generateSecretKey()),
      currency: 'EUR',
      catalogue: TEST_CATALOGUE,
      store,
      accessTokenSecret: toBase64url(nodeCrypto.randomBytes(32)),
      clock,
      recordRetryBase_ms: 20,
      recordRetryMax_ms: 200,
      expiryCheckInterval_ms: 3_600_000,
      logger: { warn: () => undefined },
      ...overrides,
    };
  }

  static async start(overrides: Partial<MerchantAgentConfig> = {}): Promise<AgentHarness> {
    const mta = await StandInMta.start();
    const dir = mkdtempSync(join(tmpdir(), 'opentab-agent-'));
    const harness = new AgentHarness(dir, mta, new ManualClock(), overrides, await storeFor(dir, overrides));
    harness.agent = await createMerchantAgent(harness.config);
    mta.registerMerchant(MERCHANT_ID, harness.agent.publicKey);
    harness.server = createServer((request, response) => {
      void harness.agent.handle(request, response).then((handled) => {
        if (!handled) response.writeHead(404).end('not the agent');
      });
    });
    await new Promise<void>((resolve) => harness.server.listen(0, '127.0.0.1', resolve));
    return harness;
  }

  get storeKind(): AgentStoreKind {
    return this.storeConfig.kind;
  }

  /** The agent's SQLite file; for the tests about that file itself. */
  get sqlitePath(): string {
    const store = this.storeConfig;
    if (store.kind !== 'sqlite') throw new Error('this harness keeps its agent on PostgreSQL, not in a SQLite file');
    return store.path;
  }

  private get storeConfig(): AgentStoreConfig {
    return this.config.store!;
  }

  /** Runs one query on the agent's store through a connection of its own (positional parameters: ?). */
  async query(sql: string, parameters: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    const store = this.storeConfig;
    if (store.kind === 'sqlite') {
      const db = new Database(store.path, { readonly: true });
      try {
        return db.prepare(sql).all(...parameters) as Record<string, unknown>[];
      } finally {
        db.close();
      }
    }
    this.reader ??= (async () => {
      const client = new pg.Client({ connectionString: store.url });
      await client.connect();
      return client;
    })();
    let index = 0;
    const numbered = sql.replace(/\?/g, () => `$${++index}`);
    return (await (await this.reader).query(numbered, [...parameters])).rows;
  }

  /** Per table, its row count and a digest of its rows: tells whether a request changed anything. */
  async storedRowDigests(): Promise<Record<string, string>> {
    const digests: Record<string, string> = {};
    for (const [table, key] of Object.entries(AGENT_TABLES)) {
      const rows = await this.query(`SELECT * FROM ${table} ORDER BY ${key}`);
      const text = JSON.stringify(rows, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
      digests[table] = `${rows.length} rows, ${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    }
    return digests;
  }

  /** Every row the agent keeps, table by table: what "writes nothing" is checked against. */
  async storedRows(): Promise<unknown> {
    const rows: Record<string, unknown> = {};
    for (const [table, key] of Object.entries(AGENT_TABLES))
      rows[table] = await this.query(`SELECT * FROM ${table} ORDER BY ${key}`);
    return rows;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get agentUrl(): string {
    return `${this.origin}/opentab`;
  }

  /** Closes the agent and opens a new one on the same database file, as a merchant restart does. */
  async restartAgent(): Promise<void> {
    await this.agent.close();
    this.agent = await createMerchantAgent(this.config);
  }

  async openTab(terms: Partial<TabTerms> & { chainLength?: number } = {}): Promise<OpenedTab> {
    const customer = new TestCustomer(terms.chainLength ?? 100);
    const information = this.tabInformation(customer, terms);
    const ack = await this.mta.announceTab(this.agentUrl, information);
    return { tabId: information.payload.tabId, customer, information, ack };
  }

  tabInformation(customer: TestCustomer, terms: Partial<TabTerms> & { chainLength?: number } = {}): TabInformation {
    return this.mta.tabInformation({
      merchantId: MERCHANT_ID,
      tabPublicKey: customer.tabPublicKey,
      deposit: eur('1.00'),
      chain: { root: customer.chain.commitment.root, unit: eur('0.01'), length: customer.chain.length },
      expiresAt_ms: this.clock.now_ms() + 600_000,
      now_ms: this.clock.now_ms(),
      ...terms,
    });
  }

  async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return this.request(path, {
      method: 'POST',
      body: text,
      headers: { 'content-type': 'application/json', ...headers },
    });
  }

  async request(path: string, init: RequestInit = {}): Promise<HttpAnswer> {
    const response = await fetch(`${this.agentUrl}${path}`, init);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (widget.js, HEAD): keep the text.
    }
    return { status: response.status, headers: response.headers, body };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.agent.close();
    if (this.reader !== null) await (await this.reader).end();
    await this.mta.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The error code of a refusal body, for compact assertions. */
export function errorCode(answer: HttpAnswer): string | undefined {
  const error = (answer.body as { error?: { code?: string } } | null)?.error;
  return error?.code;
}

/** Polls until `condition` holds, failing after `timeout_ms`. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeout_ms = 5000): Promise<void> {
  const deadline = Date.now() + timeout_ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The store of an agent under test: a SQLite file `path` names, or a new PostgreSQL database for
 * the postgres run. Extensions work on the SQLite file only, so an agent with extensions stays on SQLite.
 */
export async function agentStoreUnderTest(
  path: string,
  options: { readonly extensions?: readonly unknown[] } = {},
): Promise<AgentStoreConfig> {
  if (agentStoreKindUnderTest() === 'sqlite' || (options.extensions ?? []).length > 0) return { kind: 'sqlite', path };
  return freshPostgresStore('agent');
}

/** A store of the kind under test for one agent: a SQLite file in `dir`, or a fresh PostgreSQL database. */
export function storeFor(dir: string, overrides: Partial<MerchantAgentConfig> = {}): Promise<AgentStoreConfig> {
  return agentStoreUnderTest(join(dir, 'agent.sqlite'), overrides);
}
