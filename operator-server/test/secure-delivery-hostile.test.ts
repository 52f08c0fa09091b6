// Every secure-delivery route, of the merchant agent and of the operators, walked with hostile
// input over real HTTP: bodies no schema accepts, wrong methods and paths, and valid messages with
// each field deleted or replaced (signed again where the test holds the key) or signed wrongly. No
// answer may be a 5xx; every refusal carries a catalogue code of its status and a sentence, and
// changes no delivery row (nor any row of the agent's database).

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DELIVERY_AGENT_API,
  DELIVERY_OPERATOR_API,
  fromBase64url,
  seal,
  sealKey,
  toBase64url,
  x25519KeyPair,
  type DeliveryEscrowPayload,
  type K1RelayPayload,
  type K1RequestPayload,
  type KeyReleaseRequestPayload,
  type PayloadBody,
  type RouteSpec,
  type Signer,
} from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import {
  answerDefect,
  envelopeMutations,
  exchange,
  fieldMutations,
  malformedBodies,
  type HostileRequest,
  ROUTE_WALK_BOUND_MS,
} from '@opentab/test-kit';
import { CUSTOMER_OPERATOR, MERCHANT_OPERATOR, StoredTables } from '@opentab/test-kit/worlds';
import { startDeliveryWorld, type DeliveryWorld } from './delivery-fixture';

let d: DeliveryWorld;
/** The agent's store and the MTA's, read through connections of the test's own. */
let stored: { readonly agent: StoredTables; readonly mta: StoredTables } | undefined;
const signers = new Map<string, Signer>();
/** One valid message per POST route, by route name. */
const samples = new Map<string, unknown>();

beforeAll(async () => {
  d = await startDeliveryWorld(3, true);
  const mta = d.w.world.operator(MERCHANT_OPERATOR).running.context;
  const am = d.w.world.operator(CUSTOMER_OPERATOR).running.context;
  for (const signer of [d.tab.tabSigner, d.merchantKey, d.arbiter, mta.identity.signer, am.identity.signer])
    signers.set(signer.kid, signer);

  // Samples made by running the flow as far as each message: an order whose package went out, its
  // not-accept and accept unsent, the K1 the MTA signed, and the bundle of a delivered order.
  const first = d.buyer.order(await d.buyer.description('ebook'));
  await d.buyer.sendK1(first);
  const state = await d.buyer.sendOrder(first);
  if (state.status !== 'package') throw new Error('no package');
  const second = d.buyer.order(await d.buyer.description('wallpaper'));
  samples.set('order', second.order);
  samples.set('reject', d.buyer.rejectMessage(first, state.package, 'wrong-size'));
  samples.set('accept', d.buyer.accept(first, state.package));
  samples.set('k1Registration', first.registration);
  const delivered = await d.buyer.buy('wallpaper');
  if (delivered.outcome !== 'delivered') throw new Error('not delivered');
  samples.set(
    'keyRelease',
    seal(nodeCrypto, d.arbiter, {
      type: 'key-release-request',
      bundle: delivered.bundle,
      arbiterKey: toBase64url(x25519KeyPair((length) => nodeCrypto.randomBytes(length)).publicKey),
    } satisfies PayloadBody<KeyReleaseRequestPayload>),
  );
  const k1Request = seal(nodeCrypto, d.tab.tabSigner, {
    type: 'k1-request',
    transactionId: d.tab.transactionId,
    tabId: d.tab.tabId,
    orderId: second.order.payload.id,
    k1: toBase64url(second.k1.publicKey),
  } satisfies PayloadBody<K1RequestPayload>);
  samples.set('k1', k1Request);
  samples.set(
    'peerK1',
    seal(nodeCrypto, am.identity.signer, {
      type: 'k1-relay',
      operatorCertificate: am.identity.certificate,
      request: k1Request,
    } satisfies PayloadBody<K1RelayPayload>),
  );
  // A second escrow of the first order, as a merchant retrying would send it (the first one stands).
  samples.set(
    'escrow',
    seal(nodeCrypto, d.merchantKey, {
      type: 'delivery-escrow',
      merchantId: d.w.merchantId,
      tabId: d.tab.tabId,
      orderId: first.order.payload.id,
      productId: 'ebook',
      ciphertextHash: first.description.payload.ciphertextHash,
      sealedKey: toBase64url(
        sealKey(
          (length) => nodeCrypto.randomBytes(length),
          fromBase64url(first.registration!.payload.escrowKey),
          nodeCrypto.randomBytes(32),
          first.order.payload.id,
        ),
      ),
    } satisfies PayloadBody<DeliveryEscrowPayload>),
  );
  stored = {
    agent: StoredTables.ofMerchant(d.w.merchant),
    mta: StoredTables.ofOperator(d.w.world.operator(MERCHANT_OPERATOR)),
  };
});

