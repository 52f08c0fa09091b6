// An OpenAPI 3.1 document generated from the very route specs a server validates with, so the
// document and the behaviour cannot drift apart: the operator's /openapi.json and the merchant
// agent's. It says how each route is authenticated: a bearer token, nothing, or the Ed25519
// signature of the envelope that is the request body.

import type { RouteAuth, RouteSpec } from '@opentab/protocol';
import { ERROR_CATALOGUE } from '@opentab/protocol';
import type { JsonSchemaCatalogue, JsonSchema } from './json-schemas';

export interface ApiDescription {
  readonly title: string;
  /** The version of this API (not of the software). */
  readonly version: string;
  readonly description: string;
  /** Where the routes are served: an operator's public URL, a merchant agent's mount URL. */
  readonly serverUrl: string;
  readonly serverDescription: string;
  /** SPDX identifier of the licence. */
  readonly license: string;
  /** Routes by operationId; each spec is the one the server validates with. */
  readonly routes: Readonly<Record<string, RouteSpec>>;
  /** Whether a route is limited per client address (and so may answer 429). */
  readonly rateLimited: (spec: RouteSpec) => boolean;
  /** For each kind of signed route: whose key signs its envelope, as a phrase. */
  readonly signers: Partial<Readonly<Record<RouteAuth, string>>>;
  /** Whose bearer token the admin routes take. Default: the operator's admin token. */
  readonly adminTokenDescription?: string;
}

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE), description: 'Stable, machine-readable reason.' },
        message: { type: 'string', description: 'A sentence for people.' },
        details: {
          type: 'array',
          items: { type: 'string' },
          description: 'For invalid_message: each field that failed, as "path: rule".',
        },
      },
    },
  },
};

const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/** Said once in the document's description; each signed operation names its signer. */
export const SIGNED_ENVELOPE_TEXT =
  'Signed routes carry no credentials in headers: the request body is a signed envelope {"payload": {...}, "kid": "<key>", "sig": "<signature>"}. ' +
  '`sig` is the Ed25519 signature (base64url, 64 bytes) over the RFC 8785 canonical JSON of `payload`, and `kid` the signing public key (base64url, 32 bytes). ' +
  'The receiver checks the signature against the key the route expects, the payload `type`, its `id` (a replay is answered with the first answer, never processed twice) ' +
  'and that `iat` lies within the clock-skew window.';

function securityOf(
  spec: RouteSpec,
  api: ApiDescription,
): { security: Array<Record<string, string[]>>; description?: string } {
  if (spec.auth === 'admin-token') return { security: [{ adminToken: [] }] };
  if (spec.auth === 'public') return { security: [] };
  const signer = api.signers[spec.auth];
  if (signer === undefined) throw new Error(`the API description names no signer for ${spec.auth} routes`);
  // No header scheme applies: the credential is the signature inside the body.
  return { security: [], description: `Signed envelope, signed by ${signer}. ${SIGNED_ENVELOPE_TEXT}` };
}

function parametersOf(spec: RouteSpec, schemas: JsonSchemaCatalogue): JsonSchema[] {
  const inPath = [...spec.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (spec.query === undefined) return inPath;
  const query = schemas.of(spec.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
  const inQuery = Object.entries(query.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: (query.required ?? []).includes(name),
    schema,
  }));
  return [...inPath, ...inQuery];
}

function operationOf(
  operationId: string,
  spec: RouteSpec,
  api: ApiDescription,
  schemas: JsonSchemaCatalogue,
): JsonSchema {
  const parameters = parametersOf(spec, schemas);
  const { security, description } = securityOf(spec, api);
  return {
    operationId,
    summary: spec.summary,
    ...(description !== undefined ? { description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    security,
    'x-opentab-auth': spec.auth,
    ...(spec.request !== null
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemas.of(spec.request) } },
            'x-max-body-bytes': spec.maxBody_bytes,
          },
        }
      : {}),
    responses: {
      200: { description: 'Success.', content: { 'application/json': { schema: schemas.of(spec.response) } } },
      '4XX': {
        description: 'Refused: a stable error code and a sentence; nothing was changed.',
        content: ERROR_CONTENT,
      },
      ...(api.rateLimited(spec)
        ? {
            429: {
              description:
                'rate_limited: this client address made more requests than its limit allows; refused before the body was read, nothing was changed.',
              headers: {
                'Retry-After': {
                  description: 'Whole seconds until a request from this address is allowed again.',
                  schema: { type: 'integer', minimum: 1 },
                },
              },
              content: ERROR_CONTENT,
            },
          }
        : {}),
      '5XX': {
        description:
          'Another party (a peer operator, a merchant agent) could not be reached or refused (502), or a defect (500).',
        content: ERROR_CONTENT,
      },
    },
  };
}

export function buildOpenApiDocument(api: ApiDescription, schemas: JsonSchemaCatalogue): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [operationId, spec] of Object.entries(api.routes)) {
    paths[spec.path] ??= {};
    paths[spec.path]![spec.method.toLowerCase()] = operationOf(operationId, spec, api, schemas);
  }
  const usesAdminToken = Object.values(api.routes).some((spec) => spec.auth === 'admin-token');
  return {
    openapi: '3.1.0',
    info: {
      title: api.title,
      version: api.version,
      description: api.description,
      license: { name: api.license, identifier: api.license },
    },
    servers: [{ url: api.serverUrl.replace(/\/+$/, ''), description: api.serverDescription }],
    paths,
    components: {
      schemas: schemas.componentsFor(paths, { Error: ERROR_SCHEMA }),
      ...(usesAdminToken
        ? {
            securitySchemes: {
              adminToken: {
                type: 'http',
                scheme: 'bearer',
                description: api.adminTokenDescription ?? "The operator's admin token (adminToken in operator.json).",
              },
            },
          }
        : {}),
    },
  };
}
