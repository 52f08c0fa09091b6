// A customer of the crash world, driven from the runner with the Node-side customer agent
// (test-kit/worlds/test-customer.ts) and retrying as the extension does: the same
// signed initiation until it is answered, the same purchase (id, seq, link) until it is
// answered, then the close — a terminate, the receipts it may lack, and its signed record to its
// AM until acknowledged. It keeps what it holds (tabs, receipts) for the cross-party checks.

import { toBase64url } from '@opentab/protocol';
import { callRoute } from '@opentab/protocol';
import { MERCHANT_AGENT_API } from '@opentab/protocol';
import { OPERATOR_API } from '@opentab/protocol';
import type { HashChain } from '@opentab/protocol';
import { purchaseListHash, type PurchaseLine } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { seal, type PayloadBody, type Signer } from '@opentab/protocol';
import { newMessageId } from '@opentab/protocol';
import type { CustomerRecord, CustomerRecordPayload, TabOpened } from '@opentab/protocol';
import type { Purchase, ReceiptsRequestPayload, TerminatePayload } from '@opentab/protocol';
import type { LockedRate } from '@opentab/protocol';
import { moneyFromWire, moneyToWire, type WireAmount } from '@opentab/protocol';
import { nodeHttpTransport } from '@opentab/server-kit';
import { parseTimestamp } from '@opentab/protocol';
import { TestCustomer } from '@opentab/test-kit/worlds';
import { CHAOS_CATALOGUE, type CustomerPlan, type TabPlan } from '../plan';
import type { EventLog } from '../world/event-log';
import { MERCHANT_ID, MERCHANT_OPERATOR } from '../world/topology';
import { untilDefinite, type Outcome } from './retry';

/** A receipt the customer holds: the merchant signed that it was paid for this purchase. */
export interface HeldReceipt {
  readonly purchaseId: string;
  readonly seq: number;
  readonly itemId: string;
  readonly price_minor: bigint;
  readonly chainIndex: number;
}

/** One tab the customer was told was open, and what it holds of it. */
export interface CustomerTab {
  readonly transactionId: string;
  readonly tabId: string;
  readonly hold_minor: bigint;
  readonly rate: LockedRate;
  readonly receipts: HeldReceipt[];
  recordAcknowledged: boolean;
}

/** One signed initiation (sent maybe several times) and the answer it finally got. */
export interface InitiationFact {
  readonly id: string;
  /** The tab key it named: the AM keeps it on every transaction the initiation made. */
  readonly tabPublicKey: string;
  readonly outcome:
    | { readonly kind: 'opened'; readonly transactionId: string }
    | { readonly kind: 'refused'; readonly code: string }
    | { readonly kind: 'unanswered' };
}

export interface CustomerFacts {
  readonly name: string;
  readonly accountId: string;
  readonly initiations: InitiationFact[];
  readonly tabs: CustomerTab[];
}

export interface CustomerEndpoints {
  /** The customer's AM, through its relay. */
  readonly operatorUrl: string;
  /** The merchant agent (its mount path), through its relay. */
  readonly agentUrl: string;
}

const CALL = { transport: nodeHttpTransport } as const;
/** The AM answers an initiation only once the MTA and merchant did (up to 15 s + 10 s). */
const INITIATION_CALL_MS = 40_000;
const INITIATION_PATIENCE_MS = 45_000;
const PURCHASE_PATIENCE_MS = 8_000;
const CLOSE_PATIENCE_MS = 3_000;
const RECORD_PATIENCE_MS = 60_000;
const RETRY_PAUSE_MS = 250;
/** An exhausting tab stops asking after this many purchases whatever the merchant says. */
const MAX_PURCHASES = 40;
/** A person told the merchant could not be reached clicks again a little later: a new initiation each time. */
const OPEN_ATTEMPTS = 12;
const OPEN_AGAIN_AFTER_MS = 1_000;
const TRY_AGAIN_LATER: ReadonlySet<string> = new Set([
  'merchant_unreachable',
  'peer_unreachable',
  'merchant_refused',
  'peer_refused',
  'tab_not_opened',
]);
/** The AM's answers that say it has no decision yet: the same initiation is sent again, as the extension does. */
const UNDECIDED_OPENING: ReadonlySet<string> = new Set(['peer_unreachable', 'peer_refused', 'internal_error']);

