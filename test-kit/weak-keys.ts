// Public keys no intake may take, one of each kind public-key-check.ts refuses, in base64url; and
// messages "signed" by the identity key, whose one fixed signature verifies for any payload under
// a lenient verifier: so a test shows a message is refused for its key, not for a bad signature.

import type { Envelope, PayloadHeader } from '@opentab/protocol';

export const WEAK_KEYS = {
  /** The identity point (0, 1). */
  identity: 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  /** A point of order 8. */
  smallOrder: 'xxdqcD1N2E-6PAt2DRBnDyogU_osOczGTsf9d5KsA_o',
  /** RFC 8032 TEST 1's key plus a point of order 8. */
  mixedOrder: 'sqS4o7R9IuqNhmA6uQs5P8G4c5mrVbOAa6TLgVzVCfI',
  /** The identity encoded with y = p + 1. */
  nonCanonical: '7v_______________________________________38',
} as const;

export type WeakKeyKind = keyof typeof WEAK_KEYS;
export const WEAK_KEY_KINDS = Object.keys(WEAK_KEYS) as WeakKeyKind[];

/** R = identity, S = 0: verifies for any message under the identity key where small-order keys are taken. */
export const IDENTITY_KEY_SIGNATURE =
  'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export function signedByIdentityKey<P extends PayloadHeader>(
  payload: P,
  kid: string = WEAK_KEYS.identity,
): Envelope<P> {
  return { payload, kid, sig: IDENTITY_KEY_SIGNATURE };
}
