// /openapi.json describes every route the server really serves, from the same schemas.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_API } from '../../protocol/api/operator-api';
import { ADMIN_API } from '../src/http/admin-api';
import { startTwoOperatorWorld, CUSTOMER_OPERATOR, type TwoOperatorWorld } from './support/world';
import { send } from './support/http';

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
      expect(operation.responses['4XX'].content['application/json'].schema.properties.error.properties.code.enum).toContain('invalid_message');
    }
    const initiation = body.paths['/v1/customer/tabs'].post.requestBody.content['application/json'].schema;
    expect(initiation.required).toEqual(['payload', 'kid', 'sig']);
    expect(initiation.properties.payload.properties.deposit.properties.value.pattern).toBe('^(0|[1-9][0-9]*)(\\.[0-9]+)?$');
    expect(body.paths['/v1/admin/settlement'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['peer', 'from', 'until']);
  });

  it('the bare address says what it is and where the API is described, for whoever opens it in a browser', async () => {
    const { status, body } = await send(`${w.world.operator(CUSTOMER_OPERATOR).url}/`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ operatorId: CUSTOMER_OPERATOR, currency: 'SEK', api: '/openapi.json', health: '/healthz' });
    expect(body.about).toMatch(/Opentab operator.*options page.*enrolment code/);
  });

  it('every path in the document is served (no 404 from the router)', async () => {
    const { body } = await send(`${w.world.operator(CUSTOMER_OPERATOR).url}/openapi.json`);
    for (const [path, operations] of Object.entries(body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(operations)) {
        const concrete = path.replace(/\{\w+\}/g, 'x');
        const answer = await send(`${w.world.operator(CUSTOMER_OPERATOR).url}${concrete}`, { method: method.toUpperCase(), ...(method === 'post' ? { body: {} } : {}) });
        expect(answer.body?.error?.code, `${method} ${path}`).not.toBe('not_found');
      }
    }
  });
});
