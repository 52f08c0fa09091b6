// Every key intake of an operator refuses a key that is not a sound Ed25519 key with 400 weak_key
// and changes nothing: enrolment, log-on, merchant registration and update, the per-tab key of an
// initiation, a peer's operator certificate and the customer certificate it relays. The messages
// are "signed" by the identity key where that is the key at issue: its one fixed signature would
// verify for any payload where small-order keys are taken.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '@opentab/server-kit';
import { seal, signEnvelope, signerFromSecretKey, type PayloadBody } from '@opentab/protocol';
import { fromBase64url } from '@opentab/protocol';
import type { OperatorCertificate, OperatorCertificatePayload } from '@opentab/protocol';
import type { AmendedInitiationPayload } from '@opentab/protocol';
import { signedByIdentityKey, WEAK_KEY_KINDS, WEAK_KEYS } from '@opentab/test-kit';
import { formatTimestamp } from '@opentab/protocol';
import { ADMIN_API } from '../src/http/admin-api';
import { signOperatorCertificate } from '../src/provisioning/certificate-authority';
import { generateKeyPair } from '../src/provisioning/keys';
import type { TestCustomer } from '@opentab/test-kit/worlds';
import { send } from '../testing/http';
import {
  CUSTOMER_OPERATOR,
  MERCHANT_OPERATOR,
  startTwoOperatorWorld,
  StoredTables,
  type TwoOperatorWorld,
} from '@opentab/test-kit/worlds';

let w: TwoOperatorWorld;
let customer: TestCustomer;

beforeAll(async () => {
  w = await startTwoOperatorWorld({ settings: { tick_ms: 20 } });
  customer = await w.newCustomer('100.00');
});

afterAll(async () => {
  await w.close();
});

/** Row counts of every table, the merchants and every balance, on both operators. */
async function snapshot(): Promise<string> {
  const operators = [];
  for (const operator of Object.values(w.world.operators)) {
    const tables = StoredTables.ofOperator(operator);
    const { storage } = operator.running.context;
    try {
      operators.push({
        counts: await tables.counts(['message_receipts']),
        merchants: (await storage.merchants.merchants(1_000)).sort((a, b) => a.merchantId.localeCompare(b.merchantId)),
        balances: await storage.ledger.balancesByCurrency(),
      });
    } finally {
      await tables.close();
    }
  }
  return JSON.stringify(operators, (_, value) => (typeof value === 'bigint' ? value.toString() : value));
}

async function expectWeakKeyRefusal(path: string, exchange: () => Promise<{ status: number; body: any }>) {
  const before = await snapshot();
  const answer = await exchange();
  expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 400, code: 'weak_key' });
  expect(answer.body.error.details.join('\n')).toContain(`${path}: must be a sound Ed25519 public key, but it`);
  expect(await snapshot()).toBe(before);
}

const customerUrl = () => w.world.operator(CUSTOMER_OPERATOR).url;
const merchantOperator = () => w.world.operator(MERCHANT_OPERATOR);
const openRequest = () => ({
  merchantId: w.merchantId,
  merchantOperatorId: MERCHANT_OPERATOR,
  merchantCurrency: 'EUR',
  deposit: { currency: 'SEK', value: '5.00' },
});

