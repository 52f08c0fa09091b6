// Calls to a merchant agent, always at the agentUrl of the merchant certificate the customer's
// operator vouched for; never at a URL a page names.

import { callRoute } from '../../../protocol/api/client';
import { MERCHANT_AGENT_API } from '../../../protocol/api/merchant-agent-api';
import type { MerchantCertificatePayload } from '../../../protocol/messages/certificates';
import type { Purchase, Receipt, ReceiptList, ReceiptsRequest, TabClosed, Terminate } from '../../../protocol/messages/merchant';
import type { WireAmount } from '../../../protocol/money/amount';
import type { OpenTab } from './tab-record';

/** The info route is read once per new tab; a merchant that is slow to answer it costs the click this much at most. */
const INFO_TIMEOUT_MS = 3_000;

export class MerchantAgentClient {
  constructor(private readonly fetchImpl: typeof fetch) {}

  /**
   * The chain unit the merchant agent publishes, from the info route at the agent URL of the
   * verified merchant certificate (never a URL a page names); null when it cannot be read or the
   * info is not this merchant's.
   */
  async publishedChainUnit(certificate: MerchantCertificatePayload): Promise<WireAmount | null> {
    try {
      const info = await callRoute(certificate.agentUrl, MERCHANT_AGENT_API.info, undefined, { fetch: this.fetchImpl, timeout_ms: INFO_TIMEOUT_MS });
      return info.merchantId === certificate.merchantId ? info.chainUnit : null;
    } catch {
      return null;
    }
  }

  purchase(tab: OpenTab, purchase: Purchase): Promise<Receipt> {
    return callRoute(tab.merchantCertificate.payload.agentUrl, MERCHANT_AGENT_API.purchase, purchase, { fetch: this.fetchImpl });
  }

  receipts(tab: OpenTab, request: ReceiptsRequest): Promise<ReceiptList> {
    return callRoute(tab.merchantCertificate.payload.agentUrl, MERCHANT_AGENT_API.receipts, request, { fetch: this.fetchImpl });
  }

  terminate(tab: OpenTab, terminate: Terminate): Promise<TabClosed> {
    return callRoute(tab.merchantCertificate.payload.agentUrl, MERCHANT_AGENT_API.terminate, terminate, { fetch: this.fetchImpl });
  }
}
