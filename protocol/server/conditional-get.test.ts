import { describe, expect, it } from 'vitest';
import { acceptsGzip, etagOf, matchesEtag } from './conditional-get';

describe('conditional GET', () => {
  it('reads If-None-Match and Accept-Encoding as RFC 9110 writes them', () => {
    expect(matchesEtag('"a", W/"b"', '"b"')).toBe(true);
    expect(matchesEtag('*', '"b"')).toBe(true);
    expect(matchesEtag('"a"', '"b"')).toBe(false);
    expect(matchesEtag(undefined, '"b"')).toBe(false);
    expect(acceptsGzip('GZIP;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('br, deflate')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });

  it('tags bytes by their content', () => {
    const tag = etagOf(new TextEncoder().encode('body { color: black }'));
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(etagOf(new TextEncoder().encode('body { color: black }'))).toBe(tag);
    expect(etagOf(new TextEncoder().encode('body { color: white }'))).not.toBe(tag);
  });
});