export class ChaosCustomer {
  readonly facts: CustomerFacts;

  private constructor(
    private readonly agent: TestCustomer,
    private readonly endpoints: CustomerEndpoints,
    private readonly chainUnit: WireAmount,
    private readonly events: EventLog,
    name: string,
  ) {
    this.facts = { name, accountId: agent.accountId, initiations: [], tabs: [] };
  }

  /** Enrols with a fresh code and logs on; done before any fault is armed. */
  static async enroll(
    name: string,
    code: string,
    endpoints: CustomerEndpoints,
    events: EventLog,
  ): Promise<ChaosCustomer> {
    const agent = await TestCustomer.enroll(endpoints.operatorUrl, code);
    const chainUnit = await agent.merchantChainUnit(endpoints.agentUrl);
    await agent.rateTable();
    return new ChaosCustomer(agent, endpoints, chainUnit, events, name);
  }

  async run(plan: CustomerPlan): Promise<void> {
    await sleep(plan.startDelay_ms);
    for (const tab of plan.tabs) await this.runTab(tab);
  }

  private note(what: string): void {
    this.events.note(`${this.facts.name}: ${what}`);
  }

  private async runTab(plan: TabPlan): Promise<void> {
    const opened = await this.openWithAttempts(plan);
    if (opened === null) return;
    const { tab, chain, tabSigner, expiresAt_ms } = opened;
    // The purchase-list key, shared with the merchant through the purchases only: the operators never see it.
    const listKey = nodeCrypto.randomBytes(32);
    const lines: PurchaseLine[] = [];
    let index = 0;
    let spent = 0n;
    const deposit_minor = moneyFromWire(tab.opened.payload.deposit.merchant).minor;
    const unit_minor = moneyFromWire(this.chainUnit).minor;
    const items =
      plan.ending === 'exhaust'
        ? Array.from({ length: MAX_PURCHASES }, (_, i) => plan.items[i % plan.items.length]!)
        : plan.items;
    for (const item of items) {
      const entry = CHAOS_CATALOGUE[item]!;
      const price = { currency: MERCHANT_OPERATOR.currency, value: entry.price };
      const price_minor = moneyFromWire(price).minor;
      if (plan.ending !== 'exhaust' && spent + price_minor > deposit_minor) continue;
      const chainIndex = index + Number(price_minor / unit_minor);
      if (chainIndex > chain.length) break;
      const purchase: Purchase = {
        type: 'purchase',
        id: newMessageId(nodeCrypto),
        tabId: tab.facts.tabId,
        seq: lines.length + 1,
        itemId: entry.itemId,
        price,
        chainIndex,
        chainLink: chain.encodedLinkAt(chainIndex),
        listKey: toBase64url(listKey),
      };
      const outcome = await untilDefinite(
        () => callRoute(this.endpoints.agentUrl, MERCHANT_AGENT_API.purchase, purchase, CALL),
        { patience_ms: PURCHASE_PATIENCE_MS, pause_ms: RETRY_PAUSE_MS },
      );
      if (outcome.kind === 'answered') {
        lines.push({ seq: purchase.seq, itemId: purchase.itemId, price });
        tab.facts.receipts.push({
          purchaseId: purchase.id,
          seq: purchase.seq,
          itemId: purchase.itemId,
          price_minor,
          chainIndex,
        });
        index = chainIndex;
        spent += price_minor;
        await sleep(plan.pause_ms);
        continue;
      }
      this.note(`purchase ${purchase.seq} at ${tab.facts.tabId}: ${describe(outcome)}`);
      break;
    }

    if (plan.ending === 'abandon') await sleep(Math.max(0, expiresAt_ms - Date.now()) + 500);
    else await this.terminate(tab.facts.tabId, tabSigner);
    // The merchant may have a purchase whose answer never came: ask for the receipts after the last one held.
    for (const receipt of await this.receiptsAfter(tab.facts.tabId, tabSigner, lines.length, chain)) {
      lines.push({
        seq: receipt.seq,
        itemId: receipt.itemId,
        price: {
          currency: MERCHANT_OPERATOR.currency,
          value: moneyToWire({ currency: MERCHANT_OPERATOR.currency, minor: receipt.price_minor }).value,
        },
      });
      tab.facts.receipts.push(receipt);
      index = receipt.chainIndex;
      spent += receipt.price_minor;
    }
    await this.sendRecord(tab.facts, this.record(tab.facts, tabSigner, { listKey, lines }, index, spent, chain));
  }

