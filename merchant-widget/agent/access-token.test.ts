import { describe, expect, it } from 'vitest';
import { fromBase64url, toBase64url } from '../../protocol/encoding/base64url';
import { AccessTokens, MAX_ACCESS_TOKEN_LENGTH } from './access-token';

const NOW_MS = 1_750_000_000_000;
const grant = { tabId: 'tab_aaaaaaaaaaaaaaaaaaaaaaaa', itemId: 'article-42', purchaseId: 'b'.repeat(32) };

describe('access tokens', () => {
  const tokens = new AccessTokens(new Uint8Array(32).fill(1), 60_000);

  it('open exactly the item they were issued for, until they expire', () => {
    const token = tokens.issue(grant, NOW_MS);
    expect(token.length).toBeLessThanOrEqual(MAX_ACCESS_TOKEN_LENGTH);
    expect(tokens.verify(token, 'article-42', NOW_MS + 59_999)).toBe(true);
    expect(tokens.read(token, NOW_MS)).toEqual({ ...grant, expiresAt_ms: NOW_MS + 60_000 });
    expect(tokens.verify(token, 'article-43', NOW_MS)).toBe(false);
    expect(tokens.verify(token, 'article-42', NOW_MS + 60_000)).toBe(false);
  });

  it('refuses tokens with altered claims, altered MACs, or made with another secret', () => {
    const token = tokens.issue(grant, NOW_MS);
    const [claims, mac] = token.split('.') as [string, string];
    const forgedClaims = toBase64url(new TextEncoder().encode(JSON.stringify({ v: 1, tab: grant.tabId, item: 'article-99', pur: grant.purchaseId, exp: NOW_MS + 60_000 })));
    expect(tokens.verify(`${forgedClaims}.${mac}`, 'article-99', NOW_MS)).toBe(false);
    const macBytes = fromBase64url(mac);
    macBytes[0] = macBytes[0]! ^ 1;
    expect(tokens.verify(`${claims}.${toBase64url(macBytes)}`, 'article-42', NOW_MS)).toBe(false);
    const otherMerchant = new AccessTokens(new Uint8Array(32).fill(2), 60_000);
    expect(otherMerchant.verify(token, 'article-42', NOW_MS)).toBe(false);
  });

  it('answers false for any garbage without throwing', () => {
    for (const garbage of [undefined, null, 42, '', '.', 'a.b.c', 'x'.repeat(600), `${'A'.repeat(10)}.!!!`, {}, ['a.b']]) {
      expect(tokens.verify(garbage, 'article-42', NOW_MS)).toBe(false);
    }
  });

  it('refuses weak secrets', () => {
    expect(() => new AccessTokens(new Uint8Array(16), 60_000)).toThrow(/at least 32 bytes/);
  });
});
