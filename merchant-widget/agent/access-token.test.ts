import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '@opentab/server-kit';
import { fromBase64url, toBase64url } from '@opentab/protocol';
import { bytesToUtf8 } from '@opentab/protocol';
import { accessExpiry_ms, AccessTokens, grantAccess, MAX_ACCESS_TOKEN_LENGTH } from './access-token';

const NOW_MS = 1_750_000_000_000;
const DAY_MS = 86_400_000;
const SECRET = new Uint8Array(32).fill(1);
const random = (length: number) => nodeCrypto.randomBytes(length);

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(bytesToUtf8(fromBase64url(token.split('.')[0]!))) as Record<string, unknown>;
}

describe('access tokens', () => {
  const tokens = new AccessTokens(SECRET, random);

  it('open exactly the item they were issued for, until they expire', () => {
    const token = tokens.issue('article-42', NOW_MS + 60_000);
    expect(token.length).toBeLessThanOrEqual(MAX_ACCESS_TOKEN_LENGTH);
    expect(tokens.verify(token, 'article-42', NOW_MS + 59_999)).toBe(true);
    expect(tokens.read(token, NOW_MS)).toEqual({
      itemId: 'article-42',
      reference: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      expiresAt_ms: NOW_MS + 60_000,
    });
    expect(tokens.verify(token, 'article-43', NOW_MS)).toBe(false);
    expect(tokens.verify(token, 'article-42', NOW_MS + 60_000)).toBe(false);
  });

  it('name item, expiry and a random reference, never a tab or a purchase', () => {
    const first = tokens.issue('article-42', NOW_MS + DAY_MS);
    const second = tokens.issue('article-42', NOW_MS + DAY_MS);
    expect(Object.keys(claimsOf(first)).sort()).toEqual(['exp', 'item', 'ref', 'v']);
    // Two grants of the same item at the same moment are still told apart, and share nothing a page could link.
    expect(claimsOf(first).ref).not.toBe(claimsOf(second).ref);
    expect(first).not.toBe(second);
  });

  it('refuses tokens with altered claims, altered MACs, or made with another secret', () => {
    const token = tokens.issue('article-42', NOW_MS + 60_000);
    const [claims, mac] = token.split('.') as [string, string];
    const forgedClaims = toBase64url(
      new TextEncoder().encode(JSON.stringify({ ...claimsOf(token), item: 'article-99' })),
    );
    expect(tokens.verify(`${forgedClaims}.${mac}`, 'article-99', NOW_MS)).toBe(false);
    const extended = toBase64url(
      new TextEncoder().encode(JSON.stringify({ ...claimsOf(token), exp: NOW_MS + 365 * DAY_MS })),
    );
    expect(tokens.verify(`${extended}.${mac}`, 'article-42', NOW_MS + 120_000)).toBe(false);
    const macBytes = fromBase64url(mac);
    macBytes[0] = macBytes[0]! ^ 1;
    expect(tokens.verify(`${claims}.${toBase64url(macBytes)}`, 'article-42', NOW_MS)).toBe(false);
    const otherMerchant = new AccessTokens(new Uint8Array(32).fill(2), random);
    expect(otherMerchant.verify(token, 'article-42', NOW_MS)).toBe(false);
  });

  it('still honour a version-1 token (which named the tab) until it expires, without passing its tab on', () => {
    const encoded = toBase64url(
      new TextEncoder().encode(
        JSON.stringify({ v: 1, tab: 'tab_x', item: 'article-42', pur: 'p'.repeat(32), exp: NOW_MS + 60_000 }),
      ),
    );
    const legacy = `${encoded}.${toBase64url(createHmac('sha256', SECRET).update(encoded, 'utf8').digest())}`;
    expect(tokens.read(legacy, NOW_MS)).toEqual({
      itemId: 'article-42',
      reference: 'p'.repeat(32),
      expiresAt_ms: NOW_MS + 60_000,
    });
    expect(tokens.verify(legacy, 'article-42', NOW_MS + 60_000)).toBe(false);
  });

  it('answers false for any garbage without throwing', () => {
    for (const garbage of [
      undefined,
      null,
      42,
      '',
      '.',
      'a.b.c',
      'x'.repeat(600),
      `${'A'.repeat(10)}.!!!`,
      {},
      ['a.b'],
    ]) {
      expect(tokens.verify(garbage, 'article-42', NOW_MS)).toBe(false);
    }
  });

  it('refuses weak secrets', () => {
    expect(() => new AccessTokens(new Uint8Array(16), random)).toThrow(/at least 32 bytes/);
  });
});

describe('how long a purchase opens its item', () => {
  const tokens = new AccessTokens(SECRET, random);
  const consumableLifetime_ms = DAY_MS;
  const entitlement = { itemId: 'article-42', access: { kind: 'entitlement', access_s: 30 * 86_400 } } as const;
  const consumable = { itemId: 'tip-jar', access: { kind: 'consumable' } } as const;

  it('an entitlement: for its access period, stated in the grant', () => {
    const grant = grantAccess(tokens, entitlement, NOW_MS, consumableLifetime_ms);
    expect(grant.entitledUntil_ms).toBe(NOW_MS + 30 * DAY_MS);
    expect(tokens.verify(grant.accessToken, 'article-42', NOW_MS + 29 * DAY_MS)).toBe(true);
    expect(tokens.verify(grant.accessToken, 'article-42', NOW_MS + 30 * DAY_MS - 1)).toBe(true);
    expect(tokens.verify(grant.accessToken, 'article-42', NOW_MS + 30 * DAY_MS)).toBe(false);
  });

  it('a consumable: for the token lifetime only, and no entitlement is stated', () => {
    const grant = grantAccess(tokens, consumable, NOW_MS, consumableLifetime_ms);
    expect(grant.entitledUntil_ms).toBeNull();
    expect(tokens.verify(grant.accessToken, 'tip-jar', NOW_MS + DAY_MS - 1)).toBe(true);
    expect(tokens.verify(grant.accessToken, 'tip-jar', NOW_MS + DAY_MS)).toBe(false);
    expect(accessExpiry_ms(consumable.access, NOW_MS, consumableLifetime_ms)).toBe(NOW_MS + DAY_MS);
  });
});
