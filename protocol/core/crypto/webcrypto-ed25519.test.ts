import { webcrypto } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { hexToBytes } from '../encoding/bytes';
import { signEnvelope, signerFromSecretKey, verifyEnvelope, verifyEnvelopeAsync } from '../envelope';
import { nobleCrypto } from './noble';
import { RFC8032_ED25519_VECTORS } from './vectors/rfc8032';
import { withWebCryptoEd25519, type Ed25519Subtle } from './webcrypto-ed25519';

// Node's WebCrypto has Ed25519 as Chromium and Firefox do; the fallback is tested with a subtle that has not.

const subtle = webcrypto.subtle as unknown as Ed25519Subtle;
const native = withWebCryptoEd25519(nobleCrypto, subtle);

function withoutEd25519() {
  const error = Object.assign(new Error('Unrecognized name.'), { name: 'NotSupportedError' });
  const importKey = vi.fn(async () => Promise.reject(error));
  const verify = vi.fn();
  return { importKey, verify, subtle: { importKey, verify } as unknown as Ed25519Subtle };
}

describe('WebCrypto Ed25519 with the @noble fallback', () => {
  it.each(RFC8032_ED25519_VECTORS)('verifies RFC 8032 $name natively', async (vector) => {
    await expect(
      native.ed25519.verifyAsync!(
        hexToBytes(vector.signature),
        hexToBytes(vector.message),
        hexToBytes(vector.publicKey),
      ),
    ).resolves.toBe(true);
  });

  it('rejects what @noble rejects, without throwing: another message, a flipped bit, a key that is no point', async () => {
    const vector = RFC8032_ED25519_VECTORS[2];
    const signature = hexToBytes(vector.signature);
    const publicKey = hexToBytes(vector.publicKey);
    const verify = native.ed25519.verifyAsync!;
    await expect(verify(signature, hexToBytes('af83'), publicKey)).resolves.toBe(false);
    const flipped = signature.slice();
    flipped[10]! ^= 1;
    await expect(verify(flipped, hexToBytes(vector.message), publicKey)).resolves.toBe(false);
    await expect(verify(signature.slice(0, 63), hexToBytes(vector.message), publicKey)).resolves.toBe(false);
    await expect(verify(signature, hexToBytes(vector.message), publicKey.slice(0, 31))).resolves.toBe(false);
    await expect(verify(signature, hexToBytes(vector.message), new Uint8Array(32).fill(255))).resolves.toBe(false);
    // The key that failed to import is not cached as a failure for a good key of the same bytes later.
    await expect(verify(signature, hexToBytes(vector.message), publicKey)).resolves.toBe(true);
  });

  it('leaves the synchronous provider as it was', () => {
    expect(native.ed25519.verify).toBe(nobleCrypto.ed25519.verify);
    expect(native.name).toBe('noble');
    expect(withWebCryptoEd25519(nobleCrypto, undefined)).toBe(nobleCrypto);
  });

  it('falls back to @noble, for good, where the browser has no native Ed25519', async () => {
    const missing = withoutEd25519();
    const provider = withWebCryptoEd25519(nobleCrypto, missing.subtle);
    const vector = RFC8032_ED25519_VECTORS[1];
    const args = [hexToBytes(vector.signature), hexToBytes(vector.message), hexToBytes(vector.publicKey)] as const;
    await expect(provider.ed25519.verifyAsync!(...args)).resolves.toBe(true);
    await expect(provider.ed25519.verifyAsync!(args[0], hexToBytes('00'), args[2])).resolves.toBe(false);
    expect(missing.importKey).toHaveBeenCalledTimes(1);
    expect(missing.verify).not.toHaveBeenCalled();
  });

  it('verifyEnvelopeAsync agrees with verifyEnvelope, natively and without a native Ed25519', async () => {
    const signer = signerFromSecretKey(nobleCrypto, hexToBytes(RFC8032_ED25519_VECTORS[0].secretKey));
    const other = signerFromSecretKey(nobleCrypto, hexToBytes(RFC8032_ED25519_VECTORS[1].secretKey));
    const envelope = signEnvelope(signer, { type: 'receipt', id: 'r1', iat: '2026-01-01T00:00:00Z', note: 'ä' });
    const cases = [
      [envelope, signer.publicKey],
      [envelope, other.publicKey],
      [{ ...envelope, payload: { ...envelope.payload, note: 'a' } }, signer.publicKey],
      [{ ...envelope, sig: envelope.sig.slice(1) }, signer.publicKey],
      [{ ...envelope, sig: '!!' }, signer.publicKey],
      [{ ...envelope, kid: other.kid }, signer.publicKey],
    ] as const;
    for (const provider of [native, withWebCryptoEd25519(nobleCrypto, withoutEd25519().subtle), nobleCrypto]) {
      const results = await Promise.all(cases.map(([env, key]) => verifyEnvelopeAsync(provider, env, key)));
      expect(results).toEqual(cases.map(([env, key]) => verifyEnvelope(nobleCrypto, env, key)));
    }
  });
});
