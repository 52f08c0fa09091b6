// @opentab/protocol: the wire protocol, which runs unchanged in browsers and in Node: messages and
// their schemas, signed envelopes, money, hash chains, rate arithmetic, route specs, and the crypto
// providers a browser can use. Nothing here imports Node or any role (checked by .dependency-cruiser.cjs).

export * from './api/client';
export * from './api/delivery-api';
export * from './api/merchant-agent-api';
export * from './api/operator-api';
export * from './api/route';
export * from './chain/hash-chain';
export * from './chain/purchase-list';
export * from './concurrency/keyed-lock';
export * from './crypto/hmac-sha256';
export * from './crypto/noble';
export * from './crypto/provider';
export * from './crypto/public-key-check';
export * from './crypto/sha256-of-32';
export * from './crypto/webcrypto-ed25519';
export * from './delivery/chunked-cipher';
export * from './delivery/ciphertext-digest';
export * from './delivery/evidence';
export * from './delivery/key-seal';
export * from './delivery/package-check';
export * from './encoding/base64url';
export * from './encoding/bytes';
export * from './encoding/canonical-json';
export * from './envelope';
export * from './errors';
export * from './ids';
export * from './messages/bridge-transport';
export * from './messages/bridge';
export * from './messages/certificates';
export * from './messages/key-rotation';
export * from './messages/customer';
export * from './messages/delivery';
export * from './messages/merchant';
export * from './messages/merchant-dispute-decision';
export * from './messages/peer';
export * from './messages/primitives';
export * from './messages/rate-table';
export * from './messages/refund';
export * from './messages/secure-address';
export * from './messages/validate';
export * from './money/amount';
export * from './money/decimal';
export * from './money/iso4217';
export * from './money/rounding';
export * from './rates/conversion';
export * from './rates/rate-source-text';
export * from './time';
export * from './trust';
export * from './types/all-of';

/** The named building blocks of messages, each module as one namespace (the API documents name their schemas
 * by these). */
export * as certificateSchemas from './messages/certificates';
export * as primitiveSchemas from './messages/primitives';
export * as secureAddressSchemas from './messages/secure-address';
