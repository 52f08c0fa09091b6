// Two operator processes sharing one store, for suites that show what one process writes is what
// the other decides on: two connections to one SQLite file, and two pools on one PostgreSQL
// database (each a storage of its own, as separate processes hold).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, openDatabase } from '../../ledger';
import { Outbox } from '../../outbox/outbox';
import type { OperatorStorage } from '../operator-storage';
import { OperatorStore } from '../operator-store';
import { SqliteOperatorStorage } from '../sqlite-operator-storage';
import { OPERATOR_ID, postgresStoragesOnOneDatabase } from './both-stores';

export const TWO_PROCESSES_ON_ONE_STORE: ReadonlyArray<{
  readonly name: string;
  /**
   * Whether the two may hold transactions at the same moment here. Two SQLite connections in one
   * thread cannot: the second's BEGIN waits synchronously for a lock the first, on the same
   * thread, can never release; as separate processes they simply take turns.
   */
  readonly transactionsAtOnce: boolean;
  readonly open: () => Promise<readonly [OperatorStorage, OperatorStorage]>;
}> = [
  {
    name: 'one SQLite file',
    transactionsAtOnce: false,
    open: async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'opentab-two-processes-')), 'operator.sqlite');
      const storageOn = () => {
        const db = openDatabase(path);
        return new SqliteOperatorStorage({
          db,
          store: new OperatorStore(db, OPERATOR_ID),
          ledger: new Ledger(db),
          outbox: new Outbox(db),
        });
      };
      const first = storageOn();
      return [first, storageOn()] as const;
    },
  },
  {
    name: 'one PostgreSQL database',
    transactionsAtOnce: true,
    open: async () => {
      const [first, second] = await postgresStoragesOnOneDatabase(2);
      return [first!, second!] as const;
    },
  },
];
