export { openDatabase, type OpenDatabaseOptions } from './database';
export { LEDGER_ERROR_CODES, LEDGER_ERROR_SUMMARIES, LedgerError, isLedgerError, type LedgerErrorCode } from './errors';
export {
  assertLedgerInvariants,
  assertStoredLedgerInvariants,
  checkLedgerInvariants,
  describeInvariantViolations,
  type LedgerInvariantOptions,
  type StoredLedgerReads,
} from './invariants';
export { Ledger, type LedgerOptions } from './ledger';
export { migrateLedger } from './schema';
export * from './types';
export { MAX_AMOUNT, MAX_IDENTIFIER_LENGTH, MAX_MEMO_LENGTH } from './validation';
