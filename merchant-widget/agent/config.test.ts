import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '@opentab/server-kit';
import { toBase64url } from '@opentab/protocol';
import { WEAK_KEYS } from '@opentab/test-kit';
import { MerchantAgentConfigError, resolveConfig, type MerchantAgentConfig } from './config';

const good: MerchantAgentConfig = {
  merchantId: 'daily-news',
  displayName: 'The Daily News',
  operatorId: 'op-eu',
  operatorBaseUrl: 'http://127.0.0.1:8080',
  operatorPublicKey: toBase64url(nodeCrypto.ed25519.publicKeyOf(nodeCrypto.ed25519.generateSecretKey())),
  merchantSecretKey: toBase64url(nodeCrypto.ed25519.generateSecretKey()),
  currency: 'EUR',
  catalogue: [{ itemId: 'article-1', title: 'One', price: '0.05' }],
  databasePath: '/tmp/agent.sqlite',
  accessTokenSecret: toBase64url(nodeCrypto.randomBytes(32)),
};

function problemsOf(config: MerchantAgentConfig): readonly string[] {
  try {
    resolveConfig(config);
  } catch (error) {
    if (error instanceof MerchantAgentConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('merchant agent configuration', () => {
  it('resolves a good configuration with defaults and parsed prices', () => {
    const settings = resolveConfig(good);
    expect(settings.mountPath).toBe('/opentab');
    expect(settings.catalogue.item('article-1')?.price).toEqual({ currency: 'EUR', minor: 5n });
    expect(settings.recordRetryMax_ms).toBe(300_000);
    expect(settings.widgetFilePath).toMatch(/dist\/widget\/widget\.js$/);
    expect(settings.replyRetention_ms).toBe(24 * 3600 * 1000);
    expect(settings.extensions).toEqual([]);
  });

  it('keeps state in the SQLite file databasePath names, or in the store that store names', () => {
    expect(resolveConfig(good).store).toEqual({ kind: 'sqlite', path: '/tmp/agent.sqlite' });
    const { databasePath: _, ...withoutPath } = good;
    const url = 'postgres://agent@127.0.0.1:5432/opentab';
    expect(resolveConfig({ ...withoutPath, store: { kind: 'postgres', url } }).store).toEqual({
      kind: 'postgres',
      url,
      poolSize: 10,
    });
    expect(resolveConfig({ ...withoutPath, store: { kind: 'sqlite', path: '/tmp/a.sqlite' } }).store).toEqual({
      kind: 'sqlite',
      path: '/tmp/a.sqlite',
    });
  });

  it('refuses a store it cannot open: none, two, a wrong URL or pool size, extensions on PostgreSQL', () => {
    const { databasePath: _, ...withoutPath } = good;
    const postgres = { kind: 'postgres', url: 'postgres://agent@127.0.0.1:5432/opentab' } as const;
    expect(problemsOf(withoutPath)).toEqual([
      'store (or databasePath, a SQLite file) must say where the agent keeps its state',
    ]);
    expect(problemsOf({ ...good, store: postgres })).toEqual(['give store or databasePath, not both']);
    expect(problemsOf({ ...withoutPath, store: { kind: 'postgres', url: 'mysql://x/y' } })).toEqual([
      'store.url must be a postgres://user@host:port/database URL',
    ]);
    expect(problemsOf({ ...withoutPath, store: { ...postgres, poolSize: 0 } })).toEqual([
      'store.poolSize must be a whole number from 1 to 1000',
    ]);
    expect(problemsOf({ ...withoutPath, store: { kind: 'mongo' } as never })).toEqual([
      "store.kind must be 'sqlite' or 'postgres'",
    ]);
    const extension = { routes: {}, bind: () => [] };
    expect(problemsOf({ ...withoutPath, store: postgres, extensions: [extension] })).toEqual([
      "extensions work on the agent's SQLite file directly (synchronous statements in its transactions): they need store kind 'sqlite'",
    ]);
    // Secure delivery keeps its orders in either store.
    expect(
      resolveConfig({ ...withoutPath, store: postgres, delivery: { productsDirectory: '/srv/products' } }).delivery,
    ).toMatchObject({ productsDirectory: '/srv/products' });
  });

  it('takes the dashboard logins, each a name, a long token and a role, with either store', () => {
    const ada = { name: 'Ada', token: 'a'.repeat(32), role: 'owner' } as const;
    expect(resolveConfig(good).adminLogins).toEqual([]);
    expect(resolveConfig({ ...good, adminLogins: [ada] }).adminLogins).toEqual([ada]);
    expect(problemsOf({ ...good, adminLogins: [{ ...ada, token: 'short' }] })).toEqual([
      'adminLogins.0.token must be at least 32 printable ASCII characters',
    ]);
    expect(problemsOf({ ...good, adminLogins: [{ ...ada, role: 'admin' as never }] })).toEqual([
      "adminLogins.0.role must be 'owner' or 'viewer'",
    ]);
    expect(problemsOf({ ...good, adminLogins: [ada, { ...ada, token: 'b'.repeat(32) }] })).toEqual([
      'adminLogins must name each login once',
    ]);
    expect(problemsOf({ ...good, adminLogins: [ada, { ...ada, name: 'Bob' }] })).toEqual([
      'adminLogins must give each login its own token',
    ]);
    const { databasePath: _, ...withoutPath } = good;
    expect(
      problemsOf({
        ...withoutPath,
        store: { kind: 'postgres', url: 'postgres://a@127.0.0.1:5432/o' },
        adminLogins: [ada],
      }),
    ).toEqual([]);
  });

  it('refuses a name or title that would read as something else (bidirectional marks, control characters)', () => {
    expect(problemsOf({ ...good, displayName: 'Acme\u202Emoc.lapyap' })).toEqual([
      expect.stringMatching(/^displayName must be 1-80 characters of plain text/),
    ]);
    expect(problemsOf({ ...good, catalogue: [{ itemId: 'a', title: 'Free\u0000', price: '0.05' }] })).toEqual([
      expect.stringMatching(/^catalogue\[0\]\.title must be 1-200 characters of plain text/),
    ]);
  });

  it('refuses an operator key that is no sound Ed25519 key, saying what is wrong with it', () => {
    expect(problemsOf({ ...good, operatorPublicKey: WEAK_KEYS.identity })).toEqual([
      'operatorPublicKey is a point of small order, under which one signature verifies for any message: it must be a sound Ed25519 key',
    ]);
    expect(problemsOf({ ...good, operatorPublicKey: WEAK_KEYS.mixedOrder })).toEqual([
      expect.stringMatching(/^operatorPublicKey has a small-order component/),
    ]);
    expect(problemsOf({ ...good, operatorPublicKey: WEAK_KEYS.nonCanonical })).toEqual([
      expect.stringMatching(/^operatorPublicKey is a non-canonical encoding/),
    ]);
  });

  it('keeps answers for replays at least twice the clock skew', () => {
    expect(problemsOf({ ...good, clockSkew_ms: 300_000, replyRetention_ms: 500_000 })).toEqual([
      'replyRetention_ms must be at least twice clockSkew_ms',
    ]);
    expect(problemsOf({ ...good, clockSkew_ms: 300_000, replyRetention_ms: 600_000 })).toEqual([]);
  });

  it('names every problem of a bad configuration at once', () => {
    const problems = problemsOf({
      ...good,
      merchantId: 'Bad Id',
      operatorPublicKey: 'short',
      merchantSecretKey: toBase64url(new Uint8Array(31)),
      accessTokenSecret: toBase64url(new Uint8Array(16)),
      operatorBaseUrl: 'ftp://x',
      recordRetryMax_ms: 0,
      mountPath: 'opentab/',
      extensionInstallUrl: '//evil.example/',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^merchantId/),
        expect.stringMatching(/^operatorPublicKey/),
        expect.stringMatching(/^merchantSecretKey/),
        expect.stringMatching(/^accessTokenSecret/),
        expect.stringMatching(/^operatorBaseUrl/),
        expect.stringMatching(/^recordRetryMax_ms/),
        expect.stringMatching(/^mountPath/),
        expect.stringMatching(/^extensionInstallUrl/),
      ]),
    );
  });

  it('names the setting by its whole path and says what it must be, one sentence each', () => {
    expect(
      problemsOf({
        ...good,
        merchantId: 'Bad Id',
        recordRetryBase_ms: 10_000,
        recordRetryMax_ms: 5_000,
        rateLimit: { customer: { burst: 0, perSecond: 5 } as never, maxClients: 1.5 },
      }),
    ).toEqual([
      'merchantId must be 1-64 of a-z, 0-9, _, -',
      'rateLimit.customer.burst must be a whole number from 1 to 1000000',
      'rateLimit.customer.perSecond is not a setting (perClient_per_s, burst)',
      'rateLimit.maxClients must be a positive whole number',
      'recordRetryBase_ms must not exceed recordRetryMax_ms',
    ]);
    expect(problemsOf(7 as unknown as MerchantAgentConfig)).toEqual(['configuration must be an object']);
    expect(problemsOf({ ...good, rateLimit: 'fast' as never })).toEqual(['rateLimit must be an object']);
  });

  it('takes an absent or null setting as its default', () => {
    const settings = resolveConfig({ ...good, mountPath: null, rateLimit: null } as unknown as MerchantAgentConfig);
    expect(settings.mountPath).toBe('/opentab');
    expect(settings.rateLimit.customer).toEqual({ refill_per_s: 50, burst_tokens: 200 });
    expect(settings.clock.now_ms()).toBeGreaterThan(0);
  });

  it('reaches its operator over https, or over plain http only on loopback', () => {
    expect(problemsOf({ ...good, operatorBaseUrl: 'https://op-eu.example' })).toEqual([]);
    expect(problemsOf({ ...good, operatorBaseUrl: 'http://localhost:8080' })).toEqual([]);
    expect(problemsOf({ ...good, operatorBaseUrl: 'http://op-eu.example' })).toEqual([
      'operatorBaseUrl http://op-eu.example must use https: (plain http: only on loopback: 127.0.0.0/8, ::1, localhost)',
    ]);
  });

  it('takes CA certificates to trust for the operator only as PEM certificates', () => {
    expect(
      problemsOf({
        ...good,
        operatorTrustedCaCertificates: ['-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n'],
      }),
    ).toEqual(['operatorTrustedCaCertificates must be a list of PEM certificates']);
    expect(problemsOf({ ...good, operatorTrustedCaCertificates: 'ca.pem' as unknown as string[] })).toEqual([
      'operatorTrustedCaCertificates must be a list of PEM certificates',
    ]);
  });

  it('accepts only local paths and http(s) URLs as the install link', () => {
    for (const url of ['/get-opentab', 'https://opentab.example/install'])
      expect(problemsOf({ ...good, extensionInstallUrl: url })).toEqual([]);
    for (const url of [
      '//evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
      '/a\r\nset-cookie: x',
      'get-opentab',
    ]) {
      expect(problemsOf({ ...good, extensionInstallUrl: url }), url).toEqual([
        expect.stringMatching(/^extensionInstallUrl/),
      ]);
    }
  });

  it('refuses a catalogue with bad prices, duplicate ids or nothing in it', () => {
    const problems = problemsOf({
      ...good,
      catalogue: [
        { itemId: 'a', title: 'A', price: '0.001' },
        { itemId: 'b', title: 'B', price: '0' },
        { itemId: 'c', title: 'C', price: '-1' },
        { itemId: 'c', title: 'C again', price: '1' },
        { itemId: 'has space', title: 'D', price: '1' },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(/catalogue\[0\]\.price/),
      expect.stringMatching(/catalogue\[1\]\.price must be greater than zero/),
      expect.stringMatching(/catalogue\[2\]\.price/),
      expect.stringMatching(/catalogue\[3\]\.itemId c is listed twice/),
      expect.stringMatching(/catalogue\[4\]\.itemId/),
    ]);
    expect(problemsOf({ ...good, catalogue: [] })).toEqual(['catalogue must list at least one item']);
    expect(problemsOf({ ...good, currency: 'EURO' })).toEqual([expect.stringMatching(/^currency/)]);
  });
});

describe('catalogue item kinds', () => {
  const item = { itemId: 'article-1', title: 'One', price: '0.05' };

  it('sells an item as an entitlement for 30 days unless it says otherwise', () => {
    const catalogue = resolveConfig({
      ...good,
      catalogue: [
        item,
        { ...item, itemId: 'week-pass', access_s: 7 * 86_400 },
        { ...item, itemId: 'tip', kind: 'consumable' },
        { ...item, itemId: 'day', kind: 'entitlement', access_s: 86_400 },
      ],
    }).catalogue;
    expect(catalogue.item('article-1')?.access).toEqual({ kind: 'entitlement', access_s: 2_592_000 });
    expect(catalogue.item('week-pass')?.access).toEqual({ kind: 'entitlement', access_s: 604_800 });
    expect(catalogue.item('tip')?.access).toEqual({ kind: 'consumable' });
    expect(catalogue.item('day')?.access).toEqual({ kind: 'entitlement', access_s: 86_400 });
  });

  it('publishes each kind (and an entitlement its access period) in the info catalogue', () => {
    const catalogue = resolveConfig({
      ...good,
      catalogue: [item, { ...item, itemId: 'tip', kind: 'consumable' }],
    }).catalogue;
    expect(catalogue.toMerchantInfoCatalogue()).toEqual([
      {
        itemId: 'article-1',
        title: 'One',
        price: { currency: 'EUR', value: '0.05' },
        kind: 'entitlement',
        access_s: 2_592_000,
      },
      { itemId: 'tip', title: 'One', price: { currency: 'EUR', value: '0.05' }, kind: 'consumable' },
    ]);
  });

  it('refuses an unknown kind, an access period out of range or on a consumable, and a misspelt setting, naming each item', () => {
    const problems = problemsOf({
      ...good,
      catalogue: [
        { ...item, itemId: 'a', kind: 'subscription' as 'entitlement' },
        { ...item, itemId: 'b', access_s: 59 },
        { ...item, itemId: 'c', access_s: 3_600.5 },
        { ...item, itemId: 'd', access_s: '86400' as unknown as number },
        { ...item, itemId: 'e', access_s: 3_651 * 86_400 },
        { ...item, itemId: 'f', kind: 'consumable', access_s: 86_400 },
        { ...item, itemId: 'g', access_ms: 86_400_000 } as typeof item,
        { ...item, itemId: 'h', access_s: 3_600 },
      ],
    });
    expect(problems).toEqual([
      "catalogue[0].kind must be 'entitlement' or 'consumable'",
      'catalogue[1].access_s must be a whole number of seconds from 3600 (one hour) to 315360000 (ten years)',
      'catalogue[2].access_s must be a whole number of seconds from 3600 (one hour) to 315360000 (ten years)',
      'catalogue[3].access_s must be a whole number of seconds from 3600 (one hour) to 315360000 (ten years)',
      'catalogue[4].access_s must be a whole number of seconds from 3600 (one hour) to 315360000 (ten years)',
      'catalogue[5].access_s applies only to entitlements: a consumable is sold each time',
      'catalogue[6].access_ms is not an item setting (itemId, title, price, kind, access_s)',
    ]);
  });
});

describe('merchant agent rate limits', () => {
  it('has defaults, and takes partial settings', () => {
    expect(resolveConfig(good).rateLimit).toMatchObject({
      customer: { refill_per_s: 50, burst_tokens: 200 },
      operator: { refill_per_s: 2000, burst_tokens: 4000 },
      maxClients: 100_000,
    });
    expect(resolveConfig({ ...good, rateLimit: { customer: { burst: 10 } } }).rateLimit.customer).toEqual({
      refill_per_s: 50,
      burst_tokens: 10,
    });
  });

  it('refuses a nonsense limit, naming it', () => {
    const bad = [
      { customer: { perClient_per_s: 0 } },
      { customer: { burst: -3 } },
      { operator: { perClient_per_s: 0.5 } },
      { operator: { burst: 1e12 } },
      { customer: { perClient_per_s: '50' } },
      { customer: { perSecond: 50 } },
      { customer: 50 },
      { maxClients: 0 },
      { clientAddress: 'x-forwarded-for' },
      { trustedProxies: ['proxy.example'] },
      { trustedProxies: '127.0.0.1' },
      { trustedProxies: ['127.0.0.1'], clientAddress: () => '198.51.100.1' },
      { admin: {} },
    ];
    for (const rateLimit of bad) {
      expect(problemsOf({ ...good, rateLimit } as unknown as MerchantAgentConfig), JSON.stringify(rateLimit)).toEqual([
        expect.stringMatching(/^rateLimit/),
      ]);
    }
  });
});
