// A merchant agent's counterparts for its tests: a stand-in MTA and a customer.

export * from './stand-in-mta';
export * from './test-customer';
export * from './agent-harness';
export * from './echo-extension';
export * from './agent-process';
