// Bad input gets a 4xx with its stable code and changes nothing; no request makes the server
// answer 500 or exit. "Nothing changed" is checked on a snapshot of every table of both operators.

import fc from 'fast-check';
import { connect } from 'node:net';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { OPERATOR_API } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { seal, signEnvelope, signerFromSecretKey, type PayloadBody } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import type { AmendedInitiationPayload, ClearingPayload } from '@opentab/protocol';
import { ADMIN_API } from '../src/http/admin-api';
import { signOperatorCertificate } from '../src/provisioning/certificate-authority';
import { generateKeyPair } from '../src/provisioning/keys';
import type { TestCustomer } from '@opentab/test-kit/worlds';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  StoredTables,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';
import { send } from '../testing/http';

let w: TwoOperatorWorld;
let customer: TestCustomer;
let customerUrl: string;
let merchantOperatorUrl: string;

beforeAll(async () => {
  w = await startTwoOperatorWorld({
    settings: { tick_ms: 20, tabs: { recordGrace_s: 1, minTimeout_s: 10, maxTimeout_s: 3600 } },
  });
  customer = await w.newCustomer('100.00');
  customerUrl = w.world.operator(CUSTOMER_OPERATOR).url;
  merchantOperatorUrl = w.world.operator(MERCHANT_OPERATOR).url;
});

afterEach(async () => {
  await w.assertInvariants({ pendingHoldRefsAllowed: (ref) => ref.startsWith('op-se.') });
});

afterAll(async () => {
  await w.close();
});

const TABLES = [
  'customers',
  'enrollment_codes',
  'sessions',
  'merchants',
  'transactions',
  'tabs',
  'disputes',
  'outbox',
  'ledger_accounts',
  'ledger_holds',
  'ledger_entries',
];

/** Row counts of every table and every account balance, on both operators. */
async function snapshot(): Promise<string> {
  const operators = [];
  for (const operator of Object.values(w.world.operators)) {
    const tables = StoredTables.ofOperator(operator);
    try {
      operators.push({
        counts: await tables.counts(['message_receipts', 'rate_tables']),
        balances: await operator.running.context.storage.ledger.balancesByCurrency(),
      });
    } finally {
      await tables.close();
    }
  }
  return JSON.stringify(operators, (_, value) => (typeof value === 'bigint' ? value.toString() : value));
}

async function expectRefusal(status: number, code: string, exchange: () => Promise<{ status: number; body: any }>) {
  const before = await snapshot();
  const answer = await exchange();
  expect(answer.status).toBe(status);
  expect(answer.body.error.code).toBe(code);
  expect(typeof answer.body.error.message).toBe('string');
  expect(await snapshot()).toBe(before);
  return answer;
}

const openRequest = () => ({
  merchantId: w.merchantId,
  merchantOperatorId: MERCHANT_OPERATOR,
  merchantCurrency: 'EUR',
  deposit: { currency: 'SEK', value: '5.00' },
});

