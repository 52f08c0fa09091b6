// Every route of the operator's API maps, walked with hostile input over real HTTP: bodies no
// schema accepts, wrong methods and targets, and a valid message of the route with each field
// deleted or replaced, or signed wrongly. No answer may be a 5xx; every refusal carries a catalogue
// code of its status and a sentence, and changes no row of either operator or the merchant agent.
// A route added to a map is walked here at once; a POST route also needs a valid sample below.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_API } from '@opentab/protocol';
import type { RouteSpec } from '@opentab/protocol';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import { seal, signerFromSecretKey, signEnvelope, type Signer } from '@opentab/protocol';
import { newPrefixedId } from '@opentab/protocol';
import { moneyToWire } from '@opentab/protocol';
import { depositInMerchantCurrency, lockRate } from '@opentab/protocol';
import { formatTimestamp } from '@opentab/protocol';
import {
  answerDefect,
  envelopeMutations,
  exchange,
  fieldMutations,
  malformedBodies,
  type HostileRequest,
  ROUTE_WALK_BOUND_MS,
} from '@opentab/test-kit';
import { ADMIN_API } from '../src/http/admin-api';
import { STAFF_SESSION_API } from '../src/http/admin-staff-api';
import { signOperatorCertificate } from '../src/provisioning/certificate-authority';
import { readKeyPair } from '../src/provisioning/keys';
import { join } from 'node:path';
import type { TestCustomer, TestTab } from '@opentab/test-kit/worlds';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  StoredTables,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

const ROUTES: Record<string, RouteSpec> = { ...OPERATOR_API, ...STAFF_SESSION_API, ...ADMIN_API };

/** The routes the merchant's MTA answers; every other route is asked of the customer's operator. */
const AT_MERCHANT_OPERATOR = new Set([
  'peerMerchantLookup',
  'peerInitiation',
  'peerCustomerRecord',
  'merchantRecord',
  'merchantRefund',
  'setMerchantStatus',
  'resolveDispute',
]);

/**
 * The customer's AM holds before it asks the merchant's MTA (DESIGN.md, the flow, step 3), so an
 * initiation the MTA refuses leaves its attempt on record: a failed transaction, a released
 * hold, the session's next sequence number. No money moves:
 * the accounts (balances and held sums) are still compared.
 */
const ATTEMPT_RECORDS: Readonly<Record<string, readonly string[]>> = {
  openTab: ['op-se.transactions', 'op-se.ledger_holds', 'op-se.sessions'],
};

const merchantSecretKey = nodeCrypto.ed25519.generateSecretKey();
const merchantKey = signerFromSecretKey(nodeCrypto, merchantSecretKey);
/** Keys the test signs with: a mutated message is signed again so that it meets the receiver's checks. */
const signers = new Map<string, Signer>();
let w: TwoOperatorWorld;
let customer: TestCustomer;
let tab: TestTab;
/** The stores whose every table a refusal must leave as it was. */
let stored: Array<{ readonly name: string; readonly tables: StoredTables }> = [];
let madeUpTransactions = 0;

const am = () => w.world.operator(CUSTOMER_OPERATOR).running.context;
const mta = () => w.world.operator(MERCHANT_OPERATOR).running.context;
const trust = (...keys: Signer[]) => keys.forEach((key) => signers.set(key.kid, key));
const openRequest = () => ({
  merchantId: w.merchantId,
  merchantOperatorId: MERCHANT_OPERATOR,
  merchantCurrency: 'EUR',
  deposit: { currency: 'SEK', value: '5.00' },
});
const madeUpTransactionId = () => `op-se.1.${1000 + ++madeUpTransactions}`;

async function openTab(): Promise<TestTab> {
  const opened = await customer.openTab(openRequest());
  trust(opened.tabSigner);
  await opened.buy(w.merchant.agentUrl, 'article-1', { currency: 'EUR', value: '0.08' });
  return opened;
}

