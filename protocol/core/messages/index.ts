export * from './primitives';
export * from './certificates';
export * from './rate-table';
export * from './customer';
export * from './peer';
export * from './merchant';
export * from './bridge';
export * from './validate';
