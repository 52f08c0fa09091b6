// @opentab/test-kit: helpers tests share across packages (clocks, waits, ports, PKI, hostile input,
// weak keys, the OpenAPI lint). Worlds of running parties are in the subpaths ./worlds,
// ./merchant-agent, ./widget and ./browsers.

export * from './free-port';
export * from './hostile-input';
export * from './manual-clock';
export * from './openapi-lint';
export * from './process-bounds';
export * from './test-pki';
export * from './timer-turns';
export * from './wait-for';
export * from './weak-keys';
export { nodeCrypto } from '@opentab/server-kit';