/** One valid request body per POST route. */
const SAMPLES: Record<string, () => Promise<unknown>> = {
  enroll: async () => {
    const { accountId } = await w.world
      .operator(CUSTOMER_OPERATOR)
      .admin.call('createCustomer', { creditLimit: { currency: 'SEK', value: '1.00' } });
    const { code } = await w.world.operator(CUSTOMER_OPERATOR).admin.call('enrollmentCode', {}, { accountId });
    const key = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    trust(key);
    return seal(nodeCrypto, key, { type: 'enroll', code, publicKey: key.kid });
  },
  logon: async () => seal(nodeCrypto, customer.signer, { type: 'logon', accountId: customer.accountId }),
  account: async () =>
    seal(nodeCrypto, customer.signer, {
      type: 'account-query',
      accountId: customer.accountId,
      sessionId: customer.session,
    }),
  merchantQuery: async () =>
    seal(nodeCrypto, customer.signer, {
      type: 'merchant-query',
      accountId: customer.accountId,
      sessionId: customer.session,
      merchantId: w.merchantId,
      merchantOperatorId: MERCHANT_OPERATOR,
    }),
  openTab: async () => {
    const { message } = await customer.initiation(openRequest());
    return signEnvelope(customer.signer, { ...message.payload, orderInfo: 'order 7' });
  },
  customerRecord: async () => (await openTab()).record(),
  peerMerchantLookup: async () =>
    seal(nodeCrypto, am().identity.signer, {
      type: 'merchant-lookup',
      operatorCertificate: am().identity.certificate,
      merchantId: w.merchantId,
    }),
  peerInitiation: async () => {
    const { message } = await customer.initiation(openRequest());
    const table = (await customer.rateTable()).payload;
    const rate = lockRate({ id: table.id, base: table.base, rates: table.rates }, 'SEK', 'EUR')!;
    const transactionId = madeUpTransactionId();
    const expiresAt = formatTimestamp(Date.now() + 600_000);
    return seal(nodeCrypto, am().identity.signer, {
      type: 'amended-initiation',
      operatorCertificate: am().identity.certificate,
      transactionId,
      merchantId: w.merchantId,
      deposit: {
        customer: { currency: 'SEK', value: '5.00' },
        merchant: moneyToWire({ currency: 'EUR', minor: depositInMerchantCurrency(500n, rate) }),
      },
      rate,
      customerCertificate: seal(nodeCrypto, am().identity.signer, {
        type: 'customer-certificate',
        operatorId: CUSTOMER_OPERATOR,
        transactionId,
        pseudonym: newPrefixedId(nodeCrypto, 'psn'),
        tabPublicKey: message.payload.tabPublicKey,
        validUntil: expiresAt,
      }),
      chain: message.payload.chain,
      expiresAt,
      orderInfo: 'order 7',
    });
  },
  peerCustomerRecord: async () =>
    seal(nodeCrypto, am().identity.signer, {
      type: 'customer-record-relay',
      operatorCertificate: am().identity.certificate,
      record: (await openTab()).record(),
    }),
  peerClearing: async () => {
    const cleared = await openTab();
    return seal(nodeCrypto, mta().identity.signer, {
      type: 'clearing',
      operatorCertificate: mta().identity.certificate,
      transactionId: cleared.transactionId,
      tabId: cleared.tabId,
      cleared: { currency: 'EUR', value: '0.08' },
      outcome: 'agreed',
      note: 'both records agree',
    });
  },
  peerDisputeDecision: async () => {
    const decided = await openTab();
    const resolution = seal(nodeCrypto, mta().identity.signer, {
      type: 'dispute-resolution' as const,
      operatorId: MERCHANT_OPERATOR,
      disputeId: `dispute:${decided.tabId}`,
      tabId: decided.tabId,
      transactionId: decided.transactionId,
      customerOperatorId: CUSTOMER_OPERATOR,
      merchantId: w.merchantId,
      decision: 'uphold' as const,
      clearedBefore: { currency: 'EUR', value: '0.08' },
      clearedAfter: { currency: 'EUR', value: '0.08' },
      revision: 0,
      reason: 'The link proves 0.08.',
    });
    return seal(nodeCrypto, mta().identity.signer, {
      type: 'dispute-decision',
      operatorCertificate: mta().identity.certificate,
      resolution,
    });
  },
  merchantRecord: async () => {
    const stopped = await openTab();
    return seal(nodeCrypto, merchantKey, {
      type: 'merchant-record',
      merchantId: w.merchantId,
      tabId: stopped.tabId,
      reason: 'merchant-stop',
      purchaseListHash: stopped.record().payload.purchaseListHash,
      count: 1,
      total: { currency: 'EUR', value: '0.08' },
      lastChainIndex: 8,
      lastChainLink: stopped.chain.encodedLinkAt(8),
    });
  },
  merchantRefund: async () => {
    const open = await openTab();
    return seal(nodeCrypto, merchantKey, {
      type: 'refund',
      merchantId: w.merchantId,
      tabId: open.tabId,
      refundId: '0123456789abcdef0123456789abcdef',
      amount: { currency: 'EUR', value: '0.08' },
      reason: 'The article did not load.',
    });
  },
  createCustomer: async () => ({
    displayName: 'Eve',
    currency: 'SEK',
    creditLimit: { currency: 'SEK', value: '1.00' },
  }),
  enrollmentCode: async () => ({ validFor_s: 3600 }),
  creditCustomer: async () => ({ amount: { currency: 'SEK', value: '1.00' }, reference: 'invoice-1' }),
  registerMerchant: async () => ({
    merchantId: 'other-shop',
    displayName: 'Other shop',
    currency: 'SEK',
    origins: ['https://other.example'],
    agentUrl: 'https://other.example/opentab',
    publicKey: merchantKey.kid,
  }),
  // Each leaves things as they are, so the routes walked after it still meet the same world.
  setCustomerStatus: async () => ({ status: 'active', reason: 'in good standing' }),
  setCreditLimit: async () => ({ creditLimit: { currency: 'SEK', value: '1000000.00' } }),
  setMerchantStatus: async () => ({ status: 'active', reason: 'in good standing' }),
  publishRates: async () => ({}),
  retryOutbox: async () => ({ recordIds: ['clearing:tab_000000000000000000000000'] }),
  // A rotation of op-eu keys that sign nothing else here: whatever it retires, the walk goes on.
  peerKeyRotation: async () => {
    const ca = readKeyPair(nodeCrypto, join(w.dir, 'ca', 'ca.key'));
    const certificateOf = (key: Signer) =>
      signOperatorCertificate(
        nodeCrypto,
        ca.secretKey,
        {
          operatorId: MERCHANT_OPERATOR,
          publicKey: key.kid,
          baseUrl: mta().identity.certificate.payload.baseUrl,
          currencies: ['EUR'],
          validFor_days: 30,
        },
        Date.now(),
      );
    const retiring = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const successor = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    trust(retiring);
    return seal(
      nodeCrypto,
      retiring,
      {
        type: 'key-rotation',
        operatorId: MERCHANT_OPERATOR,
        retiringCertificate: certificateOf(retiring),
        successorCertificate: certificateOf(successor),
        retiresAt: formatTimestamp(Date.now() + 3600_000),
      },
      Date.now(),
    );
  },
  // Refused at op-se, which registered no such merchant and knows no such peer.
  revokeMerchant: async () => ({ reason: 'key leaked' }),
  revokePeer: async () => ({ reason: 'settlement unpaid' }),
  prepareKey: async () => ({}),
  // Its own current certificate: not a key prepared for rotation, so refused.
  rotateKey: async () => ({ certificate: am().identity.certificate, overlap_s: 60 }),
  createStaff: async () => ({ name: 'eve.ops', password: 'a long enough password' }),
  staffLogin: async () => ({ name: 'eve.ops', password: 'not her password' }),
  staffLogout: async () => ({}),
  disableStaff: async () => ({}),
  enableStaff: async () => ({}),
  unlockStaff: async () => ({}),
  changePassword: async () => ({ current: 'not her password', password: 'a long enough password' }),
  // No dispute in this world: the body is walked against a dispute the MTA does not know.
  resolveDispute: async () => ({ decision: 'adjust', cleared: { currency: 'EUR', value: '0.05' }, reason: 'refund' }),
};

