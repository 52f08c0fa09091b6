// The operator's stores, for tools that fill or inspect a data directory directly (the benchmark).

export * from './ledger-accounts';
export * from './ledger/index';
export * from './outbox/outbox';
export * from './store/operator-store';
export * from './store/records';
export { PostgresOperatorStorage } from './store/postgres-operator-storage';