afterAll(async () => {
  await stored?.agent.close();
  await stored?.mta.close();
  await d?.w.close();
});

/** The agent's tables whole, and the operator's delivery tables (its own jobs may touch the rest meanwhile). */
async function snapshot(): Promise<Record<string, string>> {
  const agent = await stored!.agent.digests();
  const operator = Object.entries(await stored!.mta.digests()).filter(([table]) => table.startsWith('delivery_'));
  return {
    ...Object.fromEntries(Object.entries(agent).map(([t, v]) => [`agent.${t}`, v])),
    ...Object.fromEntries(operator.map(([t, v]) => [`mta.${t}`, v])),
  };
}

async function expectSafe(base: string, name: string, path: string, request: HostileRequest): Promise<void> {
  // Only the request walked may change a table: what earlier ones left due is done first.
  await d.w.settleBackgroundWork();
  const before = await snapshot();
  const answer = await exchange(`${base}${path}`, request);
  expect(answerDefect(answer, request.method), `${name}: ${request.label}`).toBeNull();
  if (answer.status < 400) return;
  const after = await snapshot();
  const changed = Object.keys(after).filter((table) => after[table] !== before[table]);
  expect(changed, `${name}: ${request.label} was refused (${answer.status}) but changed`).toEqual([]);
}

function* hostileRequests(spec: RouteSpec): Generator<[string, HostileRequest]> {
  for (const method of ['GET', 'POST', 'PUT', 'DELETE'].filter((m) => m !== spec.method))
    yield [spec.path, { label: `method ${method}`, method, ...(method === 'GET' ? {} : { body: '{}' }) }];
  for (const suffix of ['/', '/x', '%00'])
    yield [`${spec.path}${suffix}`, { label: `path ${suffix}`, method: spec.method }];
  if (spec.method === 'POST') for (const request of malformedBodies(spec.maxBody_bytes)) yield [spec.path, request];
}

const post = (label: string, body: unknown): HostileRequest => ({
  label,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

async function walk(base: string, name: string, spec: RouteSpec): Promise<void> {
  for (const [path, request] of hostileRequests(spec)) await expectSafe(base, name, path, request);
  const valid = samples.get(name);
  if (spec.method === 'GET' || valid === null || valid === undefined) return;
  for (const [label, body] of fieldMutations(valid, signers))
    await expectSafe(base, name, spec.path, post(label, body));
  for (const [label, body] of envelopeMutations(valid, signers))
    await expectSafe(base, name, spec.path, post(label, body));
}

describe('secure delivery, walked with hostile input', () => {
  it.each(Object.entries(DELIVERY_AGENT_API))(
    'agent %s',
    async (name, spec) => {
      await walk(d.w.merchant.agentUrl, name, spec);
    },
    ROUTE_WALK_BOUND_MS,
  );

  it.each(Object.entries(DELIVERY_OPERATOR_API))(
    'operator %s',
    async (name, spec) => {
      const operator = name === 'k1' ? CUSTOMER_OPERATOR : MERCHANT_OPERATOR;
      await walk(d.w.world.operator(operator).url, name, spec);
    },
    ROUTE_WALK_BOUND_MS,
  );

  it('the content route: only GET and HEAD of a prepared product', async () => {
    for (const path of [
      '/delivery/content/ebook',
      '/delivery/content/none',
      '/delivery/content/%00',
      '/delivery/content/%E0%A4%A',
      '/delivery/content/',
    ])
      for (const method of ['GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE'])
        await expectSafe(d.w.merchant.agentUrl, path, path, {
          label: `${method} ${path}`,
          method,
          ...(method === 'POST' || method === 'DELETE' ? { body: '{}' } : {}),
        });
  });
});
