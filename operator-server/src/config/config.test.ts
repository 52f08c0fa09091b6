import { describe, expect, it } from 'vitest';
import { WEAK_KEYS } from '../../../protocol/testing/weak-keys';
import { ConfigError, resolveConfig } from './config';

/** RFC 8032 TEST 1's public key: any sound key does. */
const CA_PUBLIC_KEY = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';

const minimal = {
  operatorId: 'op-se', currency: 'SEK', listen: { host: '127.0.0.1', port: 7001 }, publicUrl: 'http://127.0.0.1:7001',
  dataDir: './data', caPublicKey: CA_PUBLIC_KEY, certificateFile: './cert.json', adminToken: 'a-long-enough-admin-token',
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
    expect(config.rates.rateSource.source).toBe('ecb-file');
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

  it('refuses a CA key that is no sound Ed25519 key, saying what is wrong with it', () => {
    expect(() => resolveConfig({ ...minimal, caPublicKey: WEAK_KEYS.identity }, '/srv', { OPENTAB_OPERATOR_SECRET_KEY: 'k' }))
      .toThrow(/caPublicKey: must be a sound Ed25519 public key, but it is a point of small order/);
    expect(() => resolveConfig({ ...minimal, caPublicKey: WEAK_KEYS.mixedOrder }, '/srv', { OPENTAB_OPERATOR_SECRET_KEY: 'k' }))
      .toThrow(/caPublicKey: must be a sound Ed25519 public key, but it has a small-order component/);
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
