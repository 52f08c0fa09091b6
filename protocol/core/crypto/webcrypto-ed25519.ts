// A provider whose Ed25519 verification also goes through the browser's native WebCrypto
// Ed25519 (Chromium 137+, Firefox 129+, in workers and background pages alike) as `verifyAsync`,
// falling back to the provider's own synchronous verify where the browser does not have it. In
// the extension's worker a receipt's signature takes ~0.1 ms this way against ~0.5 ms with
// @noble, on the path of every click (docs/performance.md).
//
// Both give the same verdict on every signature: the browsers check the cofactorless equation as
// the @noble path does (ed25519-verify.ts), and a key that is not sound is refused before either
// sees it, since the browsers would verify under a small-order key (public-key-check.ts).

import { toBase64url } from '../encoding/base64url';
import type { CryptoProvider } from './provider';
import { isSoundPublicKey } from './public-key-check';

/** The part of SubtleCrypto used here. */
export type Ed25519Subtle = Pick<SubtleCrypto, 'importKey' | 'verify'>;

/** Our byte arrays are never views of a SharedArrayBuffer, which is all BufferSource excludes. */
const bytes = (data: Uint8Array) => data as Uint8Array<ArrayBuffer>;

/** Imported keys kept per public key: a tab's merchant key signs every receipt of the tab. */
const KEY_CACHE_SIZE = 16;

export function withWebCryptoEd25519(provider: CryptoProvider, subtle: Ed25519Subtle | undefined): CryptoProvider {
  if (!subtle) return provider;
  const fallback = provider.ed25519;
  const keys = new Map<string, Promise<CryptoKey>>();
  let native = true;

  function keyFor(publicKey: Uint8Array): Promise<CryptoKey> {
    const id = toBase64url(publicKey);
    let key = keys.get(id);
    if (!key) {
      key = subtle!.importKey('raw', bytes(publicKey), { name: 'Ed25519' }, false, ['verify']);
      if (keys.size >= KEY_CACHE_SIZE) keys.delete(keys.keys().next().value!);
      keys.set(id, key);
      key.catch(() => keys.delete(id));
    }
    return key;
  }

  async function verifyAsync(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
    if (!native) return fallback.verify(signature, message, publicKey);
    if (!isSoundPublicKey(publicKey)) return false;
    let key: CryptoKey;
    try {
      key = await keyFor(publicKey);
    } catch (error) {
      // No native Ed25519 in this browser: @noble from now on. A key it rejects is not a key.
      if ((error as { name?: unknown } | null)?.name === 'NotSupportedError') {
        native = false;
        return fallback.verify(signature, message, publicKey);
      }
      return false;
    }
    try {
      return await subtle!.verify({ name: 'Ed25519' }, key, bytes(signature), bytes(message));
    } catch {
      return false;
    }
  }

  return { ...provider, ed25519: { ...fallback, verifyAsync } };
}
