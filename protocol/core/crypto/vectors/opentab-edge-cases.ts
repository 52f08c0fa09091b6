// Ed25519 cases the public vector sets leave out, written for Opentab (hex). Every one is a
// signature that some verifier accepts and Opentab must not; edge-cases.test.ts checks that each
// is built as its comment says. Signatures with R = identity and S = 0 verify under a key of small
// order whenever [k]A is the identity, k = SHA-512(R ‖ A ‖ M) mod L; the messages were picked so
// that 8 divides k.

const IDENTITY = '01' + '00'.repeat(31);
const R_IDENTITY_S_ZERO = IDENTITY + '00'.repeat(32);

export type EdgeCaseKey = 'small_order' | 'non_canonical' | 'sound';

export interface EdgeCase {
  readonly id: string;
  readonly comment: string;
  /** What is wrong with the key, if anything: the signature is refused for this, or for its R. */
  readonly key: EdgeCaseKey;
  readonly publicKey: string;
  readonly message: string;
  readonly signature: string;
}

export const OPENTAB_EDGE_CASES: readonly EdgeCase[] = [
  {
    id: 'identity-key',
    comment: 'The identity point as a key: one fixed signature (R = identity, S = 0) verifies for every message.',
    key: 'small_order',
    publicKey: IDENTITY,
    // "Opentab pays 1000 EUR": any message at all.
    message: '4f70656e7461622070617973203130303020455552',
    signature: R_IDENTITY_S_ZERO,
  },
  {
    id: 'identity-key-negative-zero',
    comment: 'The identity with the sign bit of x set: x = 0 has no negative, so RFC 8032 §5.1.3 refuses the encoding.',
    key: 'non_canonical',
    publicKey: '01' + '00'.repeat(30) + '80',
    message: '4f70656e746162207765616b206b6579206964656e746974794e65675a65726f2038',
    signature: R_IDENTITY_S_ZERO,
  },
  {
    id: 'identity-key-y-above-p',
    comment: 'The identity encoded as y = p + 1: a y coordinate of p or more is not an encoding.',
    key: 'non_canonical',
    publicKey: 'ee' + 'ff'.repeat(30) + '7f',
    message: '4f70656e746162207765616b206b6579206964656e746974795970312036',
    signature: R_IDENTITY_S_ZERO,
  },
  {
    id: 'order-2-key',
    comment: 'The point (0, −1) of order 2 as a key: (R = identity, S = 0) verifies whenever k is even.',
    key: 'small_order',
    publicKey: 'ec' + 'ff'.repeat(30) + '7f',
    message: '4f70656e746162207765616b206b6579206f72646572322030',
    signature: R_IDENTITY_S_ZERO,
  },
  {
    id: 'mixed-order-r',
    comment:
      'A sound key (RFC 8032 TEST 1) and R = rB + T with T of order 8, S = r + k·a: the cofactored equation ' +
      '[8]([S]B − R − [k]A) = 0 holds, the cofactorless [S]B = R + [k]A does not. @noble accepts it even with ' +
      'zip215: false; node:crypto, BoringSSL and NSS refuse it.',
    key: 'sound',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    // "Opentab: an R with a small-order component"
    message: '4f70656e7461623a20616e20522077697468206120736d616c6c2d6f7264657220636f6d706f6e656e74',
    signature:
      '4e2511d719957e02c0970e9ad6b26d2f00f3013faed4713ddc60dd25198fc781be642df49670ced89c869f430ffc74a89baf73a1603415f08bffd03ea36b0b08',
  },
];
