// The protocol core: runs unchanged in browsers and in Node. The node:crypto provider is the one
// exception and is imported from 'protocol/crypto/node' by server code only.

export * from './errors';
export * from './ids';
export * from './time';
export * from './envelope';
export * from './trust';
export * from './encoding/bytes';
export * from './encoding/base64url';
export * from './encoding/canonical-json';
export * from './crypto/provider';
export * from './money/iso4217';
export * from './money/decimal';
export * from './money/rounding';
export * from './money/amount';
export * from './rates/conversion';
export * from './rates/ecb';
export * from './chain/hash-chain';
export * from './chain/purchase-list';
export * from './messages/index';
export * from './api/route';
export * from './api/client';
export * from './api/operator-api';
export * from './api/merchant-agent-api';
