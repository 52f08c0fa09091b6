import { describe, expect, it } from 'vitest';
import { clientAddressOf, trustedProxySet } from './client-address';

const proxies = trustedProxySet(['127.0.0.1', '10.0.0.2', '::1']);

describe('clientAddressOf', () => {
  it('is the socket address when no proxy is trusted, whatever the header says', () => {
    expect(clientAddressOf('203.0.113.7', '198.51.100.1', new Set())).toBe('203.0.113.7');
    expect(clientAddressOf('203.0.113.7', '198.51.100.1', proxies)).toBe('203.0.113.7');
  });

  it('behind a trusted proxy, is the address the proxy names, and not what the client wrote before it', () => {
    expect(clientAddressOf('127.0.0.1', '198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(clientAddressOf('::ffff:127.0.0.1', '198.51.100.1', proxies)).toBe('198.51.100.1');
    // The client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended the address it saw.
    expect(clientAddressOf('127.0.0.1', '1.1.1.1, 198.51.100.1', proxies)).toBe('198.51.100.1');
    // Two trusted proxies in a row: the first untrusted hop from the right.
    expect(clientAddressOf('127.0.0.1', '1.1.1.1, 198.51.100.1, 10.0.0.2', proxies)).toBe('198.51.100.1');
    expect(clientAddressOf('127.0.0.1', ['1.1.1.1', '2001:db8::5, 10.0.0.2'], proxies)).toBe('2001:db8::5');
  });

  it('falls back to the socket address for a missing, malformed, all-proxy or overlong header', () => {
    expect(clientAddressOf('127.0.0.1', undefined, proxies)).toBe('127.0.0.1');
    expect(clientAddressOf('127.0.0.1', '', proxies)).toBe('127.0.0.1');
    expect(clientAddressOf('127.0.0.1', 'not-an-address', proxies)).toBe('127.0.0.1');
    expect(clientAddressOf('127.0.0.1', '198.51.100.1, junk', proxies)).toBe('127.0.0.1');
    expect(clientAddressOf('127.0.0.1', '10.0.0.2, ::1', proxies)).toBe('127.0.0.1');
    expect(clientAddressOf('127.0.0.1', Array(33).fill('198.51.100.1').join(','), proxies)).toBe('127.0.0.1');
    expect(clientAddressOf(undefined, '198.51.100.1', proxies)).toBeUndefined();
  });
});
