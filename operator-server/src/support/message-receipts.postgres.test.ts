// The message receipts on PostgreSQL: the same suite as on the SQLite file, where two processes
// really run their transactions at once and the answer's insert decides between them.

import { BOTH_STORES } from '../store/testing/both-stores';
import { describeMessageReceipts } from './testing/message-receipts-suite';

const postgres = BOTH_STORES.find((store) => store.name === 'postgres')!;
describeMessageReceipts(postgres.name, postgres.open);
