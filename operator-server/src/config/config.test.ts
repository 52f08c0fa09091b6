import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from './config';

const minimal = {
  operatorId: 'op-se', currency: 'SEK', listen: { host: '127.0.0.1', port: 7001 }, publicUrl: 'http://127.0.0.1:7001',
  dataDir: './data', caPublicKey: 'A'.repeat(43), certificateFile: './cert.json', adminToken: 'a-long-enough-admin-token',
};

describe('operator configuration', () => {
  it('applies defaults and makes paths absolute against the file', () => {
    const config = resolveConfig(minimal, '/srv/op-se', { OPENTAB_OPERATOR_SECRET_KEY: 'k' });
    expect(config.dataDir).toBe('/srv/op-se/data');
    expect(config.certificateFile).toBe('/srv/op-se/cert.json');
    expect(config.tabs).toEqual({
      minTimeout_s: 10, maxTimeout_s: 7 * 24 * 3600, recordGrace_s: 30, holdDeadline_s: 7 * 24 * 3600,
      openingBound_s: 60, merchantRecordWait_s: 24 * 3600, lateRecordWindow_s: 30 * 24 * 3600,
    });
    expect(config.rates.lifespan_s).toBe(3600);
    expect(config.rates.maxSourceAge_s).toBe(6 * 86_400);
    expect(config.rates.rateSource).toEqual({
      source: 'ecb-http', url: 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml', refreshEvery_s: 900, firstRetry_s: 30, timeout_s: 30,
    });
    expect(config.peers).toEqual([]);
    expect(config.priorArtBaseline).toBe(false);
  });

  it('takes secrets and deployment details from the environment', () => {
    const config = resolveConfig({ ...minimal, adminToken: undefined }, '/srv', {
      OPENTAB_OPERATOR_SECRET_KEY: 'secret', OPENTAB_ADMIN_TOKEN: 'token-from-the-environment', OPENTAB_PORT: '9000', OPENTAB_DATA_DIR: '/var/lib/opentab',
    });
    expect(config.adminToken).toBe('token-from-the-environment');
    expect(config.secretKey).toBe('secret');
    expect(config.listen.port).toBe(9000);
    expect(config.dataDir).toBe('/var/lib/opentab');
  });

  it('names every invalid setting', () => {
    expect(() => resolveConfig({ ...minimal, currency: 'XXX', listen: { host: '127.0.0.1', port: 70000 } }, '/srv', { OPENTAB_OPERATOR_SECRET_KEY: 'k' }))
      .toThrow(/currency[\s\S]*listen\.port|listen\.port[\s\S]*currency/);
    expect(() => resolveConfig({ ...minimal, adminToken: 'short' }, '/srv', { OPENTAB_OPERATOR_SECRET_KEY: 'k' })).toThrow(ConfigError);
    expect(() => resolveConfig(minimal, '/srv', {})).toThrow(/secret key is required/);
    expect(() => resolveConfig({ ...minimal, surprise: true }, '/srv', { OPENTAB_OPERATOR_SECRET_KEY: 'k' })).toThrow(/surprise/);
    expect(() => resolveConfig({ ...minimal, priorArtBaseline: 'yes' }, '/srv', { OPENTAB_OPERATOR_SECRET_KEY: 'k' })).toThrow(/priorArtBaseline/);
  });
});

describe('rate source configuration', () => {
  const secret = { OPENTAB_OPERATOR_SECRET_KEY: 'k' };

  it('takes a maximum source age and sample rates only when asked', () => {
    const config = resolveConfig({ ...minimal, rates: { maxSourceAge_s: 4 * 86_400, rateSource: { source: 'ecb-file', path: 'rates.xml', sample: true } } }, '/srv', secret);
    expect(config.rates).toEqual({ lifespan_s: 3600, maxSourceAge_s: 4 * 86_400, rateSource: { source: 'ecb-file', path: '/srv/rates.xml', sample: true, refreshEvery_s: 10 } });
    const http = resolveConfig({ ...minimal, rates: { rateSource: { source: 'ecb-http', url: 'https://rates.example/eurofxref-hist-90d.xml', refreshEvery_s: 3600 } } }, '/srv', secret);
    expect(http.rates.rateSource).toEqual({ source: 'ecb-http', url: 'https://rates.example/eurofxref-hist-90d.xml', refreshEvery_s: 3600, firstRetry_s: 30, timeout_s: 30 });
    expect(resolveConfig({ ...minimal, rates: { lifespan_s: 600 } }, '/srv', secret).rates.lifespan_s).toBe(600);
  });

  it('names a maximum age or a sample setting it cannot take', () => {
    for (const rates of [{ maxSourceAge_s: 60 }, { maxSourceAge_s: 91 * 86_400 }, { maxSourceAge_s: 3600.5 }, { rateSource: { source: 'ecb-file', path: 'x.xml', sample: 'yes' } }]) {
      expect(() => resolveConfig({ ...minimal, rates }, '/srv', secret), JSON.stringify(rates)).toThrow(/rates\.(maxSourceAge_s|rateSource\.sample)/);
    }
    // Rates fetched from the ECB are never samples; nor is a schedule of seconds polite to it.
    for (const rateSource of [
      { source: 'ecb-http', url: 'https://rates.example/x.xml', sample: true },
      { source: 'ecb-http', url: 'https://rates.example/x.xml', refreshEvery_s: 5 },
      { source: 'ecb-http', url: 'ftp://rates.example/x.xml' },
      { source: 'ecb-http', url: 'https://rates.example/x.xml', timeout_s: 0 },
    ]) {
      expect(() => resolveConfig({ ...minimal, rates: { rateSource } }, '/srv', secret), JSON.stringify(rateSource)).toThrow(/rates\.rateSource/);
    }
    expect(() => resolveConfig({ ...minimal, rates: { rateSource: { source: 'fixed', base: 'EUR', rates: { SEK: '11' } } } }, '/srv', secret)).toThrow(/publishedOn/);
  });
});

describe('rate limit configuration', () => {
  const secret = { OPENTAB_OPERATOR_SECRET_KEY: 'k' };

  it('has defaults a browser never meets, and takes partial settings', () => {
    expect(resolveConfig(minimal, '/srv', secret).rateLimit).toEqual({
      customer: { perClient_per_s: 50, burst: 200 }, peer: { perClient_per_s: 2000, burst: 4000 }, maxClients: 100_000, trustedProxies: [],
    });
    const config = resolveConfig({ ...minimal, rateLimit: { customer: { burst: 20 }, maxClients: 5000 } }, '/srv', secret);
    expect(config.rateLimit).toEqual({ customer: { perClient_per_s: 50, burst: 20 }, peer: { perClient_per_s: 2000, burst: 4000 }, maxClients: 5000, trustedProxies: [] });
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
      expect(() => resolveConfig({ ...minimal, rateLimit }, '/srv', secret), JSON.stringify(rateLimit)).toThrow(/rateLimit/);
    }
  });
});