  private async openWithAttempts(plan: TabPlan) {
    for (let attempt = 1; attempt <= OPEN_ATTEMPTS; attempt++) {
      const outcome = await this.open(plan);
      if (outcome.kind === 'opened') return outcome.tab;
      if (outcome.kind === 'refused' && !TRY_AGAIN_LATER.has(outcome.code)) return null;
      if (outcome.kind === 'unanswered') return null;
      await sleep(OPEN_AGAIN_AFTER_MS);
    }
    return null;
  }

  private async open(plan: TabPlan) {
    const request = {
      merchantId: MERCHANT_ID,
      merchantOperatorId: MERCHANT_OPERATOR.operatorId,
      merchantCurrency: MERCHANT_OPERATOR.currency,
      deposit: moneyToWire({ currency: 'SEK', minor: plan.deposit_minor }),
      timeout_s: 10,
      chainUnit: this.chainUnit,
    };
    const { message, chain, tabSigner } = await this.agent.initiation(request);
    const outcome = await untilDefinite(
      () =>
        callRoute(this.endpoints.operatorUrl, OPERATOR_API.openTab, message, {
          ...CALL,
          timeout_ms: INITIATION_CALL_MS,
        }),
      {
        patience_ms: INITIATION_PATIENCE_MS,
        pause_ms: RETRY_PAUSE_MS,
        undecidedCodes: UNDECIDED_OPENING,
      },
    );
    const initiation = { id: message.payload.id, tabPublicKey: message.payload.tabPublicKey };
    if (outcome.kind !== 'answered') {
      this.facts.initiations.push({
        ...initiation,
        outcome: outcome.kind === 'refused' ? { kind: 'refused', code: outcome.code } : { kind: 'unanswered' },
      });
      this.note(`initiation ${message.payload.id}: ${describe(outcome)}`);
      return outcome.kind === 'refused'
        ? ({ kind: 'refused', code: outcome.code } as const)
        : ({ kind: 'unanswered' } as const);
    }
    const opened: TabOpened = outcome.value;
    if (opened.payload.initiationId !== message.payload.id)
      throw new Error(
        `${this.facts.name}: the AM answered initiation ${message.payload.id} with one for ${opened.payload.initiationId}`,
      );
    this.facts.initiations.push({
      ...initiation,
      outcome: { kind: 'opened', transactionId: opened.payload.transactionId },
    });
    const facts: CustomerTab = {
      transactionId: opened.payload.transactionId,
      tabId: opened.payload.tabId,
      hold_minor: plan.deposit_minor,
      rate: opened.payload.rate,
      receipts: [],
      recordAcknowledged: false,
    };
    this.facts.tabs.push(facts);
    this.note(`opened ${facts.tabId} (transaction ${facts.transactionId}, ${plan.ending})`);
    return {
      kind: 'opened',
      tab: {
        tab: { facts, opened },
        chain,
        tabSigner,
        expiresAt_ms: parseTimestamp(opened.payload.expiresAt) ?? Date.now(),
      },
    } as const;
  }

