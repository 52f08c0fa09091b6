// A customer agent for server-side tests and benchmarks: the same protocol steps the extension
// takes (enrol, log on, rate table, initiation, purchases with chain links, record), in Node.

import { callRoute, type HttpTransport } from '@opentab/protocol';
import { MERCHANT_AGENT_API } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import { HashChain } from '@opentab/protocol';
import { purchaseListHash, type PurchaseLine } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import { nodeHttpTransport } from '@opentab/server-kit';
import { seal, signerFromSecretKey, type PayloadBody, type Signer } from '@opentab/protocol';
import { newMessageId } from '@opentab/protocol';
import type { AccountView, CustomerRecordPayload, InitiationPayload, TabOpened } from '@opentab/protocol';
import type { Purchase, Receipt, TerminatePayload, TabClosed } from '@opentab/protocol';
import type { RateTable } from '@opentab/protocol';
import type { RecordAck } from '@opentab/protocol';
import { moneyFromWire, moneyToWire, systemClock, type Clock, type WireAmount } from '@opentab/protocol';
import { depositInMerchantCurrency, lockRate } from '@opentab/protocol';

/** A customer in Node talks HTTP the way Node servers do: node:http costs a fraction of fetch's CPU, which matters to the benchmark. */
const NODE_HTTP = { transport: nodeHttpTransport } as const;

export class TestTab {
  readonly lines: PurchaseLine[] = [];
  private chainIndex = 0;
  readonly unit_minor: bigint;
  /** The tab's purchase-list key: sent to the merchant agent with every purchase, to no operator. */
  readonly listKey = nodeCrypto.randomBytes(32);

  constructor(
    readonly opened: TabOpened,
    readonly chain: HashChain,
    readonly tabSigner: Signer,
    private readonly call: { readonly transport: HttpTransport } = NODE_HTTP,
    /** The clock its messages are issued at: the customer's. */
    private readonly clock: Clock = systemClock,
  ) {
    this.unit_minor = moneyFromWire(opened.payload.chain.unit).minor;
  }

  get tabId(): string {
    return this.opened.payload.tabId;
  }

  get transactionId(): string {
    return this.opened.payload.transactionId;
  }

  get spent_minor(): bigint {
    return BigInt(this.chainIndex) * this.unit_minor;
  }

  /** The purchase message for the next item: reveals the link `price / unit` steps further. */
  nextPurchase(itemId: string, price: WireAmount): Purchase {
    const steps = Number(moneyFromWire(price).minor / this.unit_minor);
    const index = this.chainIndex + steps;
    return {
      type: 'purchase',
      id: newMessageId(nodeCrypto),
      tabId: this.tabId,
      seq: this.lines.length + 1,
      itemId,
      price,
      chainIndex: index,
      chainLink: this.chain.encodedLinkAt(index),
      listKey: toBase64url(this.listKey),
    };
  }

  /** Records a purchase the merchant accepted. */
  accepted(purchase: Purchase): void {
    this.lines.push({ seq: purchase.seq, itemId: purchase.itemId, price: purchase.price });
    this.chainIndex = purchase.chainIndex;
  }

  async buy(agentUrl: string, itemId: string, price: WireAmount): Promise<Receipt> {
    const purchase = this.nextPurchase(itemId, price);
    const receipt = await callRoute(agentUrl, MERCHANT_AGENT_API.purchase, purchase, this.call);
    this.accepted(purchase);
    return receipt;
  }

  record(overrides: Partial<CustomerRecordPayload> = {}) {
    const currency = this.opened.payload.deposit.merchant.currency;
    return seal(
      nodeCrypto,
      this.tabSigner,
      {
        type: 'customer-record',
        transactionId: this.transactionId,
        tabId: this.tabId,
        purchaseListHash: purchaseListHash(nodeCrypto, this.listKey, this.lines),
        count: this.lines.length,
        total: moneyToWire({ currency, minor: this.spent_minor }),
        lastChainIndex: this.chainIndex,
        lastChainLink: this.chain.encodedLinkAt(this.chainIndex),
        ...overrides,
      } satisfies PayloadBody<CustomerRecordPayload>,
      this.clock.now_ms(),
    );
  }

  terminate(agentUrl: string): Promise<TabClosed> {
    const terminate = seal(
      nodeCrypto,
      this.tabSigner,
      { type: 'terminate', tabId: this.tabId } satisfies PayloadBody<TerminatePayload>,
      this.clock.now_ms(),
    );
    return callRoute(agentUrl, MERCHANT_AGENT_API.terminate, terminate, this.call);
  }
}

export interface OpenTabRequest {
  readonly merchantId: string;
  readonly merchantOperatorId: string;
  readonly merchantCurrency: string;
  readonly deposit: WireAmount;
  readonly timeout_s?: number;
  /**
   * What one chain link is worth, in the merchant currency: the merchant's published unit
   * (MerchantInfo.chainUnit, see merchantChainUnit) makes a typical purchase reveal one link.
   * Default one minor unit, which pays any price.
   */
  readonly chainUnit?: WireAmount;
}

export class TestCustomer {
  private sessionId: string | null = null;
  private rates: RateTable | null = null;

  private constructor(
    readonly operatorUrl: string,
    readonly accountId: string,
    readonly signer: Signer,
    private readonly call: { readonly transport: HttpTransport },
    /** The clock its messages are issued at: a test world's, so they stay fresh however long the test runs. */
    readonly clock: Clock,
  ) {}

