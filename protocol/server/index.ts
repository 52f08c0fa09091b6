// @opentab/server-kit: what the operator and the merchant agent share on Node: the HTTP edge and
// its parts (router, body reading, answers, CORS, client addresses, rate limiter, conditional GET),
// the node:crypto provider and HTTP transport, the outbox, migrations, the WAL flusher, the ECB reader, OpenAPI
// documents, audits and fault injection.

export * from './audit/check-result';
export * from './client-address';
export * from './command-args';
export * from './conditional-get';
export * from './cors';
export * from './ecb/ecb';
export * from './fault-injection';
export * from './http-edge';
export * from './http-io';
export * from './message-body';
export * from './migrations';
export * from './postgres-migrations';
export * from './postgres-url';
export * from './postgres-sweep';
export * from './node-crypto';
export * from './node-http-transport';
export * from './outbox/outbox-delivery';
export * from './outbox/outbox-runner';
export * from './outbox/postgres-outbox';
export * from './outbox/sqlite-outbox';
export * from './openapi/document';
export * from './openapi/json-schemas';
export * from './openapi/package-license';
export * from './openapi/protocol-schemas';
export * from './rate-limiter';
export * from './retry-delay';
export * from './router';
export * from './unreadable-requests';
export * from './wal-flusher';