beforeAll(async () => {
  const unlimited = { perClient_per_s: 1_000_000, burst: 1_000_000 };
  w = await startTwoOperatorWorld({
    merchantSecretKey: toBase64url(merchantSecretKey),
    // Background jobs out of the way (a minute between ticks), so that only the request changes anything; no
    // tab expires during the test.
    settings: {
      tick_ms: 60_000,
      tabs: { recordGrace_s: 1, minTimeout_s: 60, maxTimeout_s: 3600 },
      rateLimit: { customer: unlimited, peer: unlimited },
    },
  });
  customer = await w.newCustomer('1000000.00');
  trust(customer.signer, am().identity.signer, mta().identity.signer, merchantKey);
  tab = await openTab();
  stored = [
    ...Object.values(w.world.operators).map((operator) => ({
      name: operator.operatorId,
      tables: StoredTables.ofOperator(operator),
    })),
    { name: 'agent', tables: StoredTables.ofMerchant(w.merchant) },
  ];
});

afterAll(async () => {
  for (const { tables } of stored) await tables.close();
  await w?.close();
});

/** Every table of both operators and of the merchant agent; message receipts and issued rate tables keep
 * refusals and reads by design. */
async function snapshot(): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const { name, tables } of stored) {
    const except = name === 'agent' ? [] : ['message_receipts', 'rate_tables'];
    for (const [table, digest] of Object.entries(await tables.digests(except))) digests[`${name}.${table}`] = digest;
  }
  return digests;
}

