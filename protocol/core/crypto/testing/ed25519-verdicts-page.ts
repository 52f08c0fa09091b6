// Runs in a browser page (bundled by ed25519-vectors.browser.test.ts): the verdict on every
// Ed25519 vector of the two ways the extension verifies there, @noble and the browser's own
// WebCrypto Ed25519 (through withWebCryptoEd25519), left on window for the test to read.

import { nobleCrypto } from '../noble';
import { verdictsOf } from '../vectors/ed25519-vectors';
import { withWebCryptoEd25519 } from '../webcrypto-ed25519';

export interface BrowserVerdicts {
  /** Whether this browser has Ed25519 in WebCrypto: without it the WebCrypto verdicts would be @noble's again. */
  readonly nativeEd25519: boolean;
  readonly noble: boolean[];
  readonly webCrypto: boolean[];
}

async function hasNativeEd25519(subtle: SubtleCrypto): Promise<boolean> {
  try {
    await subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    return true;
  } catch {
    return false;
  }
}

async function run(): Promise<BrowserVerdicts> {
  const subtle = globalThis.crypto.subtle;
  const webCrypto = withWebCryptoEd25519(nobleCrypto, subtle);
  return {
    nativeEd25519: await hasNativeEd25519(subtle),
    noble: await verdictsOf(nobleCrypto.ed25519.verify),
    webCrypto: await verdictsOf(webCrypto.ed25519.verifyAsync!),
  };
}

(globalThis as unknown as { ed25519Verdicts: Promise<BrowserVerdicts> }).ed25519Verdicts = run();
