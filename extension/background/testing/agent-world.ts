// The customer agent against the real thing: the operator suite's two-operator world (a SEK
// operator for customers, a EUR operator for merchants, a real merchant agent on HTTP) plus a
// customer account with an enrolment code, and an agent over in-memory storage that can be
// "restarted" (rebuilt over the same database and session area) like an MV3 service worker.
// The agent, the operators and the merchant agent all read one manual clock (ports.clock).

import { afterEach, beforeEach } from 'vitest';
import { nobleCrypto } from '../../../protocol/crypto/noble';
import type { BridgeCall, BridgeParams } from '../../../protocol/messages/bridge';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  type TwoOperatorWorld,
  type TwoOperatorWorldOptions,
} from '../../../operator-server/test/support/world';
import { PAGE_CALL_CHANNEL, type PageCallResult } from '../../messaging/page-calls';
import { UI_CALL_CHANNEL, type UiCall, type UiCallResult, type UiCalls } from '../../messaging/ui-calls';
import type { ConfirmDecision, ConfirmationView } from '../../messaging/views';
import { createCustomerAgent, type CustomerAgent } from '../agent';
import type { AgentDatabase } from '../storage/database';
import { createMemoryDatabase } from '../storage/memory-database';
import { createMemorySessionArea, type SessionArea } from '../storage/session-area';
import type { PageCaller } from '../tabs/tab-service';
import { ManualClock, TEST_SCRYPT_COST, createTestPorts, type TestPorts } from './test-ports';

export { CUSTOMER_OPERATOR, MERCHANT_OPERATOR };
export const PASSPHRASE = 'correct horse battery staple';

export const eur = (value: string) => ({ currency: 'EUR', value });
// Items of the world's catalogue, as a page asks to pay for them: article-i costs 1 + (7i mod 23) cents.
export const ARTICLE_1 = { itemId: 'article-1', price: eur('0.08') };
export const ARTICLE_2 = { itemId: 'article-2', price: eur('0.15') };
export const ARTICLE_4 = { itemId: 'article-4', price: eur('0.06') };

export interface AgentWorld {
  readonly world: TwoOperatorWorld;
  readonly db: AgentDatabase;
  readonly session: SessionArea;
  readonly ports: TestPorts;
  /** The current agent; replaced by restart(). */
  agent: CustomerAgent;
  /** What the customer answers in each confirmation window; every question is kept in `asked`. */
  customer: (view: ConfirmationView) => ConfirmDecision;
  readonly asked: ConfirmationView[];
  /** The merchant's shop page origin (the one its certificate lists). */
  readonly shopOrigin: string;
  readonly merchant: { merchantId: string; operatorId: string };
  operatorUrl(): string;
  newEnrolmentCode(creditLimit?: string): Promise<{ accountId: string; code: string }>;
  ui<C extends UiCall>(call: C, params: UiCalls[C]['params']): Promise<UiCallResult<C>>;
  page<C extends BridgeCall>(call: C, params: BridgeParams<C>, caller?: Partial<PageCaller>): Promise<PageCallResult<C>>;
  /** A fresh wallet, enrolled with the SEK operator. */
  readyWallet(creditLimit?: string): Promise<{ accountId: string }>;
  /** Drops the agent (all worker memory) and builds a new one over the same storage. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startAgentWorld(options: TwoOperatorWorldOptions = {}): Promise<AgentWorld> {
  const clock = new ManualClock();
  const world = await startTwoOperatorWorld({ ...options, clock });
  const db = createMemoryDatabase();
  const session = createMemorySessionArea();
  const ports = createTestPorts(clock);
  const asked: ConfirmationView[] = [];
  const build = () => createCustomerAgent({ db, session, ports, crypto: nobleCrypto, scryptCost: TEST_SCRYPT_COST });
  const shopOrigin = world.merchant.url;
  const merchantOperatorId = options.sameOperator ? CUSTOMER_OPERATOR : MERCHANT_OPERATOR;

  const self: AgentWorld = {
    world,
    db,
    session,
    ports,
    agent: build(),
    customer: () => ({ kind: 'approve' }),
    asked,
    shopOrigin,
    merchant: { merchantId: world.merchantId, operatorId: merchantOperatorId },
    operatorUrl: () => world.world.operator(CUSTOMER_OPERATOR).url,
    async newEnrolmentCode(creditLimit = '500.00') {
      const admin = world.world.operator(CUSTOMER_OPERATOR).admin;
      const { accountId } = await admin.call('createCustomer', { creditLimit: { currency: 'SEK', value: creditLimit } });
      const { code } = await admin.call('enrollmentCode', {}, { accountId });
      return { accountId, code };
    },
    // The handlers answer each call with its own result type; the maps say which one.
    ui: <C extends UiCall>(call: C, params: UiCalls[C]['params']) =>
      self.agent.handleUiCall({ channel: UI_CALL_CHANNEL, call, params }) as Promise<UiCallResult<C>>,
    page: <C extends BridgeCall>(call: C, params: BridgeParams<C>, caller: Partial<PageCaller> = {}) =>
      self.agent.handlePageCall({ channel: PAGE_CALL_CHANNEL, call, params }, { origin: shopOrigin, browserTabId: 1, ...caller }) as Promise<PageCallResult<C>>,
    async readyWallet(creditLimit) {
      const { accountId, code } = await self.newEnrolmentCode(creditLimit);
      expectOk(await self.ui('createWallet', { passphrase: PASSPHRASE }));
      expectOk(await self.ui('enroll', { operatorUrl: self.operatorUrl(), code }));
      return { accountId };
    },
    async restart() {
      self.agent = build();
      await self.agent.onStartup();
    },
    close: () => world.close(),
  };
  ports.windows.answer = (requestId) => {
    const view = self.agent.broker.view(requestId);
    if (!view) return;
    asked.push(view);
    void self.ui('confirmDecision', { requestId, decision: self.customer(view) });
  };
  return self;
}

export function expectOk<T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** A fresh agent world for every test of the file, handed to `prepare` before the test runs, and closed after it. */
export function agentWorldPerTest(prepare: (world: AgentWorld) => void | Promise<void>, options: TwoOperatorWorldOptions = {}): void {
  let current: AgentWorld | null = null;
  beforeEach(async () => {
    current = await startAgentWorld(options);
    await prepare(current);
  });
  afterEach(async () => {
    const world = current;
    current = null;
    await world?.close();
  });
}