describe('refusals that change nothing', () => {
  it('has the tables the snapshot reads', async () => {
    expect(JSON.parse(await snapshot())[0].counts).toEqual(
      expect.objectContaining(Object.fromEntries(TABLES.slice(0, 4).map((t) => [t, expect.any(Number)]))),
    );
  });

  it('a replayed initiation gets the first answer and holds once', async () => {
    const { message } = await customer.initiation(openRequest());
    const first = await send(`${customerUrl}/v1/customer/tabs`, { body: message });
    expect(first.status).toBe(200);
    const before = await snapshot();
    const replay = await send(`${customerUrl}/v1/customer/tabs`, { body: message });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(await snapshot()).toBe(before);
  });

  it('the same message id with another body is refused', async () => {
    const { message } = await customer.initiation(openRequest());
    await send(`${customerUrl}/v1/customer/tabs`, { body: message });
    const altered = signEnvelope(customer.signer, { ...message.payload, deposit: { currency: 'SEK', value: '6.00' } });
    await expectRefusal(409, 'id_reused', () => send(`${customerUrl}/v1/customer/tabs`, { body: altered }));
  });

  it('a forged signature: another key, or the right key id over a changed payload', async () => {
    const { message } = await customer.initiation(openRequest());
    const intruder = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    await expectRefusal(401, 'unknown_key', () =>
      send(`${customerUrl}/v1/customer/tabs`, { body: signEnvelope(intruder, message.payload) }),
    );
    const tampered = { ...message, payload: { ...message.payload, deposit: { currency: 'SEK', value: '99.00' } } };
    await expectRefusal(401, 'bad_signature', () => send(`${customerUrl}/v1/customer/tabs`, { body: tampered }));
  });

  it('an expired or future iat', async () => {
    const { message } = await customer.initiation(openRequest());
    const old = signEnvelope(customer.signer, {
      ...message.payload,
      iat: formatTimestamp(w.clock.now_ms() - 10 * 60_000),
    });
    await expectRefusal(401, 'stale_message', () => send(`${customerUrl}/v1/customer/tabs`, { body: old }));
    const future = signEnvelope(customer.signer, {
      ...message.payload,
      id: '0'.repeat(31) + '1',
      iat: formatTimestamp(w.clock.now_ms() + 10 * 60_000),
    });
    await expectRefusal(401, 'stale_message', () => send(`${customerUrl}/v1/customer/tabs`, { body: future }));
  });

  it('an uncertified peer: an operator certificate from another CA', async () => {
    const rogueCa = generateKeyPair(nodeCrypto);
    const rogue = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const certificate = signOperatorCertificate(
      nodeCrypto,
      rogueCa.secretKey,
      {
        operatorId: 'op-se',
        publicKey: rogue.kid,
        baseUrl: 'http://127.0.0.1:9',
        currencies: ['SEK'],
        validFor_days: 1,
      },
      Date.now(),
    );
    const { message } = await customer.initiation(openRequest());
    const amended = seal(nodeCrypto, rogue, {
      type: 'amended-initiation',
      operatorCertificate: certificate,
      transactionId: 'op-se.1.99',
      merchantId: w.merchantId,
      deposit: { customer: { currency: 'SEK', value: '5.00' }, merchant: { currency: 'EUR', value: '0.44' } },
      rate: {
        tableId: message.payload.rateTableId,
        base: 'EUR',
        customer: { currency: 'SEK', perBase: '11.3595' },
        merchant: { currency: 'EUR', perBase: '1' },
      },
      customerCertificate: seal(nodeCrypto, rogue, {
        type: 'customer-certificate',
        operatorId: 'op-se',
        transactionId: 'op-se.1.99',
        pseudonym: 'psn_000000000000000000000000',
        tabPublicKey: rogue.kid,
        validUntil: formatTimestamp(Date.now() + 60_000),
      }),
      chain: message.payload.chain,
      expiresAt: formatTimestamp(Date.now() + 60_000),
    } satisfies PayloadBody<AmendedInitiationPayload>);
    await expectRefusal(403, 'uncertified_peer', () =>
      send(`${merchantOperatorUrl}/v1/peer/initiation`, { body: amended }),
    );
  });

  it('a certified peer that is not the transaction’s MTA cannot clear it', async () => {
    // The customer operator itself (certified by the CA) pretends to clear a transaction it is not the MTA of.
    const customerOperator = w.world.operator(CUSTOMER_OPERATOR).running.context;
    const tab = await customer.openTab(openRequest());
    const clearing = seal(nodeCrypto, customerOperator.identity.signer, {
      type: 'clearing',
      operatorCertificate: customerOperator.identity.certificate,
      transactionId: tab.transactionId,
      tabId: tab.tabId,
      cleared: { currency: 'EUR', value: '0.40' },
      outcome: 'agreed',
      note: 'forged',
    } satisfies PayloadBody<ClearingPayload>);
    await expectRefusal(404, 'unknown_tab', () => send(`${customerUrl}/v1/peer/clearing`, { body: clearing }));
  });

  it('an initiation naming an operator that is not a peer', async () => {
    const { message } = await customer.initiation({ ...openRequest(), merchantOperatorId: 'op-nowhere' });
    await expectRefusal(404, 'unknown_merchant', () => send(`${customerUrl}/v1/customer/tabs`, { body: message }));
  });

  it('malformed JSON, wrong types, excess decimals, oversized bodies, wrong media type', async () => {
    const url = `${customerUrl}/v1/customer/tabs`;
    await expectRefusal(400, 'malformed_json', () => send(url, { rawBody: '{"payload": {' }));
    const { message } = await customer.initiation(openRequest());
    await expectRefusal(400, 'invalid_message', () =>
      send(url, { body: { ...message, payload: { ...message.payload, timeout_s: '600' } } }),
    );
    await expectRefusal(400, 'invalid_message', () => send(url, { body: [message] }));
    await expectRefusal(400, 'amount_invalid', () =>
      send(url, {
        body: { ...message, payload: { ...message.payload, deposit: { currency: 'SEK', value: '5.001' } } },
      }),
    );
    await expectRefusal(413, 'body_too_large', () => send(url, { body: { ...message, padding: 'x'.repeat(20_000) } }));
    await expectRefusal(415, 'unsupported_media_type', () =>
      send(url, { rawBody: JSON.stringify(message), headers: { 'content-type': 'text/plain' } }),
    );
  });

  it('a lone surrogate in a signed message: refused as invalid, not a 500 from canonicalising it', async () => {
    // RFC 8785 cannot encode an unpaired surrogate: no signer could have signed this, and verifying it must refuse, not throw.
    const { message } = await customer.initiation(openRequest());
    const url = `${customerUrl}/v1/customer/tabs`;
    const answer = await expectRefusal(400, 'invalid_message', () =>
      send(url, { body: { ...message, payload: { ...message.payload, orderInfo: 'gift \ud800' } } }),
    );
    expect(answer.body.error.details).toEqual(['payload.orderInfo: must be well-formed Unicode (no lone surrogate)']);
  });

  /** Sends raw bytes to the customer operator and resolves with its whole answer. */
  function rawExchange(raw: string): Promise<string> {
    const { port } = new URL(customerUrl);
    return new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(raw));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
  }

  it('a request target that is not a URL path: 404 with a code, not a 500 from parsing it', async () => {
    const before = await snapshot();
    const answer = await rawExchange('GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('not_found');
    expect(await snapshot()).toBe(before);
  });

  it('a request HTTP cannot parse (an unknown method, a bad header): 400 malformed_request with a sentence, not a bare status line', async () => {
    const before = await snapshot();
    for (const raw of [
      'FOO /v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
      'POST /v1/customer/tabs HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n',
    ]) {
      const answer = await rawExchange(raw);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error).toEqual({
        code: 'malformed_request',
        message: expect.stringMatching(/not well-formed HTTP/),
      });
    }
    expect(await snapshot()).toBe(before);
  });

  it('an admin credit whose reference is used again for another amount, or is too long for a ledger id', async () => {
    const url = `${customerUrl}/v1/admin/customers/${customer.accountId}/credits`;
    const headers = {
      authorization: `Bearer ${w.world.operator(CUSTOMER_OPERATOR).running.context.config.adminToken}`,
    };
    const credit = (value: string, reference: string) =>
      send(url, { body: { amount: { currency: 'SEK', value }, reference }, headers });
    expect((await credit('1.00', 'invoice-7')).status).toBe(200);
    expect((await credit('1.00', 'invoice-7')).status).toBe(200);
    await expectRefusal(409, 'id_reused', () => credit('2.00', 'invoice-7'));
    expect((await credit('1.00', 'r'.repeat(91))).status).toBe(200);
    await expectRefusal(400, 'invalid_message', () => credit('1.00', 'r'.repeat(92)));
  });

  it('a settlement period that ends before it starts, or names a day that does not exist', async () => {
    const admin = `${customerUrl}${ADMIN_API.settlement.path}`;
    const headers = {
      authorization: `Bearer ${w.world.operator(CUSTOMER_OPERATOR).running.context.config.adminToken}`,
    };
    const statement = (query: string) =>
      send(`${admin}?peer=${MERCHANT_OPERATOR}&${query}`, { method: 'GET', headers });
    expect((await statement('from=2026-01-01T00:00:00Z&until=2026-02-01T00:00:00Z')).status).toBe(200);
    const reversed = await expectRefusal(400, 'invalid_message', () =>
      statement('from=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z'),
    );
    expect(reversed.body.error.message).toMatch(/ends before it starts/);
    // Date.parse would have read 30 February as 1 March.
    await expectRefusal(400, 'invalid_message', () => statement('from=2026-02-30T00:00:00Z'));
    // Which of two peers was meant cannot be known; the last one was taken silently.
    const twice = await expectRefusal(400, 'invalid_message', () => statement(`peer=${CUSTOMER_OPERATOR}`));
    expect(twice.body.error.message).toMatch(/names peer more than once/);
  });

  it('a merchant name that would read as another (a right-to-left override) or holds control characters', async () => {
    const merchantOperator = w.world.operator(MERCHANT_OPERATOR);
    const headers = { authorization: `Bearer ${merchantOperator.running.context.config.adminToken}` };
    const registration = (displayName: string) => ({
      merchantId: 'spoof',
      displayName,
      currency: 'EUR',
      origins: ['https://spoof.example'],
      agentUrl: 'https://spoof.example/opentab',
      publicKey: generateKeyPair(nodeCrypto).publicKey,
    });
    for (const displayName of ['Acme\u202Emoc.lapyap', 'News\nBreaking']) {
      await expectRefusal(400, 'invalid_message', () =>
        send(`${merchantOperator.url}${ADMIN_API.registerMerchant.path}`, { body: registration(displayName), headers }),
      );
    }
    // The same registration under a plain name is taken: the name alone was the problem.
    expect(
      (
        await send(`${merchantOperator.url}${ADMIN_API.registerMerchant.path}`, {
          body: registration('Acme news'),
          headers,
        })
      ).status,
    ).toBe(200);
  });

  it('a merchant whose agent URL or page origin is plain http outside loopback', async () => {
    const merchantOperator = w.world.operator(MERCHANT_OPERATOR);
    const headers = { authorization: `Bearer ${merchantOperator.running.context.config.adminToken}` };
    const registration = (origins: string[], agentUrl: string) => ({
      merchantId: 'cleartext',
      displayName: 'Cleartext news',
      currency: 'EUR',
      origins,
      agentUrl,
      publicKey: signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey()).kid,
    });
    const register = (body: object) =>
      send(`${merchantOperator.url}${ADMIN_API.registerMerchant.path}`, { body, headers });
    const rule = 'must use https: (plain http: only on loopback: 127.0.0.0/8, ::1, localhost)';
    const agent = await expectRefusal(400, 'invalid_message', () =>
      register(registration(['https://news.example'], 'http://news.example/opentab')),
    );
    expect(agent.body.error.details).toEqual([`agentUrl: ${rule}`]);
    const origin = await expectRefusal(400, 'invalid_message', () =>
      register(registration(['https://news.example', 'http://news.example'], 'https://news.example/opentab')),
    );
    expect(origin.body.error.details).toEqual([`origins.1: ${rule}`]);
    // https anywhere, and plain http on this machine, are taken.
    expect(
      (await register(registration(['https://news.example', 'http://127.0.0.1:8080'], 'http://localhost:8080/opentab')))
        .status,
    ).toBe(200);
  });

  it('business refusals: deposit in the wrong currency, chain too short, unknown rate table, insufficient funds', async () => {
    const url = `${customerUrl}/v1/customer/tabs`;
    const { message } = await customer.initiation(openRequest());
    const resign = (change: object) =>
      signEnvelope(customer.signer, {
        ...message.payload,
        ...change,
        id: nodeCrypto.randomBytes(16).reduce((s, b) => s + b.toString(16).padStart(2, '0'), ''),
      });
    await expectRefusal(422, 'currency_mismatch', () =>
      send(url, { body: resign({ deposit: { currency: 'EUR', value: '5.00' } }) }),
    );
    await expectRefusal(422, 'chain_too_short', () =>
      send(url, { body: resign({ chain: { ...message.payload.chain, length: 3 } }) }),
    );
    await expectRefusal(409, 'rate_table_unknown', () => send(url, { body: resign({ rateTableId: 'f'.repeat(32) }) }));
    const tooMuch = await customer.initiation({ ...openRequest(), deposit: { currency: 'SEK', value: '150.00' } });
    await expectRefusal(422, 'insufficient_funds', () => send(url, { body: tooMuch.message }));
    await expectRefusal(422, 'timeout_out_of_range', () => send(url, { body: resign({ timeout_s: 7200 }) }));
  });

  it('unknown routes, wrong methods and missing admin tokens', async () => {
    await expectRefusal(404, 'not_found', () => send(`${customerUrl}/v1/nothing`));
    await expectRefusal(405, 'method_not_allowed', () => send(`${customerUrl}/v1/customer/tabs`));
    await expectRefusal(401, 'unauthorized', () =>
      send(`${customerUrl}/v1/admin/customers`, { body: { creditLimit: { currency: 'SEK', value: '1.00' } } }),
    );
    await expectRefusal(401, 'unauthorized', () =>
      send(`${customerUrl}/v1/admin/ledger`, { headers: { authorization: 'Bearer wrong' } }),
    );
  });

  it('HEAD is GET without the body, on the API and on the documents; a POST route says so in Allow', async () => {
    for (const path of [OPERATOR_API.rateTable.path, '/healthz', '/openapi.json']) {
      const [head, get] = [
        await fetch(`${customerUrl}${path}`, { method: 'HEAD' }),
        await fetch(`${customerUrl}${path}`),
      ];
      expect([path, head.status, head.headers.get('content-type'), await head.text()]).toEqual([
        path,
        200,
        get.headers.get('content-type'),
        '',
      ]);
      expect((await get.text()).length).toBeGreaterThan(0);
    }
    const refused = await fetch(`${customerUrl}${OPERATOR_API.openTab.path}`, { method: 'HEAD' });
    expect([refused.status, refused.headers.get('allow')]).toEqual([405, 'POST']);
    const getOnly = await fetch(`${customerUrl}${OPERATOR_API.rateTable.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect([getOnly.status, getOnly.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('no body on any route makes the server answer 500, and it keeps serving', async () => {
    const routes = [...Object.values(OPERATOR_API), ...Object.values(ADMIN_API)].filter(
      (spec) => spec.method === 'POST',
    );
    const { message } = await customer.initiation(openRequest());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(
          fc.jsonValue(),
          fc.constant(message),
          fc.record({ payload: fc.jsonValue(), kid: fc.string(), sig: fc.string() }),
          fc.record({
            payload: fc.record({
              type: fc.string(),
              id: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }),
              iat: fc.string(),
            }),
            kid: fc.string(),
            sig: fc.string(),
          }),
        ),
        async (spec, body) => {
          const path = spec.path.replace('{accountId}', customer.accountId);
          const answer = await send(`${customerUrl}${path}`, { body, headers: { authorization: 'Bearer nope' } });
          expect(answer.status).toBeGreaterThanOrEqual(200);
          expect(answer.status).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
    expect((await send(`${customerUrl}/healthz`)).status).toBe(200);
  });
});
