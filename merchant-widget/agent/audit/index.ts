// The audit of an agent's store, and the agent's configuration file as `opentab-merchant` reads it.

export * from './agent-audit';
export * from './store-reader';
export * from './postgres-store-reader';
export * from '../cli/config-file';
