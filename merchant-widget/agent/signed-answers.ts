// The messages this agent signs with the merchant key: the ack of a tab, a receipt per purchase,
// the tab-closed summary and the merchant record for the MTA. Each is built from stored state
// only, so the same tab always yields the same summary.

import { purchaseListHash, type PurchaseLine } from '@opentab/protocol';
import type { CryptoProvider } from '@opentab/protocol';
import { fromBase64url } from '@opentab/protocol';
import { seal, type PayloadBody, type Signer } from '@opentab/protocol';
import type {
  MerchantRecord,
  MerchantRecordPayload,
  Receipt,
  ReceiptPayload,
  StopReason,
  TabClosed,
  TabClosedPayload,
  TabInformationAck,
  TabInformationAckPayload,
} from '@opentab/protocol';
import { moneyToWire } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import type { AccessGrant } from './access-token';
import { remainingOf, type PurchaseRecord, type TabRecord } from './tab-record';

/** What a stopped tab adds up to; the same numbers go into TabClosed and MerchantRecord. */
export interface TabSummary {
  readonly purchaseListHash: string;
  readonly count: number;
  readonly total_minor: bigint;
  readonly lastChainIndex: number;
  readonly lastChainLink: string;
}

/** The tab's purchases as the purchase-list hash covers them, in seq order. */
export function purchaseLinesOf(tab: TabRecord, purchases: readonly PurchaseRecord[]): PurchaseLine[] {
  return purchases.map((purchase) => ({
    seq: purchase.seq,
    itemId: purchase.itemId,
    price: moneyToWire({ currency: tab.currency, minor: purchase.price_minor }),
  }));
}

export function summariseTab(crypto: CryptoProvider, tab: TabRecord, purchases: readonly PurchaseRecord[]): TabSummary {
  return {
    purchaseListHash: purchaseListHash(
      crypto,
      tab.listKey === null ? null : fromBase64url(tab.listKey),
      purchaseLinesOf(tab, purchases),
    ),
    count: tab.purchaseCount,
    total_minor: tab.spent_minor,
    lastChainIndex: tab.lastChainIndex,
    lastChainLink: tab.lastChainLink,
  };
}

export class MerchantSigner {
  constructor(
    private readonly crypto: CryptoProvider,
    private readonly signer: Signer,
    readonly merchantId: string,
  ) {}

  get publicKey(): string {
    return this.signer.kid;
  }

  tabInformationAck(tab: TabRecord, now_ms: number): TabInformationAck {
    const body = {
      type: 'tab-information-ack',
      merchantId: this.merchantId,
      tabId: tab.tabId,
      informationId: tab.informationId,
    } as const;
    return seal(this.crypto, this.signer, body satisfies PayloadBody<TabInformationAckPayload>, now_ms);
  }

  /** `tab` as it stands after the purchase, so spent and remaining include it. */
  receipt(tab: TabRecord, purchase: PurchaseRecord, access: AccessGrant, now_ms: number): Receipt {
    const body = {
      type: 'receipt',
      merchantId: this.merchantId,
      tabId: tab.tabId,
      purchaseId: purchase.purchaseId,
      seq: purchase.seq,
      itemId: purchase.itemId,
      price: moneyToWire({ currency: tab.currency, minor: purchase.price_minor }),
      chainIndex: purchase.chainIndex,
      spent: moneyToWire({ currency: tab.currency, minor: tab.spent_minor }),
      remaining: moneyToWire({ currency: tab.currency, minor: remainingOf(tab) }),
      accessToken: access.accessToken,
      ...(access.entitledUntil_ms !== null ? { entitledUntil: formatTimestamp(access.entitledUntil_ms) } : {}),
    } as const;
    return seal(this.crypto, this.signer, body satisfies PayloadBody<ReceiptPayload>, now_ms);
  }

  tabClosed(tab: TabRecord, reason: StopReason, summary: TabSummary, now_ms: number): TabClosed {
    const body = {
      type: 'tab-closed',
      merchantId: this.merchantId,
      tabId: tab.tabId,
      reason,
      spent: moneyToWire({ currency: tab.currency, minor: summary.total_minor }),
      count: summary.count,
      purchaseListHash: summary.purchaseListHash,
      lastChainIndex: summary.lastChainIndex,
    } as const;
    return seal(this.crypto, this.signer, body satisfies PayloadBody<TabClosedPayload>, now_ms);
  }

  merchantRecord(tab: TabRecord, reason: StopReason, summary: TabSummary, now_ms: number): MerchantRecord {
    const body = {
      type: 'merchant-record',
      merchantId: this.merchantId,
      tabId: tab.tabId,
      reason,
      purchaseListHash: summary.purchaseListHash,
      count: summary.count,
      total: moneyToWire({ currency: tab.currency, minor: summary.total_minor }),
      lastChainIndex: summary.lastChainIndex,
      lastChainLink: summary.lastChainLink,
    } as const;
    return seal(this.crypto, this.signer, body satisfies PayloadBody<MerchantRecordPayload>, now_ms);
  }

  /**
   * The same record under a fresh id and issue time, for an MTA that refused the original as
   * stale: it never accepted that one, so nothing is recorded twice.
   */
  resealedMerchantRecord(record: MerchantRecord, now_ms: number): MerchantRecord {
    const { id: _staleId, iat: _staleIat, ...body } = record.payload;
    return seal(this.crypto, this.signer, body satisfies PayloadBody<MerchantRecordPayload>, now_ms);
  }
}