describe.each(WEAK_KEY_KINDS)('a %s key', (kind) => {
  const weakKey = WEAK_KEYS[kind];

  it('is not enrolled, and the code stays unused', async () => {
    const { accountId } = await w.world
      .operator(CUSTOMER_OPERATOR)
      .admin.call('createCustomer', { creditLimit: { currency: 'SEK', value: '10.00' } });
    const { code } = await w.world.operator(CUSTOMER_OPERATOR).admin.call('enrollmentCode', {}, { accountId });
    const enrol = signedByIdentityKey(
      {
        type: 'enroll',
        id: nodeCrypto.randomBytes(16).reduce((s, b) => s + b.toString(16).padStart(2, '0'), ''),
        iat: formatTimestamp(Date.now()),
        code,
        publicKey: weakKey,
      },
      weakKey,
    );
    await expectWeakKeyRefusal('payload.publicKey', () => send(`${customerUrl()}/v1/customer/enroll`, { body: enrol }));
  });

  it('does not log on', async () => {
    const logon = signedByIdentityKey(
      { type: 'logon', id: '1'.repeat(32), iat: formatTimestamp(Date.now()), accountId: customer.accountId },
      weakKey,
    );
    await expectWeakKeyRefusal('kid', () => send(`${customerUrl()}/v1/customer/logon`, { body: logon }));
  });

  it('is neither registered for a new merchant nor put in place of a registered merchant’s key', async () => {
    const headers = { authorization: `Bearer ${merchantOperator().running.context.config.adminToken}` };
    const register = (merchantId: string) =>
      send(`${merchantOperator().url}${ADMIN_API.registerMerchant.path}`, {
        headers,
        body: {
          merchantId,
          displayName: 'Weak Keys Ltd',
          currency: 'EUR',
          origins: ['https://weak.example'],
          agentUrl: 'https://weak.example/opentab',
          publicKey: weakKey,
        },
      });
    await expectWeakKeyRefusal('publicKey', () => register('weak-keys-ltd'));
    await expectWeakKeyRefusal('publicKey', () => register(w.merchantId));
  });

  it('is not taken as the key of a tab', async () => {
    const { message } = await customer.initiation(openRequest());
    const initiation = signEnvelope(customer.signer, { ...message.payload, tabPublicKey: weakKey });
    await expectWeakKeyRefusal('payload.tabPublicKey', () =>
      send(`${customerUrl()}/v1/customer/tabs`, { body: initiation }),
    );
  });

  it('does not make a peer, even certified, nor the key of a tab a peer vouches for', async () => {
    const ca = generateKeyPair(nodeCrypto);
    const certificate = signOperatorCertificateUnchecked(ca.secretKey, weakKey);
    const peer = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const { message } = await customer.initiation(openRequest());
    const amended = (operatorCertificate: OperatorCertificate, tabPublicKey: string) =>
      ({
        type: 'amended-initiation',
        operatorCertificate,
        transactionId: 'op-se.1.99',
        merchantId: w.merchantId,
        deposit: { customer: { currency: 'SEK', value: '5.00' }, merchant: { currency: 'EUR', value: '0.44' } },
        rate: {
          tableId: message.payload.rateTableId,
          base: 'EUR',
          customer: { currency: 'SEK', perBase: '11.3595' },
          merchant: { currency: 'EUR', perBase: '1' },
        },
        customerCertificate: seal(nodeCrypto, peer, {
          type: 'customer-certificate',
          operatorId: 'op-se',
          transactionId: 'op-se.1.99',
          pseudonym: 'psn_000000000000000000000000',
          tabPublicKey,
          validUntil: formatTimestamp(Date.now() + 60_000),
        }),
        chain: message.payload.chain,
        expiresAt: formatTimestamp(Date.now() + 60_000),
      }) satisfies PayloadBody<AmendedInitiationPayload>;
    const fromWeakPeer = signedByIdentityKey(
      { ...amended(certificate, peer.kid), id: '2'.repeat(32), iat: formatTimestamp(Date.now()) },
      weakKey,
    );
    await expectWeakKeyRefusal('payload.operatorCertificate.payload.publicKey', () =>
      send(`${merchantOperator().url}/v1/peer/initiation`, { body: fromWeakPeer }),
    );
    const soundCertificate = signOperatorCertificate(
      nodeCrypto,
      ca.secretKey,
      {
        operatorId: 'op-se',
        publicKey: peer.kid,
        baseUrl: 'http://127.0.0.1:9',
        currencies: ['SEK'],
        validFor_days: 1,
      },
      Date.now(),
    );
    const weakTabKey = seal(nodeCrypto, peer, amended(soundCertificate, weakKey));
    await expectWeakKeyRefusal('payload.customerCertificate.payload.tabPublicKey', () =>
      send(`${merchantOperator().url}/v1/peer/initiation`, { body: weakTabKey }),
    );
  });
});

/** An operator certificate for any key, as a careless CA would sign it (signOperatorCertificate refuses weak keys). */
function signOperatorCertificateUnchecked(caSecretKey: string, publicKey: string): OperatorCertificate {
  const ca = signerFromSecretKey(nodeCrypto, fromBase64url(caSecretKey));
  return seal(nodeCrypto, ca, {
    type: 'operator-certificate',
    operatorId: 'op-se',
    publicKey,
    baseUrl: 'http://127.0.0.1:9',
    currencies: ['SEK'],
    validUntil: formatTimestamp(Date.now() + 86_400_000),
  } satisfies PayloadBody<OperatorCertificatePayload>);
}
