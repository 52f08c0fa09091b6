import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleCrypto } from './noble';
import { nodeCrypto } from '@opentab/test-kit';
import { ED25519_VECTORS, verdictsOf, wrongVerdicts, type Verify } from './vectors/ed25519-vectors';
import { withWebCryptoEd25519, type Ed25519Subtle } from './webcrypto-ed25519';

// One verdict everywhere: every provider Opentab verifies with gives Opentab's verdict on every
// public vector (RFC 8032, Wycheproof, ed25519-speccheck) and on its own edge cases. The browsers'
// WebCrypto runs the same list in ed25519-vectors.browser.test.ts.

const nativeInNode = withWebCryptoEd25519(nobleCrypto, webcrypto.subtle as unknown as Ed25519Subtle);

const verifiers: ReadonlyArray<readonly [string, Verify]> = [
  ['node:crypto', nodeCrypto.ed25519.verify],
  ['@noble', nobleCrypto.ed25519.verify],
  ["WebCrypto (Node's) with the @noble fallback", nativeInNode.ed25519.verifyAsync!],
];

describe('Ed25519 vectors', () => {
  it('covers all five RFC 8032 §7.1 vectors, the 151 Wycheproof tests and the 12 speccheck cases', () => {
    const count = (prefix: string) => ED25519_VECTORS.filter((vector) => vector.name.startsWith(prefix)).length;
    expect([count('rfc8032 '), count('wycheproof '), count('speccheck ')]).toEqual([5, 151, 12]);
  });

  it.each(verifiers)('%s gives the expected verdict on every vector', async (_name, verify) => {
    expect(wrongVerdicts(await verdictsOf(verify))).toEqual([]);
  });

  it('all providers give the same verdict on every vector', async () => {
    const [first, ...others] = await Promise.all(verifiers.map(([, verify]) => verdictsOf(verify)));
    for (const verdicts of others) expect(verdicts).toEqual(first);
  });
});
