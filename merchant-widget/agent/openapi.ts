// The merchant agent's own API, described as the operator's is: from the route specs its HTTP
// edge validates with. Served at `${mountPath}/openapi.json`.

import type { RouteAuth } from '@opentab/protocol';
import type { RouteSpec } from '@opentab/protocol';
import { MERCHANT_AGENT_API } from '@opentab/protocol';
import { buildOpenApiDocument } from '@opentab/server-kit';
import { OPENTAB_LICENSE } from '@opentab/server-kit';
import { protocolSchemaCatalogue } from '@opentab/server-kit';

const SIGNERS: Partial<Record<RouteAuth, string>> = {
  'operator-signature': "the merchant's operator (its MTA), with the operator key the agent is configured with",
  'tab-signature': "the tab's key, named in the customer certificate of the tab",
};

const DESCRIPTION = [
  "Opentab merchant agent: the merchant's side of its tabs. Customer agents (the browser extension) pay here with hash-chain links",
  "and get signed receipts; the merchant's operator (its MTA) announces and clears tabs here.",
  'Amounts are {"currency": "<ISO 4217>", "value": "<decimal>"}; every refusal is a 4xx with a stable error code and a sentence, and changes nothing;',
  "every route but the merchant's own admin routes is limited per client address (429 with Retry-After).",
].join(' ');

export interface AgentApiDocumentOptions {
  readonly merchantId: string;
  readonly mountPath: string;
  /** Routes of the agent's extensions, by operationId. */
  readonly extensionRoutes: ReadonlyArray<Readonly<Record<string, RouteSpec>>>;
}

export function merchantAgentOpenApiDocument(options: AgentApiDocumentOptions): unknown {
  return buildOpenApiDocument(
    {
      title: `Opentab merchant agent ${options.merchantId}`,
      version: '1',
      description: DESCRIPTION,
      // Relative: the agent does not know the origin its merchant's server is reached at.
      serverUrl: options.mountPath,
      serverDescription: `The agent, where the merchant's server mounts it`,
      license: OPENTAB_LICENSE,
      routes: Object.assign({}, MERCHANT_AGENT_API, ...options.extensionRoutes),
      // The merchant's own admin routes are not limited (http/handler.ts says why).
      rateLimited: (spec) => spec.auth !== 'admin-token',
      signers: SIGNERS,
      adminTokenDescription:
        "The token of one of the merchant's logins (adminLogins in the agent's configuration); refunds and catalogue edits need an owner's.",
    },
    protocolSchemaCatalogue(),
  );
}
