// The message receipts on the operator's SQLite file; message-receipts.postgres.test.ts runs the
// same suite on PostgreSQL.

import { BOTH_STORES } from '../store/testing/both-stores';
import { describeMessageReceipts } from './testing/message-receipts-suite';

const sqlite = BOTH_STORES.find((store) => store.name === 'sqlite')!;
describeMessageReceipts(sqlite.name, sqlite.open);
