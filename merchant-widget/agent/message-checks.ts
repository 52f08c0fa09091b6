// The two checks every signed message gets before its content is believed: the expected key
// signed it, and it was issued within the clock-skew window.

import type { CryptoProvider } from '@opentab/protocol';
import { verifyEnvelope, type Envelope } from '@opentab/protocol';
import { OpentabError } from '@opentab/protocol';
import { checkIssuedAt } from '@opentab/protocol';

export function requireSignedBy(
  crypto: CryptoProvider,
  envelope: Envelope,
  publicKey: Uint8Array,
  refusal: string,
): void {
  if (!verifyEnvelope(crypto, envelope, publicKey)) throw new OpentabError('bad_signature', refusal);
}

export function requireFresh(iat: string, now_ms: number, skew_ms: number): void {
  const freshness = checkIssuedAt(iat, now_ms, skew_ms);
  if (freshness !== 'fresh') throw new OpentabError('stale_message', undefined, [`iat: ${freshness}`]);
}
