// The agent's store, for tools that fill a database directly (the benchmark).

export * from './store';
export * from './tab-record';
