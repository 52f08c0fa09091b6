// The agent's store, for tools that fill a database directly (the benchmark).

export * from './store';
export * from './sqlite-store';
export * from './postgres-store';
export * from './store-config';
export * from './tab-record';
