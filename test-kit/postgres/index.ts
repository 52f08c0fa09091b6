// The test kit's PostgreSQL: a throwaway cluster per run (global-setup.ts) and a database per use.

export * from './cluster';
export * from './databases';