  /** `transport`: how to reach operator and merchant agents (one that trusts their CA, for https with a private one). */
  static async enroll(
    operatorUrl: string,
    code: string,
    options: { transport?: HttpTransport; clock?: Clock } = {},
  ): Promise<TestCustomer> {
    const transport = options.transport ?? nodeHttpTransport;
    const clock = options.clock ?? systemClock;
    const signer = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const call = { transport };
    const result = await callRoute(
      operatorUrl,
      OPERATOR_API.enroll,
      seal(nodeCrypto, signer, { type: 'enroll', code, publicKey: signer.kid } as const, clock.now_ms()),
      call,
    );
    const customer = new TestCustomer(operatorUrl, result.accountId, signer, call, clock);
    await customer.logon();
    return customer;
  }

  /**
   * The same customer (account, key, session) speaking to `operatorUrl`: another process of its
   * operator, sharing its database, as a load balancer would send it there.
   */
  through(operatorUrl: string): TestCustomer {
    const elsewhere = new TestCustomer(operatorUrl, this.accountId, this.signer, this.call, this.clock);
    elsewhere.sessionId = this.sessionId;
    return elsewhere;
  }

  async logon(): Promise<string> {
    const result = await callRoute(
      this.operatorUrl,
      OPERATOR_API.logon,
      seal(nodeCrypto, this.signer, { type: 'logon', accountId: this.accountId } as const, this.clock.now_ms()),
      this.call,
    );
    this.sessionId = result.sessionId;
    return result.sessionId;
  }

  get session(): string {
    if (this.sessionId === null) throw new Error('not logged on');
    return this.sessionId;
  }

  async rateTable(refresh = false): Promise<RateTable> {
    if (this.rates === null || refresh)
      this.rates = await callRoute(this.operatorUrl, OPERATOR_API.rateTable, undefined, this.call);
    return this.rates;
  }

  /** The initiation message as the extension would build it, plus the chain and tab key behind it. */
  async initiation(request: OpenTabRequest) {
    const table = (await this.rateTable()).payload;
    const rate = lockRate(
      { id: table.id, base: table.base, rates: table.rates },
      request.deposit.currency,
      request.merchantCurrency,
    );
    if (rate === null) throw new Error('no rate');
    const deposit_minor = depositInMerchantCurrency(moneyFromWire(request.deposit).minor, rate);
    const unit = request.chainUnit ?? moneyToWire({ currency: request.merchantCurrency, minor: 1n });
    const unit_minor = moneyFromWire(unit).minor;
    // ceil(deposit ÷ unit) links, so that length × unit covers the deposit, as the extension does.
    const length = unit_minor > 0n ? (deposit_minor + unit_minor - 1n) / unit_minor : deposit_minor;
    const chain = HashChain.fromSeed(nodeCrypto, nodeCrypto.randomBytes(32), Math.max(1, Number(length)));
    const tabSigner = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const message = seal(
      nodeCrypto,
      this.signer,
      {
        type: 'initiation',
        accountId: this.accountId,
        sessionId: this.session,
        merchantId: request.merchantId,
        merchantOperatorId: request.merchantOperatorId,
        deposit: request.deposit,
        rateTableId: table.id,
        tabPublicKey: tabSigner.kid,
        chain: { root: chain.commitment.root, unit, length: chain.length },
        timeout_s: request.timeout_s ?? 600,
      } satisfies PayloadBody<InitiationPayload>,
      this.clock.now_ms(),
    );
    return { message, chain, tabSigner };
  }

  async openTab(request: OpenTabRequest): Promise<TestTab> {
    return this.sendInitiation(await this.initiation(request));
  }

  /** Sends a prepared initiation; sending the same one again is what the extension does when no answer came. */
  async sendInitiation(prepared: Awaited<ReturnType<TestCustomer['initiation']>>): Promise<TestTab> {
    const opened = await callRoute(this.operatorUrl, OPERATOR_API.openTab, prepared.message, this.call);
    return new TestTab(opened, prepared.chain, prepared.tabSigner, this.call, this.clock);
  }

  /** The chain unit the merchant agent at `agentUrl` publishes, as the extension reads it when it opens a tab. */
  async merchantChainUnit(agentUrl: string): Promise<WireAmount> {
    return (await callRoute(agentUrl, MERCHANT_AGENT_API.info, undefined, this.call)).chainUnit;
  }

  sendRecord(tab: TestTab, overrides: Partial<CustomerRecordPayload> = {}): Promise<RecordAck> {
    return this.sendRecordEnvelope(tab.record(overrides));
  }

  /** Sends a record signed earlier: a customer agent may sign it at one moment and send it at another. */
  sendRecordEnvelope(record: ReturnType<TestTab['record']>): Promise<RecordAck> {
    return callRoute(this.operatorUrl, OPERATOR_API.customerRecord, record, this.call);
  }

  account(): Promise<AccountView> {
    return callRoute(
      this.operatorUrl,
      OPERATOR_API.account,
      seal(
        nodeCrypto,
        this.signer,
        { type: 'account-query', accountId: this.accountId, sessionId: this.session } as const,
        this.clock.now_ms(),
      ),
      this.call,
    );
  }
}
