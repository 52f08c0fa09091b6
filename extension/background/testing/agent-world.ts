// The customer agent against the real thing: the operator suite's two-operator world (a SEK
// operator for customers, a EUR operator for merchants, a real merchant agent on HTTP) plus a
// customer account with an enrolment code, and an agent over in-memory storage that can be
// "restarted" (rebuilt over the same database and session area) like an MV3 service worker.
// The agent, the operators and the merchant agent all read one manual clock (ports.clock).

import { afterEach, beforeEach } from 'vitest';
import { nobleCrypto } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/test-kit';
import { toBase64url } from '@opentab/protocol';
import type { BridgeCall, BridgeParams, BridgeResult } from '@opentab/protocol';
import {
  CUSTOMER_OPERATOR,
  hundredArticles,
  MERCHANT_OPERATOR,
  startMerchantSite,
  startTwoOperatorWorld,
  type MerchantSite,
  type TwoOperatorWorld,
  type TwoOperatorWorldOptions,
} from '@opentab/test-kit/worlds';
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
export const sek = (value: string) => ({ currency: 'SEK', value });
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
  /** What the customer does when a payment opens the unlock prompt (window `windowId`); by default, closes it. */
  atUnlockPrompt: (windowId: number) => void;
  readonly asked: ConfirmationView[];
  /** The merchant's shop page origin (the one its certificate lists). */
  readonly shopOrigin: string;
  readonly merchant: { merchantId: string; operatorId: string };
  operatorUrl(): string;
  newEnrolmentCode(creditLimit?: string): Promise<{ accountId: string; code: string }>;
  ui<C extends UiCall>(call: C, params: UiCalls[C]['params']): Promise<UiCallResult<C>>;
  page<C extends BridgeCall>(
    call: C,
    params: BridgeParams<C>,
    caller?: Partial<PageCaller>,
  ): Promise<PageCallResult<C>>;
  /** A fresh wallet, enrolled with the SEK operator. */
  readyWallet(creditLimit?: string): Promise<{ accountId: string }>;
  /** Drops the agent (all worker memory) and builds a new one over the same storage. */
  restart(): Promise<void>;
  /** The merchant's site as it runs now: the world's own, or the one startMerchant() started in its place. */
  merchantSite(): MerchantSite;
  /** Stops the merchant agent and its server: connections to its address are refused until startMerchant(). */
  stopMerchant(): Promise<void>;
  /** Starts the merchant agent again, as after a crash: a new process over the same database, key and address. */
  startMerchant(): Promise<void>;
  close(): Promise<void>;
}

export interface AgentWorldOptions extends Omit<TwoOperatorWorldOptions, 'clock'> {
  /** One clock for everyone (operators, merchant agent, customer agent); a new one, set to now, when absent. */
  readonly clock?: ManualClock;
}

export async function startAgentWorld(options: AgentWorldOptions = {}): Promise<AgentWorld> {
  // Known here, so that a restarted merchant agent signs with the key its operator registered.
  const merchantSecretKey = options.merchantSecretKey ?? toBase64url(nodeCrypto.randomBytes(32));
  const clock = options.clock ?? new ManualClock();
  const world = await startTwoOperatorWorld({ ...options, merchantSecretKey, clock });
  let merchantSite: MerchantSite = world.merchant;
  const db = createMemoryDatabase();
  const session = createMemorySessionArea();
  const ports = createTestPorts(clock);
  const asked: ConfirmationView[] = [];
  const build = () => createCustomerAgent({ db, session, ports, crypto: nobleCrypto, scryptCost: TEST_SCRYPT_COST });
  const shopOrigin = world.merchant.url;
  const merchantOperatorId = options.sameOperator ? CUSTOMER_OPERATOR : MERCHANT_OPERATOR;
  const merchantOperator = world.world.operator(merchantOperatorId);

  const self: AgentWorld = {
    world,
    db,
    session,
    ports,
    agent: build(),
    customer: () => ({ kind: 'approve' }),
    atUnlockPrompt: (windowId) => self.agent.unlockPrompt.windowClosed(windowId),
    asked,
    shopOrigin,
    merchant: { merchantId: world.merchantId, operatorId: merchantOperatorId },
    operatorUrl: () => world.world.operator(CUSTOMER_OPERATOR).url,
    async newEnrolmentCode(creditLimit = '500.00') {
      const admin = world.world.operator(CUSTOMER_OPERATOR).admin;
      const { accountId } = await admin.call('createCustomer', {
        creditLimit: { currency: 'SEK', value: creditLimit },
      });
      const { code } = await admin.call('enrollmentCode', {}, { accountId });
      return { accountId, code };
    },
    // The handlers answer each call with its own result type; the maps say which one.
    ui: <C extends UiCall>(call: C, params: UiCalls[C]['params']) =>
      self.agent.handleUiCall({ channel: UI_CALL_CHANNEL, call, params }) as Promise<UiCallResult<C>>,
    page: <C extends BridgeCall>(call: C, params: BridgeParams<C>, caller: Partial<PageCaller> = {}) =>
      self.agent.handlePageCall(
        { channel: PAGE_CALL_CHANNEL, call, params },
        { origin: shopOrigin, browserTabId: 1, ...caller },
      ) as Promise<PageCallResult<C>>,
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
    merchantSite: () => merchantSite,
    stopMerchant: () => merchantSite.close(),
    async startMerchant() {
      merchantSite = await startMerchantSite({
        merchantId: world.merchantId,
        operatorId: merchantOperator.operatorId,
        operatorUrl: merchantOperator.url,
        operatorPublicKey: merchantOperator.running.context.identity.signer.kid,
        currency: options.sameOperator ? 'SEK' : 'EUR',
        catalogue: options.catalogue ?? hundredArticles(),
        dir: world.dir,
        merchantSecretKey,
        port: Number(new URL(world.merchant.url).port),
        clock,
      });
    },
    async close() {
      // Closing a site twice is harmless: the world closes its own, this the one started in its place.
      await merchantSite.close();
      await world.close();
    },
  };
  // Unless a test says otherwise, the customer closes the unlock prompt: the wallet stays locked.
  ports.windows.atUnlockPrompt = (windowId) => self.atUnlockPrompt(windowId);
  ports.windows.answer = (requestId) => {
    const view = self.agent.broker.view(requestId);
    if (!view) return;
    asked.push(view);
    void self.ui('confirmDecision', { requestId, decision: self.customer(view) });
  };
  return self;
}

export function expectOk<T>(
  result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } },
): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The answer of a pay call that charged: its receipt (an `owned` answer, which charges nothing, fails the test). */
export function expectPaid(result: PageCallResult<'pay'>): Extract<BridgeResult<'pay'>, { kind: 'paid' }> {
  const answer = expectOk(result);
  if (answer.kind !== 'paid') throw new Error(`expected a paid purchase, got ${answer.kind}`);
  return answer;
}

/** A fresh agent world for every test of the file, handed to `prepare` before the test runs, and closed after it. */
export function agentWorldPerTest(
  prepare: (world: AgentWorld) => void | Promise<void>,
  options: AgentWorldOptions = {},
): void {
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
