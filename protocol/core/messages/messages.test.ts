import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '@opentab/test-kit';
import { HashChain } from '../chain/hash-chain';
import { seal, signerFromSecretKey, type PayloadBody } from '../envelope';
import { Initiation, type InitiationPayload } from './customer';
import { Purchase } from './merchant';
import { RateTable } from './rate-table';
import { PageRequest } from './bridge';
import { DisplayName, ItemTitle } from './primitives';
import { parseMessage } from './validate';

const customer = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
const tabKey = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
const chain = HashChain.fromSeed(nodeCrypto, nodeCrypto.randomBytes(32), 500);

const initiation = seal(nodeCrypto, customer, {
  type: 'initiation',
  accountId: 'acct_0123456789abcdef01234567',
  sessionId: 'op-se.1',
  merchantId: 'news',
  merchantOperatorId: 'op-eu',
  deposit: { currency: 'SEK', value: '50.00' },
  rateTableId: '0123456789abcdef0123456789abcdef',
  tabPublicKey: tabKey.kid,
  chain: { root: chain.commitment.root, unit: { currency: 'EUR', value: '0.01' }, length: 500 },
  timeout_s: 600,
} satisfies PayloadBody<InitiationPayload>);

function withPayload(change: Record<string, unknown>): unknown {
  return { ...initiation, payload: { ...initiation.payload, ...change } };
}

