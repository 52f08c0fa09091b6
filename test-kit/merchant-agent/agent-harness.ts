// One merchant agent behind a real node:http server on 127.0.0.1, a stand-in MTA and a SQLite
// file in a fresh temp directory: the world most agent tests run in.

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
import { StandInMta, type TabTerms } from './stand-in-mta';
import { TestCustomer } from './test-customer';

export const MERCHANT_ID = 'test-news';

export const TEST_CATALOGUE = [
  { itemId: 'article-1', title: 'A one-cent brief', price: '0.01' },
  { itemId: 'article-2', title: 'A five-cent article', price: '0.05' },
  { itemId: 'article-3', title: 'A long read', price: '0.25', access_s: 7 * 86_400 },
  { itemId: 'ebook-1', title: 'An e-book', price: '1.00' },
  { itemId: 'tip-1', title: 'A tip for the author', price: '0.10', kind: 'consumable' },
] as const;

export const eur = (value: string): WireAmount => ({ currency: 'EUR', value });

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
  readonly config: MerchantAgentConfig;

  private constructor(
    readonly dir: string,
    readonly mta: StandInMta,
    readonly clock: ManualClock,
    overrides: Partial<MerchantAgentConfig>,
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
      databasePath: join(dir, 'agent.sqlite'),
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
    const harness = new AgentHarness(mkdtempSync(join(tmpdir(), 'opentab-agent-')), mta, new ManualClock(), overrides);
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
export async function eventually(condition: () => boolean, timeout_ms = 5000): Promise<void> {
  const deadline = Date.now() + timeout_ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