  /** Best effort, as the extension: a merchant that is down still gets the tab cleared through the MTA. */
  private async terminate(tabId: string, tabSigner: Signer): Promise<void> {
    const terminate = seal(nodeCrypto, tabSigner, { type: 'terminate', tabId } satisfies PayloadBody<TerminatePayload>);
    const outcome = await untilDefinite(
      () => callRoute(this.endpoints.agentUrl, MERCHANT_AGENT_API.terminate, terminate, CALL),
      { patience_ms: CLOSE_PATIENCE_MS, pause_ms: RETRY_PAUSE_MS },
    );
    if (outcome.kind !== 'answered') this.note(`terminate ${tabId}: ${describe(outcome)}`);
  }

  /** Receipts the merchant has beyond `afterSeq`, each checked against the customer's own chain; none when the merchant does not answer. */
  private async receiptsAfter(
    tabId: string,
    tabSigner: Signer,
    afterSeq: number,
    chain: HashChain,
  ): Promise<HeldReceipt[]> {
    const request = seal(nodeCrypto, tabSigner, {
      type: 'receipts-request',
      tabId,
      afterSeq,
    } satisfies PayloadBody<ReceiptsRequestPayload>);
    const outcome = await untilDefinite(
      () => callRoute(this.endpoints.agentUrl, MERCHANT_AGENT_API.receipts, request, CALL),
      { patience_ms: CLOSE_PATIENCE_MS, pause_ms: RETRY_PAUSE_MS },
    );
    if (outcome.kind !== 'answered') {
      this.note(`receipts of ${tabId}: ${describe(outcome)}`);
      return [];
    }
    return outcome.value.receipts
      .filter(({ receipt, chainLink }) => chain.encodedLinkAt(receipt.payload.chainIndex) === chainLink)
      .map(({ receipt }) => ({
        purchaseId: receipt.payload.purchaseId,
        seq: receipt.payload.seq,
        itemId: receipt.payload.itemId,
        price_minor: moneyFromWire(receipt.payload.price).minor,
        chainIndex: receipt.payload.chainIndex,
      }));
  }

  private record(
    tab: CustomerTab,
    tabSigner: Signer,
    list: { listKey: Uint8Array; lines: readonly PurchaseLine[] },
    index: number,
    spent: bigint,
    chain: HashChain,
  ): CustomerRecord {
    const { listKey, lines } = list;
    return seal(nodeCrypto, tabSigner, {
      type: 'customer-record',
      transactionId: tab.transactionId,
      tabId: tab.tabId,
      purchaseListHash: purchaseListHash(nodeCrypto, listKey, lines),
      count: lines.length,
      total: moneyToWire({ currency: MERCHANT_OPERATOR.currency, minor: spent }),
      lastChainIndex: index,
      lastChainLink: chain.encodedLinkAt(index),
    } satisfies PayloadBody<CustomerRecordPayload>);
  }

  /** The one signed record, sent until the AM acknowledges it, as the extension's record outbox does. */
  private async sendRecord(tab: CustomerTab, record: CustomerRecord): Promise<void> {
    const outcome = await untilDefinite(
      () => callRoute(this.endpoints.operatorUrl, OPERATOR_API.customerRecord, record, CALL),
      {
        patience_ms: RECORD_PATIENCE_MS,
        pause_ms: RETRY_PAUSE_MS * 2,
        untilAnswered: true,
      },
    );
    tab.recordAcknowledged = outcome.kind === 'answered';
    this.note(`record of ${tab.tabId}: ${describe(outcome)}`);
  }
}

function describe(outcome: Outcome<unknown>): string {
  switch (outcome.kind) {
    case 'answered':
      return 'acknowledged';
    case 'refused':
      return `refused ${outcome.status} ${outcome.code}: ${outcome.message}`;
    case 'unanswered':
      return `unanswered after ${outcome.attempts} attempts (${outcome.lastError})`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
