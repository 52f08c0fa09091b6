// Calls to a merchant agent, always at the agentUrl of the merchant certificate the customer's
// operator vouched for; never at a URL a page names.

import { callRoute } from '../../../protocol/api/client';
import { MERCHANT_AGENT_API } from '../../../protocol/api/merchant-agent-api';
import type { Purchase, Receipt, TabClosed, Terminate } from '../../../protocol/messages/merchant';
import type { OpenTab } from './tab-record';

export class MerchantAgentClient {
  constructor(private readonly fetchImpl: typeof fetch) {}

  purchase(tab: OpenTab, purchase: Purchase): Promise<Receipt> {
    return callRoute(tab.merchantCertificate.payload.agentUrl, MERCHANT_AGENT_API.purchase, purchase, { fetch: this.fetchImpl });
  }

  terminate(tab: OpenTab, terminate: Terminate): Promise<TabClosed> {
    return callRoute(tab.merchantCertificate.payload.agentUrl, MERCHANT_AGENT_API.terminate, terminate, { fetch: this.fetchImpl });
  }
}
