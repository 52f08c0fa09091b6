// Running operators, a merchant agent and test customers, over real HTTP and SQLite or PostgreSQL.

export * from './operator-world';
export * from './test-customer';
export * from './two-operator-world';
export { SAMPLE_ECB_RATES_FILE, SAMPLE_RATE_SOURCE } from '@opentab/operator-server';
export * from './merchant-records';
export * from './delivery-buyer';
export { prepareProducts } from '@opentab/merchant-agent';
export * from './stored-tables';