function urlOf(name: string, spec: RouteSpec, param?: string): string {
  const operator = w.world.operator(AT_MERCHANT_OPERATOR.has(name) ? MERCHANT_OPERATOR : CUSTOMER_OPERATOR);
  const known: Record<string, string> = {
    accountId: customer.accountId,
    merchantId: w.merchantId,
    transactionId: tab.transactionId,
    tabId: tab.tabId,
    disputeId: 'dispute:tab_000000000000000000000000',
    operatorId: 'op-unknown',
    name: 'nobody.here',
  };
  return operator.url + spec.path.replace(/\{(\w+)\}/g, (_, key: string) => param ?? known[key]!);
}

async function expectSafe(name: string, url: string, request: HostileRequest): Promise<void> {
  // Only the request walked may change a table: what earlier ones left due is done first.
  await w.settleBackgroundWork();
  const before = await snapshot();
  const answer = await exchange(url, request);
  expect(answerDefect(answer, request.method), `${name}: ${request.label}`).toBeNull();
  if (answer.status < 400) return;
  const after = await snapshot();
  const changed = Object.keys(after).filter(
    (table) => after[table] !== before[table] && !(ATTEMPT_RECORDS[name] ?? []).includes(table),
  );
  expect(changed, `${name}: ${request.label} was refused (${answer.status}) but changed`).toEqual([]);
}

function* hostileRequests(
  name: string,
  spec: RouteSpec,
  auth: Record<string, string>,
): Generator<[string, HostileRequest]> {
  const url = urlOf(name, spec);
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].filter((m) => m !== spec.method)) {
    yield [
      url,
      {
        label: `method ${method}`,
        method,
        headers: { ...auth, 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: '{}' }),
      },
    ];
  }
  if (spec.method === 'GET') {
    for (const query of [
      '?x=1',
      '?a=%',
      `?${'q'.repeat(3000)}`,
      '?peer=op-eu&from=9999-12-31T23:59:59Z&until=0000-01-01T00:00:00Z',
    ]) {
      yield [url + query, { label: `query ${query.slice(0, 30)}`, method: 'GET', headers: auth }];
    }
    if (spec.path.includes('{')) {
      for (const param of ['%', '%ED%A0%80', 'x'.repeat(300), '..%2Fx', 'acct_000000000000000000000000'])
        yield [
          urlOf(name, spec, param),
          { label: `path parameter ${param.slice(0, 20)}`, method: 'GET', headers: auth },
        ];
    }
  } else {
    for (const request of malformedBodies(spec.maxBody_bytes))
      yield [url, { ...request, headers: { ...auth, ...request.headers } }];
  }
  if (spec.auth === 'admin-token') {
    yield [
      url,
      {
        label: 'no admin token',
        method: spec.method,
        ...(spec.method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
      },
    ];
  }
}

describe('every operator route, walked with hostile input', () => {
  it.each(Object.entries(ROUTES))(
    '%s',
    async (name, spec) => {
      const auth: Record<string, string> =
        spec.auth === 'admin-token' ? { authorization: `Bearer ${am().config.adminToken}` } : {};
      for (const [url, request] of hostileRequests(name, spec, auth)) await expectSafe(name, url, request);
      if (spec.method === 'GET') return;
      const sample = SAMPLES[name];
      expect(
        sample,
        `${name} has no valid sample in SAMPLES: add one, so that its fields are mutated too`,
      ).toBeDefined();
      const valid = await sample!();
      const url = urlOf(name, spec);
      const post = (label: string, body: unknown): HostileRequest => ({
        label,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      for (const [label, body] of fieldMutations(valid, signers)) await expectSafe(name, url, post(label, body));
      for (const [label, body] of envelopeMutations(valid, signers)) await expectSafe(name, url, post(label, body));
      await w.assertInvariants({ pendingHoldRefsAllowed: (ref) => ref.startsWith(`${CUSTOMER_OPERATOR}.`) });
    },
    ROUTE_WALK_BOUND_MS,
  );
});
