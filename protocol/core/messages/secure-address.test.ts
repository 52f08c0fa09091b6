import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { insecureAddressProblem, isSecureAddress, SecureHttpUrl, SecureWebOrigin } from './secure-address';

describe('secure addresses', () => {
  it.each([
    'https://op.example',
    'https://op.example:8443/base',
    'https://192.0.2.7',
    'http://127.0.0.1:7101',
    'http://127.8.9.10',
    'http://127.1/x',
    'http://localhost:8080',
    'http://LOCALHOST',
    'http://[::1]:7101',
    'http://[0:0:0:0:0:0:0:1]',
  ])('accepts %s', (address) => {
    expect(isSecureAddress(address)).toBe(true);
  });

  it.each([
    'http://op.example',
    'http://192.0.2.7:7101',
    'http://10.0.0.1',
    'http://128.0.0.1',
    'http://localhost.op.example',
    'http://127.0.0.1.op.example',
    'http://[::2]',
    'ftp://127.0.0.1',
    'not a url',
  ])('refuses %s', (address) => {
    expect(isSecureAddress(address)).toBe(false);
  });

  it('says what is wrong and what would be right', () => {
    expect(insecureAddressProblem('publicUrl', 'http://op.example')).toBe(
      'publicUrl http://op.example must use https: (plain http: only on loopback: 127.0.0.0/8, ::1, localhost)',
    );
    expect(insecureAddressProblem('publicUrl', 'https://op.example')).toBeNull();
  });

  it('as schemas, keep the URL and origin rules and add the transport rule', () => {
    expect(v.is(SecureHttpUrl, 'https://user:pw@op.example')).toBe(false);
    expect(v.is(SecureHttpUrl, 'http://op.example')).toBe(false);
    expect(v.is(SecureHttpUrl, 'https://op.example/opentab')).toBe(true);
    expect(v.is(SecureWebOrigin, 'https://shop.example/')).toBe(false);
    expect(v.is(SecureWebOrigin, 'http://shop.example')).toBe(false);
    expect(v.is(SecureWebOrigin, 'http://127.0.0.1:7103')).toBe(true);
  });
});
