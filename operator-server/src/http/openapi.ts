// /openapi.json, generated from the very route specs the server validates with, so the document
// and the behaviour cannot drift apart. Checks a JSON Schema cannot express (an amount's
// decimals against its currency, for example) are described in prose by the error responses.

import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import type { RouteSpec } from '../../../protocol/api/route';
import { ERROR_CATALOGUE } from '../../../protocol/errors';

function schemaOf(schema: v.GenericSchema): unknown {
  const { $schema: _ignored, ...json } = toJsonSchema(schema, { target: 'draft-2020-12', errorMode: 'ignore' }) as Record<string, unknown>;
  return json;
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'string' } },
      },
    },
  },
};

const RATE_LIMITED_RESPONSE = {
  description: 'rate_limited: this client address made more requests than its limit allows; refused before the body was read, nothing was changed.',
  headers: { 'Retry-After': { description: 'Whole seconds until a request from this address is allowed again.', schema: { type: 'integer', minimum: 1 } } },
  content: { 'application/json': { schema: ERROR_SCHEMA } },
};

function operationOf(name: string, spec: RouteSpec): Record<string, unknown> {
  const parameters = [...spec.path.matchAll(/\{(\w+)\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (spec.query !== undefined) {
    const query = schemaOf(spec.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [field, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name: field, in: 'query', required: (query.required ?? []).includes(field), schema } as never);
    }
  }
  return {
    operationId: name,
    summary: spec.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.auth === 'admin-token' ? { security: [{ adminToken: [] }] } : {}),
    'x-opentab-auth': spec.auth,
    ...(spec.request !== null
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(spec.request) } }, 'x-max-body-bytes': spec.maxBody_bytes } }
      : {}),
    responses: {
      200: { description: 'Success', content: { 'application/json': { schema: schemaOf(spec.response) } } },
      '4XX': { description: 'Refused: a stable error code and a human sentence; nothing was changed.', content: { 'application/json': { schema: ERROR_SCHEMA } } },
      // Every route but the admin ones is limited per client address (operator.json rateLimit).
      ...(spec.auth === 'admin-token' ? {} : { 429: RATE_LIMITED_RESPONSE }),
    },
  };
}

/** `routes` are the same spec objects the router is built from (operationId = their key). */
export function buildOpenApiDocument(title: string, version: string, routes: Readonly<Record<string, RouteSpec>>): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, spec] of Object.entries(routes)) {
    paths[spec.path] ??= {};
    paths[spec.path]![spec.method.toLowerCase()] = operationOf(name, spec);
  }
  return {
    openapi: '3.1.0',
    info: { title, version, description: 'Opentab operator: account manager and mediating trusted agent.' },
    components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
