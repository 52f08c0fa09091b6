// /openapi.json describes every route the server really serves, from the same schemas.

import type * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_API } from '@opentab/protocol';
import { ADMIN_API } from '../src/http/admin-api';
import { startTwoOperatorWorld, CUSTOMER_OPERATOR, type TwoOperatorWorld } from '@opentab/test-kit/worlds';
import { send } from '../testing/http';

let w: TwoOperatorWorld;
beforeAll(async () => {
  w = await startTwoOperatorWorld({ sameOperator: true });
});
afterAll(async () => {
  await w.close();
});

describe('/openapi.json', () => {
  it('lists every route with its method, auth and schemas', async () => {
    const { status, body } = await send(`${w.world.operator(CUSTOMER_OPERATOR).url}/openapi.json`);
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    for (const [name, spec] of Object.entries({ ...OPERATOR_API, ...ADMIN_API })) {
      const operation = body.paths[spec.path]?.[spec.method.toLowerCase()];
      expect(operation, `${spec.method} ${spec.path}`).toBeDefined();
      expect(operation.operationId).toBe(name);
      expect(operation['x-opentab-auth']).toBe(spec.auth);
      expect(
        resolve(body, operation.responses['4XX'].content['application/json'].schema).properties.error.properties.code
          .enum,
      ).toContain('invalid_message');
    }
    const initiation = body.paths['/v1/customer/tabs'].post.requestBody.content['application/json'].schema;
    expect(initiation.required).toEqual(['payload', 'kid', 'sig']);
    const deposit = resolve(body, initiation.properties.payload.properties.deposit);
    expect(resolve(body, deposit.properties.value).pattern).toBe('^(0|[1-9][0-9]*)(\\.[0-9]+)?$');
    expect(body.paths['/v1/admin/settlement'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'peer',
      'from',
      'until',
    ]);
  });

  it('states every check of every schema: as JSON Schema keywords, or in words where only code can check it', async () => {
    const { body } = await send(`${w.world.operator(CUSTOMER_OPERATOR).url}/openapi.json`);
    const descriptions = new Set(collect(body, 'description').flatMap((text) => String(text).split('; ')));
    const checks = new Set<string>();
    for (const spec of Object.values({ ...OPERATOR_API, ...ADMIN_API })) {
      for (const schema of [spec.request, spec.response, spec.query]) if (schema) checkMessagesOf(schema, checks);
    }
    expect(checks.size).toBeGreaterThan(5);
    expect([...checks].filter((message) => !descriptions.has(message))).toEqual([]);
    // What JSON Schema can say, it says.
    const schemas = body.components.schemas;
    expect(schemas.CurrencyCode.enum).toContain('SEK');
    expect(schemas.Timestamp).toMatchObject({ format: 'date-time', pattern: expect.stringMatching(/^\^/) });
    expect(schemas.DisplayName.pattern).toBeDefined();
    expect(schemas.PositiveDecimalString.not).toEqual({ pattern: '^0(\\.0+)?$' });
    expect(schemas.Amount.allOf).toContainEqual({
      if: { properties: { currency: { enum: expect.arrayContaining(['JPY']) } } },
      then: { properties: { value: { pattern: '^(0|[1-9][0-9]*)$' } } },
    });
  });

  it('says how each route is authenticated, and where the operator is', async () => {
    const { body } = await send(`${w.world.operator(CUSTOMER_OPERATOR).url}/openapi.json`);
    expect(body.servers).toEqual([
      {
        url: w.world.operator(CUSTOMER_OPERATOR).running.context.config.publicUrl,
        description: `Operator ${CUSTOMER_OPERATOR}`,
      },
    ]);
    expect(body.paths['/v1/admin/ledger'].get.security).toEqual([{ adminToken: [] }]);
    expect(body.paths['/v1/rates'].get.security).toEqual([]);
    const record = body.paths['/v1/customer/records'].post;
    expect(record.security).toEqual([]);
    expect(record.description).toMatch(
      /^Signed envelope, signed by the tab's key.*Ed25519 signature.*RFC 8785 canonical JSON of `payload`/,
    );
    expect(body.paths['/v1/peer/clearing'].post.description).toMatch(/signed by a peer operator/);
  });

  it('the bare address says what it is and where the API is described, for whoever opens it in a browser', async () => {
    const { status, body } = await send(`${w.world.operator(CUSTOMER_OPERATOR).url}/`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      operatorId: CUSTOMER_OPERATOR,
      currency: 'SEK',
      api: '/openapi.json',
      health: '/healthz',
    });
    expect(body.about).toMatch(/Opentab operator.*options page.*enrolment code/);
  });

  it('every path in the document is served (no 404 from the router)', async () => {
    const { body } = await send(`${w.world.operator(CUSTOMER_OPERATOR).url}/openapi.json`);
    for (const [path, operations] of Object.entries(body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(operations)) {
        const concrete = path.replace(/\{\w+\}/g, 'x');
        const answer = await send(`${w.world.operator(CUSTOMER_OPERATOR).url}${concrete}`, {
          method: method.toUpperCase(),
          ...(method === 'post' ? { body: {} } : {}),
        });
        expect(answer.body?.error?.code, `${method} ${path}`).not.toBe('not_found');
      }
    }
  });
});

/** `schema`, or the component its $ref names. */
function resolve(document: any, schema: any): any {
  const ref: unknown = schema?.$ref;
  return typeof ref === 'string' ? document.components.schemas[ref.replace('#/components/schemas/', '')] : schema;
}

/** Every value of `key` anywhere in `value`. */
function collect(value: unknown, key: string): unknown[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, item]) =>
    name === key ? [item, ...collect(item, key)] : collect(item, key),
  );
}

/** The messages of every check action in a valibot schema, through pipes, objects, arrays, records, unions
 * and wrappers. */
function checkMessagesOf(schema: v.GenericSchema, into: Set<string>, seen = new Set<unknown>()): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  const node = schema as unknown as Record<string, any>;
  for (const item of node.pipe ?? []) {
    if (item.kind === 'validation' && item.type === 'check')
      into.add(typeof item.rule === 'string' ? item.rule : item.message);
    if (item.kind === 'schema' && item !== schema) checkMessagesOf(item, into, seen);
  }
  for (const child of [
    ...Object.values(node.entries ?? {}),
    node.item,
    node.wrapped,
    node.key,
    node.value,
    ...(node.options ?? []),
  ]) {
    if (child !== undefined && typeof child === 'object' && child !== null && child.kind === 'schema')
      checkMessagesOf(child, into, seen);
  }
}
