// @opentab/operator-server: start an operator, its configuration, provisioning, admin client,
// billing records and sinks, logging and the audit of a data directory.

export * from './admin/admin-client';
export * from './audit/operator-audit';
export * from './audit/store-reader';
export * from './audit/postgres-store-reader';
export * from './billing/billing-records';
export * from './billing/sinks';
export * from './config/config';
export * from './operator';
export * from './provisioning/certificate-authority';
export * from './provisioning/keys';
export * from './provisioning/operator-files';
export * from './rates/sample-rates';
export * from './support/logger';
export * from './serve';
