// Calls to a merchant agent, always at the agentUrl of the merchant certificate the customer's
// operator vouched for; never at a URL a page names.

import { callRoute } from '@opentab/protocol';
import { MERCHANT_AGENT_API } from '@opentab/protocol';
import type { MerchantCertificatePayload } from '@opentab/protocol';
import type {
  MerchantInfo,
  Purchase,
  Receipt,
  ReceiptList,
  ReceiptsRequest,
  TabClosed,
  Terminate,
} from '@opentab/protocol';
import type { WireAmount } from '@opentab/protocol';
import type { OpenTab } from './tab-record';

/** The info route is read once per new tab; a merchant that is slow to answer it costs the click this much at most. */
const INFO_TIMEOUT_MS = 3_000;

export class MerchantAgentClient {
  /**
   * Item titles by item id, from the last info read from each certified agent (worker memory:
   * a new worker reads the info again). Keyed by merchant id and agent URL, so a title is only
   * ever one that merchant's certified agent published.
   */
  private readonly titles = new Map<string, ReadonlyMap<string, string>>();
  /** One info request per agent at a time: the clicks that miss a title share it. */
  private readonly reading = new Map<string, Promise<MerchantInfo | null>>();

  constructor(private readonly fetchImpl: typeof fetch) {}

  /**
   * The chain unit the merchant agent publishes, from the info route at the agent URL of the
   * verified merchant certificate (never a URL a page names); null when it cannot be read or the
   * info is not this merchant's.
   */
  async publishedChainUnit(certificate: MerchantCertificatePayload): Promise<WireAmount | null> {
    return (await this.readInfo(certificate))?.chainUnit ?? null;
  }

  /**
   * The title the merchant's catalogue gives `itemId`, from the same info route (read again when
   * the last catalogue read lacks the item); null when it cannot be learnt. Never a title a page
   * supplies: what a purchase is called in the customer's history comes from the merchant it paid.
   */
  async itemTitle(certificate: MerchantCertificatePayload, itemId: string): Promise<string | null> {
    const known = this.knownTitle(certificate, itemId);
    if (known !== null) return known;
    await this.readInfo(certificate);
    return this.knownTitle(certificate, itemId);
  }

  /** The title of `itemId` from the catalogue this worker last read from the certified agent; null when it has none (nothing is fetched). */
  knownTitle(certificate: MerchantCertificatePayload, itemId: string): string | null {
    return this.titles.get(catalogueKey(certificate))?.get(itemId) ?? null;
  }

  purchase(tab: OpenTab, purchase: Purchase): Promise<Receipt> {
    return callRoute(tab.merchantCertificate.payload.agentUrl, MERCHANT_AGENT_API.purchase, purchase, {
      fetch: this.fetchImpl,
    });
  }

  receipts(tab: OpenTab, request: ReceiptsRequest): Promise<ReceiptList> {
    return callRoute(tab.merchantCertificate.payload.agentUrl, MERCHANT_AGENT_API.receipts, request, {
      fetch: this.fetchImpl,
    });
  }

  terminate(tab: OpenTab, terminate: Terminate): Promise<TabClosed> {
    return callRoute(tab.merchantCertificate.payload.agentUrl, MERCHANT_AGENT_API.terminate, terminate, {
      fetch: this.fetchImpl,
    });
  }

  /** The certified agent's info, its catalogue's titles remembered; null when it cannot be read or is not
   * this merchant's. */
  private readInfo(certificate: MerchantCertificatePayload): Promise<MerchantInfo | null> {
    const key = catalogueKey(certificate);
    const running = this.reading.get(key);
    if (running) return running;
    const read = this.fetchInfo(certificate, key);
    this.reading.set(key, read);
    void read.finally(() => this.reading.delete(key));
    return read;
  }

  private async fetchInfo(certificate: MerchantCertificatePayload, key: string): Promise<MerchantInfo | null> {
    try {
      const info = await callRoute(certificate.agentUrl, MERCHANT_AGENT_API.info, undefined, {
        fetch: this.fetchImpl,
        timeout_ms: INFO_TIMEOUT_MS,
      });
      if (info.merchantId !== certificate.merchantId) return null;
      this.titles.set(key, new Map(info.catalogue.map((item) => [item.itemId, item.title])));
      return info;
    } catch {
      return null;
    }
  }
}

function catalogueKey(certificate: MerchantCertificatePayload): string {
  return `${certificate.merchantId} ${certificate.agentUrl}`;
}
