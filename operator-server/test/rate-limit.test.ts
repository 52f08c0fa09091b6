// Per-address rate limits at the operator's HTTP edge, over real HTTP on 127.0.0.1: a flood gets
// 429 rate_limited with Retry-After before its body is read, changes nothing, and leaves the peer
// and admin routes alone; a request after the refill goes through. The operator's clock is the
// test's: buckets refill only when the test advances it, however slowly the requests go out.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '@opentab/server-kit';
import { seal, signerFromSecretKey } from '@opentab/protocol';
import { ManualClock } from '@opentab/test-kit';
import { StoredTables, startOperatorWorld, type OperatorWorld, type WorldOperator } from '@opentab/test-kit/worlds';

const BURST = 4;
const PER_S = 5; // one token every 200 ms

let world: OperatorWorld;
let operator: WorldOperator;
const clock = new ManualClock();

beforeAll(async () => {
  world = await startOperatorWorld({
    operators: [{ operatorId: 'op-se', currency: 'SEK' }],
    settings: { rateLimit: { customer: { perClient_per_s: PER_S, burst: BURST } } },
    clock,
  });
  operator = world.operator('op-se');
});

afterAll(() => world.close());

async function exchange(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${operator.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body,
  });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: JSON.parse(text) as any };
}

async function counts(): Promise<Record<string, number>> {
  const tables = StoredTables.ofOperator(operator);
  try {
    const all = await tables.counts();
    return Object.fromEntries(
      ['customers', 'enrollment_codes', 'sessions', 'message_receipts', 'ledger_entries'].map((table) => {
        const rows = all[table];
        if (rows === undefined) throw new Error(`the operator's store has no table ${table}`);
        return [table, rows];
      }),
    );
  } finally {
    await tables.close();
  }
}

/** Spends the whole customer bucket of 127.0.0.1 on cheap GETs. */
async function exhaustCustomerBucket(): Promise<void> {
  for (let i = 0; i < BURST + 2; i++) await exchange('/v1/operator');
  expect((await exchange('/v1/operator')).status).toBe(429);
}

describe('rate limits per client address', () => {
  it('refuses a burst beyond the limit with 429, rate_limited and Retry-After; nothing happens; after the refill it goes through', async () => {
    const { accountId } = await operator.admin.call('createCustomer', {
      creditLimit: { currency: 'SEK', value: '10.00' },
    });
    const { code } = await operator.admin.call('enrollmentCode', {}, { accountId });
    const signer = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const enrolment = JSON.stringify(
      seal(nodeCrypto, signer, { type: 'enroll', code, publicKey: signer.kid } as const),
    );

    clock.advance(1000); // a full bucket
    const statuses: number[] = [];
    for (let i = 0; i < BURST; i++) statuses.push((await exchange('/v1/rates')).status);
    expect(statuses).toEqual(Array(BURST).fill(200));

    const before = await counts();
    const refused = await exchange('/v1/customer/enroll', { body: enrolment });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.body.error.message).toMatch(/Retry-After/);
    expect(refused.retryAfter).toBe('1');
    expect(await counts()).toEqual(before);

    // Refused before the body is read: neither the media type nor the size is looked at.
    expect((await exchange('/v1/customer/logon', { body: 'not json' })).status).toBe(429);
    expect((await exchange('/v1/customer/logon', { body: 'x'.repeat(100_000) })).status).toBe(429);
    expect(
      (await exchange('/v1/customer/logon', { body: '{}', headers: { 'content-type': 'text/plain' } })).status,
    ).toBe(429);
    expect(await counts()).toEqual(before);

    clock.advance(1000 / PER_S - 1);
    expect((await exchange('/v1/customer/enroll', { body: enrolment })).status).toBe(429);
    clock.advance(1); // the next token
    const enrolled = await exchange('/v1/customer/enroll', { body: enrolment });
    expect(enrolled.status).toBe(200);
    expect(enrolled.body.accountId).toBe(accountId);
    expect((await counts()).customers).toBe(before.customers);
  });

  it("a customer's flood does not throttle the peer and admin routes from the same address", async () => {
    clock.advance(1000); // a full bucket, whatever the test before left
    await exhaustCustomerBucket();
    // No proxy is trusted here: a client naming another address in X-Forwarded-For stays in its own bucket.
    expect((await exchange('/v1/operator', { headers: { 'x-forwarded-for': '198.51.100.9' } })).status).toBe(429);
    // A peer route still does its own checks (this body is no peer message) instead of answering 429.
    for (let i = 0; i < 3 * BURST; i++) {
      const peer = await exchange('/v1/peer/merchant', { body: '{}' });
      expect([peer.status, peer.body.error.code]).toEqual([400, 'invalid_message']);
    }
    for (let i = 0; i < 3 * BURST; i++)
      await operator.admin.call('createCustomer', { creditLimit: { currency: 'SEK', value: '1.00' } });
    expect((await exchange('/healthz')).status).toBe(200);
    expect((await exchange('/v1/customer/enroll', { body: '{}' })).status).toBe(429);
  });

  it('is documented in the OpenAPI document', async () => {
    const document = (await exchange('/openapi.json')).body;
    const enroll = document.paths['/v1/customer/enroll'].post;
    expect(enroll.responses['429'].headers['Retry-After']).toBeDefined();
    expect(document.paths['/v1/admin/customers']?.post?.responses?.['429']).toBeUndefined();
  });
});

describe('behind a trusted reverse proxy', () => {
  let proxied: OperatorWorld;

  beforeAll(async () => {
    // The test's own requests come from 127.0.0.1: here that is the proxy.
    proxied = await startOperatorWorld({
      operators: [{ operatorId: 'op-se', currency: 'SEK' }],
      settings: { rateLimit: { customer: { perClient_per_s: PER_S, burst: BURST }, trustedProxies: ['127.0.0.1'] } },
      clock: new ManualClock(),
    });
  });

  afterAll(() => proxied.close());

  const viaProxy = async (clientChain: string) =>
    (await fetch(`${proxied.operator('op-se').url}/v1/operator`, { headers: { 'x-forwarded-for': clientChain } }))
      .status;

  it('counts each client the proxy names in its own bucket, and ignores what a client wrote before the proxy', async () => {
    const first: number[] = [];
    for (let i = 0; i < BURST + 2; i++) first.push(await viaProxy('198.51.100.1'));
    expect(first.slice(0, BURST)).toEqual(Array(BURST).fill(200));
    expect(first.at(-1)).toBe(429);
    // Another client behind the same proxy has its own budget.
    expect(await viaProxy('198.51.100.2')).toBe(200);
    // The first client cannot escape by writing an address of its choosing before the proxy's entry.
    expect(await viaProxy('203.0.113.50, 198.51.100.1')).toBe(429);
  });
});