describe('message schemas', () => {
  it('accept a well-formed signed initiation and type it', () => {
    const parsed = parseMessage(Initiation, JSON.parse(JSON.stringify(initiation)));
    expect(parsed.ok && parsed.value.payload.deposit.value).toBe('50.00');
  });

  it.each([
    [
      'excess decimals',
      withPayload({ deposit: { currency: 'SEK', value: '1.001' } }),
      'amount_invalid',
      'payload.deposit',
    ],
    [
      'negative amount',
      withPayload({ deposit: { currency: 'SEK', value: '-1.00' } }),
      'invalid_message',
      'payload.deposit.value',
    ],
    [
      'amount as a number',
      withPayload({ deposit: { currency: 'SEK', value: 1 } }),
      'invalid_message',
      'payload.deposit.value',
    ],
    [
      'unknown currency',
      withPayload({ deposit: { currency: 'ZZZ', value: '1' } }),
      'invalid_message',
      'payload.deposit.currency',
    ],
    ['wrong type literal', withPayload({ type: 'logon' }), 'invalid_message', 'payload.type'],
    ['extra property', withPayload({ sneaky: true }), 'invalid_message', 'payload'],
    ['bad message id', withPayload({ id: 'XYZ' }), 'invalid_message', 'payload.id'],
    ['non-RFC 3339 iat', withPayload({ iat: 'Sun Nov 29 2026' }), 'invalid_message', 'payload.iat'],
    ['fractional timeout', withPayload({ timeout_s: 60.5 }), 'invalid_message', 'payload.timeout_s'],
    [
      'huge chain',
      withPayload({ chain: { ...initiation.payload.chain, length: 10 ** 9 } }),
      'invalid_message',
      'payload.chain.length',
    ],
    ['short key', { ...initiation, kid: 'abc' }, 'invalid_message', 'kid'],
    ['no signature', { payload: initiation.payload, kid: initiation.kid }, 'invalid_message', 'sig'],
    ['not an object', 'initiation', 'invalid_message', '(message)'],
    [
      'lone surrogate in free text',
      withPayload({ orderInfo: 'gift \ud800' }),
      'invalid_message',
      'payload.orderInfo: must be well-formed Unicode',
    ],
  ])('refuse %s with a stable code and the failing path', (_, input, code, path) => {
    const parsed = parseMessage(Initiation, input);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe(code);
    expect(parsed.error.details.join('\n')).toContain(path);
  });

  it('refuse a purchase whose chain index is not an integer, whose link is not a digest, or whose list key is missing or not one spelling of 32 bytes', () => {
    const purchase = {
      type: 'purchase',
      id: '0123456789abcdef0123456789abcdef',
      tabId: 'tab_0123456789abcdef01234567',
      seq: 1,
      itemId: 'a-1',
      price: { currency: 'EUR', value: '0.05' },
      chainIndex: 5,
      chainLink: chain.encodedLinkAt(5),
      listKey: 'A'.repeat(43),
    };
    expect(v.is(Purchase, purchase)).toBe(true);
    expect(v.is(Purchase, { ...purchase, chainIndex: 5.5 })).toBe(false);
    expect(v.is(Purchase, { ...purchase, chainLink: 'short' })).toBe(false);
    expect(v.is(Purchase, { ...purchase, itemId: '../etc/passwd' })).toBe(false);
    const { listKey: _omitted, ...withoutKey } = purchase;
    expect(v.is(Purchase, withoutKey)).toBe(false);
    expect(v.is(Purchase, { ...purchase, listKey: 'A'.repeat(42) })).toBe(false);
    // The last character carries two bits beyond the 32 bytes: 'B' sets one, a second spelling of the same key.
    expect(v.is(Purchase, { ...purchase, listKey: 'A'.repeat(42) + 'B' })).toBe(false);
  });

  it('refuse a rate table whose validity ends before it starts', () => {
    const operator = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const body = { type: 'rate-table' as const, operatorId: 'op-se', base: 'EUR', rates: { SEK: '11.3595' } };
    const good = seal(nodeCrypto, operator, {
      ...body,
      issuedAt: '2026-11-29T10:00:00Z',
      validUntil: '2026-11-29T11:00:00Z',
    });
    const bad = seal(nodeCrypto, operator, {
      ...body,
      issuedAt: '2026-11-29T10:00:00Z',
      validUntil: '2026-11-29T09:00:00Z',
    });
    expect(v.is(RateTable, good)).toBe(true);
    expect(v.is(RateTable, bad)).toBe(false);
    expect(v.is(RateTable, { ...good, payload: { ...good.payload, rates: { SEK: '0' } } })).toBe(false);
  });

  it('take a rate table with or without its source, refusing a source it cannot read or dated after the table', () => {
    const operator = signerFromSecretKey(nodeCrypto, nodeCrypto.ed25519.generateSecretKey());
    const body = {
      type: 'rate-table' as const,
      operatorId: 'op-se',
      base: 'EUR',
      rates: { SEK: '11.3595' },
      issuedAt: '2024-06-28T15:00:00Z',
      validUntil: '2024-06-28T16:00:00Z',
    };
    const source = { publisher: 'ecb', publishedOn: '2024-06-28', sample: false } as const;
    expect(v.is(RateTable, seal(nodeCrypto, operator, body))).toBe(true);
    expect(v.is(RateTable, seal(nodeCrypto, operator, { ...body, source }))).toBe(true);
    for (const bad of [
      { ...source, publishedOn: '2024-06-31' },
      { ...source, publishedOn: '2024-06-28T00:00:00Z' },
      { ...source, publishedOn: '2024-06-29' },
      { ...source, publisher: 'fed' },
      { ...source, sample: 'no' },
      { publisher: 'ecb', publishedOn: '2024-06-28' },
      { ...source, note: 'extra' },
    ]) {
      expect([bad, v.is(RateTable, seal(nodeCrypto, operator, { ...body, source: bad } as never))]).toEqual([
        bad,
        false,
      ]);
    }
  });

  it('accept only the fixed set of bridge calls', () => {
    expect(v.is(PageRequest, { channel: 'opentab:page', requestId: 'r1', call: 'pay', params: {} })).toBe(true);
    expect(v.is(PageRequest, { channel: 'opentab:page', requestId: 'r1', call: 'exportKeys', params: {} })).toBe(false);
    expect(v.is(PageRequest, { channel: 'opentab:extension', requestId: 'r1', call: 'pay', params: {} })).toBe(false);
  });

  it('take names and titles a customer reads as plain text, refusing what would make them read otherwise', () => {
    for (const name of [
      'The Daily Tab',
      'Café Zürich',
      'Ελληνικά νέα',
      'صحيفة',
      'Shop 👩‍💻 & co.',
      "O'Brien's — news",
    ]) {
      expect([name, v.is(DisplayName, name), v.is(ItemTitle, name)]).toEqual([name, true, true]);
    }
    // U+202E reverses what follows: "Acme‮moc.lapyap" would be read as "Acmepaypal.com".
    for (const name of [
      'Acme\u202Emoc.lapyap',
      'Shop\u2066x\u2069',
      'left\u200Fmark',
      'tab\there',
      'line\nbreak',
      'nul\u0000',
      'del\u007F',
      '',
    ]) {
      expect([JSON.stringify(name), v.is(DisplayName, name), v.is(ItemTitle, name)]).toEqual([
        JSON.stringify(name),
        false,
        false,
      ]);
    }
    expect(v.is(DisplayName, 'x'.repeat(81))).toBe(false);
    expect(v.is(ItemTitle, 'x'.repeat(200))).toBe(true);
  });
});
