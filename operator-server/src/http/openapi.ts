// /openapi.json of an operator: every route it serves, from the same specs and schemas it
// validates with (see protocol/api/openapi).

import type { RouteAuth, RouteSpec } from '@opentab/protocol';
import { buildOpenApiDocument } from '@opentab/server-kit';
import { OPENTAB_LICENSE } from '@opentab/server-kit';
import { protocolSchemaCatalogue } from '@opentab/server-kit';

const SIGNERS: Partial<Record<RouteAuth, string>> = {
  'customer-signature': "the customer's identity key (for enrolment: the key being enrolled, which the payload names)",
  'tab-signature': "the tab's key, named in the customer certificate the customer's operator issued for the tab",
  'operator-signature': 'a peer operator, with the key its CA-signed operator certificate names',
  'merchant-signature': 'a merchant registered at this operator, with the key of its registration',
  'arbiter-signature': 'an arbiter this operator is configured to answer, with the key of its configuration',
};

const DESCRIPTION = [
  'Opentab operator: account manager (customers, holds, billing) and mediating trusted agent (tabs, records, clearing).',
  'Amounts are {"currency": "<ISO 4217>", "value": "<decimal>"} with no more decimals than the currency has; times are RFC 3339.',
  'Every refusal is a 4xx (or 502 when another party failed) with a stable error code and a sentence, and changes nothing.',
  'Routes called by customers, peers and merchant agents are limited per client address (429 with Retry-After); admin routes need the bearer token.',
].join(' ');

export interface OperatorApiDocumentOptions {
  readonly operatorId: string;
  readonly publicUrl: string;
  /** Routes by operationId: the same spec objects the router is built from. */
  readonly routes: Readonly<Record<string, RouteSpec>>;
}

export function operatorOpenApiDocument(options: OperatorApiDocumentOptions): unknown {
  return buildOpenApiDocument(
    {
      title: `Opentab operator ${options.operatorId}`,
      version: '1',
      description: DESCRIPTION,
      serverUrl: options.publicUrl,
      serverDescription: `Operator ${options.operatorId}`,
      license: OPENTAB_LICENSE,
      routes: options.routes,
      // Admin routes are not limited (see http-server.ts).
      rateLimited: (spec) => spec.auth !== 'admin-token',
      signers: SIGNERS,
    },
    protocolSchemaCatalogue(),
  );
}
