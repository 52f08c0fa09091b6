import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestCa, issueServerCertificate } from '@opentab/test-kit';
import { WEAK_KEYS } from '@opentab/test-kit';
import { ConfigError, resolveConfig } from './config';

/** RFC 8032 TEST 1's public key: any sound key does. */
const CA_PUBLIC_KEY = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';

const minimal = {
  operatorId: 'op-se',
  currency: 'SEK',
  listen: { host: '127.0.0.1', port: 7001 },
  publicUrl: 'http://127.0.0.1:7001',
  dataDir: './data',
  caPublicKey: CA_PUBLIC_KEY,
  certificateFile: './cert.json',
  adminToken: 'a-long-enough-admin-token',
};

describe('operator configuration', () => {
  it('applies defaults and makes paths absolute against the file', () => {
    const config = resolveConfig(minimal, '/srv/op-se', { OPENTAB_OPERATOR_SECRET_KEY: 'k' });
    expect(config.dataDir).toBe('/srv/op-se/data');
    expect(config.certificateFile).toBe('/srv/op-se/cert.json');
    expect(config.tabs).toEqual({
      minTimeout_s: 10,
      maxTimeout_s: 7 * 24 * 3600,
      recordGrace_s: 30,
      holdDeadline_s: 7 * 24 * 3600,
      openingBound_s: 60,
      merchantRecordWait_s: 24 * 3600,
      lateRecordWindow_s: 30 * 24 * 3600,
    });
    expect(config.rates.lifespan_s).toBe(3600);
    expect(config.rates.maxSourceAge_s).toBe(6 * 86_400);
    expect(config.rates.rateSource).toEqual({
      source: 'ecb-http',
      url: 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml',
      refreshEvery_s: 900,
      firstRetry_s: 30,
      timeout_s: 30,
    });
    expect(config.peers).toEqual([]);
  });

  it('takes secrets and deployment details from the environment', () => {
    const config = resolveConfig({ ...minimal, adminToken: undefined }, '/srv', {
      OPENTAB_OPERATOR_SECRET_KEY: 'secret',
      OPENTAB_ADMIN_TOKEN: 'token-from-the-environment',
      OPENTAB_PORT: '9000',
      OPENTAB_DATA_DIR: '/var/lib/opentab',
    });
    expect(config.adminToken).toBe('token-from-the-environment');
    expect(config.secretKey).toBe('secret');
    expect(config.listen.port).toBe(9000);
    expect(config.dataDir).toBe('/var/lib/opentab');
  });

  it('names every invalid setting', () => {
    expect(() =>
      resolveConfig({ ...minimal, currency: 'XXX', listen: { host: '127.0.0.1', port: 70000 } }, '/srv', {
        OPENTAB_OPERATOR_SECRET_KEY: 'k',
      }),
    ).toThrow(/currency[\s\S]*listen\.port|listen\.port[\s\S]*currency/);
    expect(() =>
      resolveConfig({ ...minimal, adminToken: 'short' }, '/srv', { OPENTAB_OPERATOR_SECRET_KEY: 'k' }),
    ).toThrow(ConfigError);
    expect(() => resolveConfig(minimal, '/srv', {})).toThrow(/secret key is required/);
    expect(() => resolveConfig({ ...minimal, surprise: true }, '/srv', { OPENTAB_OPERATOR_SECRET_KEY: 'k' })).toThrow(
      /surprise/,
    );
  });

  it('keeps state in the SQLite file by default, or in the PostgreSQL database the store names', () => {
    const secret = { OPENTAB_OPERATOR_SECRET_KEY: 'k' };
    const url = 'postgres://opentab@db.internal:5432/op_se';
    expect(resolveConfig(minimal, '/srv', secret).store).toEqual({ kind: 'sqlite' });
    expect(resolveConfig({ ...minimal, store: { kind: 'sqlite' } }, '/srv', secret).store).toEqual({ kind: 'sqlite' });
    expect(resolveConfig({ ...minimal, store: { kind: 'postgres', url } }, '/srv', secret).store).toEqual({
      kind: 'postgres',
      url,
      poolSize: 10,
    });
    expect(resolveConfig({ ...minimal, store: { kind: 'postgres', url, poolSize: 40 } }, '/srv', secret).store).toEqual(
      { kind: 'postgres', url, poolSize: 40 },
    );
    // The URL, which may hold the password, from the environment; the pool size from the file.
    const withPassword = 'postgresql://opentab:secret@db.internal/op_se?sslmode=require';
    expect(
      resolveConfig({ ...minimal, store: { kind: 'postgres', url, poolSize: 4 } }, '/srv', {
        ...secret,
        OPENTAB_STORE_URL: withPassword,
      }).store,
    ).toEqual({ kind: 'postgres', url: withPassword, poolSize: 4 });
    expect(resolveConfig(minimal, '/srv', { ...secret, OPENTAB_STORE_URL: withPassword }).store).toEqual({
      kind: 'postgres',
      url: withPassword,
      poolSize: 10,
    });
  });

  it('names a store it cannot open: another kind, a URL that is no PostgreSQL one, a pool too small', () => {
    const secret = { OPENTAB_OPERATOR_SECRET_KEY: 'k' };
    const problem = (store: unknown): string => {
      try {
        resolveConfig({ ...minimal, store }, '/srv', secret);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('the store was taken');
    };
    expect(problem({ kind: 'mysql', url: 'mysql://db/op' })).toMatch(/store\.kind/);
    expect(problem({ kind: 'postgres', url: 'mysql://db.internal/op_se' })).toMatch(
      /store\.url: must be a postgres:\/\/user@host:port\/database URL/,
    );
    expect(problem({ kind: 'postgres', url: 'postgres://db.internal' })).toMatch(/store\.url/);
    expect(problem({ kind: 'postgres' })).toMatch(/store\.url/);
    expect(problem({ kind: 'postgres', url: 'postgres://db.internal/op_se', poolSize: 1 })).toMatch(/store\.poolSize/);
    expect(problem({ kind: 'postgres', url: 'postgres://db.internal/op_se', poolSize: 2.5 })).toMatch(
      /store\.poolSize/,
    );
    expect(problem({ kind: 'sqlite', path: './elsewhere.sqlite' })).toMatch(/path/);
  });

  it('refuses a CA key that is no sound Ed25519 key, saying what is wrong with it', () => {
    expect(() =>
      resolveConfig({ ...minimal, caPublicKey: WEAK_KEYS.identity }, '/srv', { OPENTAB_OPERATOR_SECRET_KEY: 'k' }),
    ).toThrow(/caPublicKey: must be a sound Ed25519 public key, but it is a point of small order/);
    expect(() =>
      resolveConfig({ ...minimal, caPublicKey: WEAK_KEYS.mixedOrder }, '/srv', { OPENTAB_OPERATOR_SECRET_KEY: 'k' }),
    ).toThrow(/caPublicKey: must be a sound Ed25519 public key, but it has a small-order component/);
  });
});

describe('rate source configuration', () => {
  const secret = { OPENTAB_OPERATOR_SECRET_KEY: 'k' };

  it('takes a maximum source age and sample rates only when asked', () => {
    const config = resolveConfig(
      {
        ...minimal,
        rates: { maxSourceAge_s: 4 * 86_400, rateSource: { source: 'ecb-file', path: 'rates.xml', sample: true } },
      },
      '/srv',
      secret,
    );
    expect(config.rates).toEqual({
      lifespan_s: 3600,
      maxSourceAge_s: 4 * 86_400,
      rateSource: { source: 'ecb-file', path: '/srv/rates.xml', sample: true, refreshEvery_s: 10 },
    });
    const http = resolveConfig(
      {
        ...minimal,
        rates: {
          rateSource: { source: 'ecb-http', url: 'https://rates.example/eurofxref-hist-90d.xml', refreshEvery_s: 3600 },
        },
      },
      '/srv',
      secret,
    );
    expect(http.rates.rateSource).toEqual({
      source: 'ecb-http',
      url: 'https://rates.example/eurofxref-hist-90d.xml',
      refreshEvery_s: 3600,
      firstRetry_s: 30,
      timeout_s: 30,
    });
    expect(resolveConfig({ ...minimal, rates: { lifespan_s: 600 } }, '/srv', secret).rates.lifespan_s).toBe(600);
  });

  it('names a maximum age or a sample setting it cannot take', () => {
    for (const rates of [
      { maxSourceAge_s: 60 },
      { maxSourceAge_s: 91 * 86_400 },
      { maxSourceAge_s: 3600.5 },
      { rateSource: { source: 'ecb-file', path: 'x.xml', sample: 'yes' } },
    ]) {
      expect(() => resolveConfig({ ...minimal, rates }, '/srv', secret), JSON.stringify(rates)).toThrow(
        /rates\.(maxSourceAge_s|rateSource\.sample)/,
      );
    }
    // Rates fetched from the ECB are never samples; nor is a schedule of seconds polite to it.
    for (const rateSource of [
      { source: 'ecb-http', url: 'https://rates.example/x.xml', sample: true },
      { source: 'ecb-http', url: 'https://rates.example/x.xml', refreshEvery_s: 5 },
      { source: 'ecb-http', url: 'ftp://rates.example/x.xml' },
      { source: 'ecb-http', url: 'https://rates.example/x.xml', timeout_s: 0 },
    ]) {
      expect(
        () => resolveConfig({ ...minimal, rates: { rateSource } }, '/srv', secret),
        JSON.stringify(rateSource),
      ).toThrow(/rates\.rateSource/);
    }
    expect(() =>
      resolveConfig(
        { ...minimal, rates: { rateSource: { source: 'fixed', base: 'EUR', rates: { SEK: '11' } } } },
        '/srv',
        secret,
      ),
    ).toThrow(/publishedOn/);
  });
});

describe('rate limit configuration', () => {
  const secret = { OPENTAB_OPERATOR_SECRET_KEY: 'k' };

  it('has defaults a browser never meets, and takes partial settings', () => {
    expect(resolveConfig(minimal, '/srv', secret).rateLimit).toEqual({
      customer: { perClient_per_s: 50, burst: 200 },
      peer: { perClient_per_s: 2000, burst: 4000 },
      maxClients: 100_000,
      trustedProxies: [],
    });
    const config = resolveConfig(
      { ...minimal, rateLimit: { customer: { burst: 20 }, maxClients: 5000 } },
      '/srv',
      secret,
    );
    expect(config.rateLimit).toEqual({
      customer: { perClient_per_s: 50, burst: 20 },
      peer: { perClient_per_s: 2000, burst: 4000 },
      maxClients: 5000,
      trustedProxies: [],
    });
    const proxied = resolveConfig({ ...minimal, rateLimit: { trustedProxies: ['127.0.0.1', '::1'] } }, '/srv', secret);
    expect(proxied.rateLimit.trustedProxies).toEqual(['127.0.0.1', '::1']);
  });

  it('refuses a nonsense limit', () => {
    for (const rateLimit of [
      { customer: { perClient_per_s: 0 } },
      { customer: { burst: -1 } },
      { peer: { perClient_per_s: 2.5 } },
      { peer: { burst: 1e12 } },
      { customer: { perClient_per_s: '50' } },
      { maxClients: 0 },
      { customer: { perSecond: 50 } },
      { admin: { burst: 5 } },
      { trustedProxies: ['proxy.example'] },
      { trustedProxies: '127.0.0.1' },
    ]) {
      expect(() => resolveConfig({ ...minimal, rateLimit }, '/srv', secret), JSON.stringify(rateLimit)).toThrow(
        /rateLimit/,
      );
    }
  });
});

describe('transport security', () => {
  const secret = { OPENTAB_OPERATOR_SECRET_KEY: 'k' };

  it('takes https addresses anywhere and plain http only on loopback', () => {
    const config = resolveConfig(
      {
        ...minimal,
        publicUrl: 'https://op-se.example',
        peers: [
          { operatorId: 'op-eu', baseUrl: 'https://op-eu.example' },
          { operatorId: 'op-dk', baseUrl: 'http://localhost:7002' },
        ],
        billingSinks: [{ kind: 'webhook', url: 'http://[::1]:9000/billing', secret: 'sixteen-chars-at-least' }],
      },
      '/srv',
      secret,
    );
    expect(config.publicUrl).toBe('https://op-se.example');
    expect(resolveConfig({ ...minimal, publicUrl: 'http://127.0.0.1:7001' }, '/srv', secret).publicUrl).toBe(
      'http://127.0.0.1:7001',
    );
  });

  it('refuses every plain-http address outside loopback, naming each at once', () => {
    const refusal = (() => {
      try {
        resolveConfig(
          {
            ...minimal,
            publicUrl: 'http://op-se.example',
            peers: [{ operatorId: 'op-eu', baseUrl: 'http://op-eu.example' }],
            billingSinks: [{ kind: 'webhook', url: 'http://billing.example/hook', secret: 'sixteen-chars-at-least' }],
          },
          '/srv',
          secret,
        );
      } catch (error) {
        return error as Error;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(ConfigError);
    const rule = 'must use https: (plain http: only on loopback: 127.0.0.0/8, ::1, localhost)';
    expect(refusal!.message).toContain(`publicUrl: ${rule}`);
    expect(refusal!.message).toContain(`peers.0.baseUrl: ${rule}`);
    expect(refusal!.message).toContain(`billingSinks.0.url: ${rule}`);
  });

  it('refuses a plain-http public URL given in the environment', () => {
    expect(() => resolveConfig(minimal, '/srv', { ...secret, OPENTAB_PUBLIC_URL: 'http://op-se.example' })).toThrow(
      /publicUrl: must use https:/,
    );
  });
});

describe('TLS configuration', () => {
  const secret = { OPENTAB_OPERATOR_SECRET_KEY: 'k' };
  const dir = mkdtempSync(join(tmpdir(), 'opentab-config-tls-'));
  const ca = createTestCa(join(dir, 'ca'));
  issueServerCertificate(ca, join(dir, 'tls', 'fullchain.pem'), join(dir, 'tls', 'privkey.pem'));
  const other = issueServerCertificate(ca, join(dir, 'other', 'cert.pem'), join(dir, 'other', 'key.pem'));
  const served = {
    ...minimal,
    publicUrl: 'https://op-se.example',
    tls: { certificateFile: 'tls/fullchain.pem', keyFile: 'tls/privkey.pem' },
  };

  const problemsOf = (raw: object): string => {
    try {
      resolveConfig(raw, dir, secret);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    return '';
  };

  it('reads the certificate, its key and the trusted CAs, against the file', () => {
    const config = resolveConfig({ ...served, trustedCaFiles: ['ca/ca.pem'] }, dir, secret);
    expect(config.tls).toEqual({
      certificateFile: join(dir, 'tls', 'fullchain.pem'),
      keyFile: join(dir, 'tls', 'privkey.pem'),
    });
    expect(config.trustedCaCertificates).toEqual([ca.certificatePem]);
    expect(resolveConfig(minimal, dir, secret)).toMatchObject({ trustedCaCertificates: [] });
    expect(resolveConfig(minimal, dir, secret).tls).toBeUndefined();
  });

  it("names every unreadable file, a key that is not the certificate's, and a public URL that is not https", () => {
    const missing = problemsOf({
      ...served,
      tls: { certificateFile: 'nowhere/cert.pem', keyFile: 'nowhere/key.pem' },
      trustedCaFiles: ['nowhere/ca.pem', 'tls/privkey.pem'],
    });
    expect(missing).toContain(`cannot read the TLS certificate file ${join(dir, 'nowhere', 'cert.pem')}`);
    expect(missing).toContain(`cannot read the TLS key file ${join(dir, 'nowhere', 'key.pem')}`);
    expect(missing).toContain(`cannot read the trusted CA file ${join(dir, 'nowhere', 'ca.pem')}`);
    expect(missing).toContain(`the trusted CA file ${join(dir, 'tls', 'privkey.pem')} holds no PEM certificate`);

    expect(problemsOf({ ...served, tls: { certificateFile: 'tls/fullchain.pem', keyFile: other.keyFile } })).toContain(
      `the TLS key file ${other.keyFile} does not hold the key of the certificate in ${join(dir, 'tls', 'fullchain.pem')}`,
    );
    writeFileSync(join(dir, 'garbage.pem'), 'not a certificate');
    const garbage = problemsOf({ ...served, tls: { certificateFile: 'garbage.pem', keyFile: 'garbage.pem' } });
    expect(garbage).toContain(`the TLS certificate file ${join(dir, 'garbage.pem')} holds no PEM certificate`);
    expect(garbage).toContain(`the TLS key file ${join(dir, 'garbage.pem')} holds no unencrypted PEM private key`);

    expect(problemsOf({ ...served, publicUrl: 'http://127.0.0.1:7001' })).toContain(
      'publicUrl http://127.0.0.1:7001 must be https: when the operator serves TLS itself (tls)',
    );
  });
});
