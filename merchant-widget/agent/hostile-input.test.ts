// Every route of the merchant agent's API maps (and its static files), walked with hostile input
// over real HTTP: bodies no schema accepts, wrong methods and paths, and a valid message of the
// route with each field deleted or replaced, or signed wrongly. No answer may be a 5xx; every
// refusal carries a catalogue code of its status and a sentence, and changes no row of the agent's
// database. A route added to a map is walked here at once; a POST route also needs a valid sample.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MERCHANT_AGENT_API } from '@opentab/protocol';
import type { RouteSpec } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { seal, type Signer } from '@opentab/protocol';
import { newMessageId } from '@opentab/protocol';
import {
  answerDefect,
  envelopeMutations,
  exchange,
  fieldMutations,
  malformedBodies,
  type HostileRequest,
  ROUTE_WALK_BOUND_MS,
} from '@opentab/test-kit';
import { AgentHarness, eur, MERCHANT_ID, type OpenedTab } from '@opentab/test-kit/merchant-agent';
import { TestCustomer } from '@opentab/test-kit/merchant-agent';

const ROUTES: Record<string, RouteSpec> = { ...MERCHANT_AGENT_API };

/** Keys the test signs with: a mutated message is signed again so that it meets the agent's checks. */
const signers = new Map<string, Signer>();
let harness: AgentHarness;

const trust = (...keys: Signer[]) => keys.forEach((key) => signers.set(key.kid, key));

async function openTab(): Promise<OpenedTab> {
  const tab = await harness.openTab();
  trust(tab.customer.tabSigner);
  return tab;
}

/** One valid request body per POST route. */
const SAMPLES: Record<string, () => Promise<unknown>> = {
  tabInformation: async () => {
    const customer = new TestCustomer(100);
    trust(customer.tabSigner);
    return harness.tabInformation(customer);
  },
  tabCleared: async () => harness.mta.tabCleared(MERCHANT_ID, (await openTab()).tabId, eur('0.05')),
  recordRequest: async () => harness.mta.recordRequest(MERCHANT_ID, (await openTab()).tabId),
  disputeDecision: async () => harness.mta.disputeDecision(MERCHANT_ID, (await openTab()).tabId, eur('0.00')),
  purchase: async () => {
    const tab = await openTab();
    return tab.customer.purchase(tab.tabId, 'article-2', eur('0.05'), 5);
  },
  receipts: async () => {
    const tab = await openTab();
    return tab.customer.receiptsRequest(tab.tabId, 0);
  },
  terminate: async () => {
    const tab = await openTab();
    return tab.customer.terminate(tab.tabId);
  },
};

beforeAll(async () => {
  const unlimited = { perClient_per_s: 1_000_000, burst: 1_000_000 };
  harness = await AgentHarness.start({ rateLimit: { customer: unlimited, operator: unlimited } });
  trust(harness.mta.signer);
});

afterAll(async () => {
  await harness?.close();
});

/** The tables as the last answer left them: nothing else changes them while a route is walked. */
let tables: Record<string, string> = {};

async function expectSafe(name: string, path: string, request: HostileRequest): Promise<void> {
  const answer = await exchange(`${harness.agentUrl}${path}`, request);
  expect(answerDefect(answer, request.method), `${name}: ${request.label}`).toBeNull();
  const before = tables;
  tables = await harness.storedRowDigests();
  if (answer.status < 400) return;
  const changed = Object.keys(tables).filter((table) => tables[table] !== before[table]);
  expect(changed, `${name}: ${request.label} was refused (${answer.status}) but changed`).toEqual([]);
}

function* hostileRequests(spec: RouteSpec): Generator<[string, HostileRequest]> {
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].filter((m) => m !== spec.method)) {
    yield [
      spec.path,
      {
        label: `method ${method}`,
        method,
        headers: { 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: '{}' }),
      },
    ];
  }
  for (const suffix of ['/', '/x', '%00'])
    yield [`${spec.path}${suffix}`, { label: `path ${spec.path}${suffix}`, method: spec.method }];
  if (spec.method === 'GET') {
    for (const query of ['?x=1', '?a=%', `?${'q'.repeat(3000)}`])
      yield [`${spec.path}${query}`, { label: `query ${query.slice(0, 30)}`, method: 'GET' }];
  } else {
    for (const request of malformedBodies(spec.maxBody_bytes)) yield [spec.path, request];
  }
}

describe('every merchant agent route, walked with hostile input', () => {
  it.each(Object.entries(ROUTES))(
    '%s',
    async (name, spec) => {
      tables = await harness.storedRowDigests();
      for (const [path, request] of hostileRequests(spec)) await expectSafe(name, path, request);
      if (spec.method === 'GET') return;
      const sample = SAMPLES[name];
      expect(
        sample,
        `${name} has no valid sample in SAMPLES: add one, so that its fields are mutated too`,
      ).toBeDefined();
      const valid = await sample!();
      tables = await harness.storedRowDigests();
      const post = (label: string, body: unknown): HostileRequest => ({
        label,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      for (const [label, body] of fieldMutations(valid, signers)) await expectSafe(name, spec.path, post(label, body));
      for (const [label, body] of envelopeMutations(valid, signers))
        await expectSafe(name, spec.path, post(label, body));
    },
    ROUTE_WALK_BOUND_MS,
  );

  it('the static files and paths outside the API', async () => {
    tables = await harness.storedRowDigests();
    for (const path of ['/widget.js', '/install', '/', '/nope', `/${'a'.repeat(3000)}`]) {
      for (const method of ['GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE']) {
        const headers = {
          'content-type': 'application/json',
          'if-none-match': `"${'x'.repeat(2000)}"`,
          'accept-encoding': 'gzip;q=x, br, *;q=0',
        };
        await expectSafe(path, path, {
          label: `${method} ${path.slice(0, 20)}`,
          method,
          headers,
          ...(method === 'POST' || method === 'DELETE' ? { body: '{}' } : {}),
        });
      }
    }
  });
});
