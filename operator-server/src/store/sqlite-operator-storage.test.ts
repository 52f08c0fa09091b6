// What the operator's asynchronous storage does on a SQLite file alone: transactions run one after
// another even when their work awaits, and a read outside a transaction waits for the one in
// progress. What it does on both stores (commit together, roll back together, races) is
// operator-storage.postgres.test.ts's.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger, openDatabase } from '../ledger';
import { createCustomer, createFunding, createMerchant } from '../ledger/testing/ledger-fixture';
import { Outbox } from '../outbox/outbox';
import { OperatorStore } from './operator-store';
import { SqliteOperatorStorage } from './sqlite-operator-storage';

const NOW_MS = 1_800_000_000_000;

function freshStorage() {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'opentab-operator-storage-')), 'operator.sqlite'));
  const store = new OperatorStore(db, 'op-eu');
  const ledger = new Ledger(db, { clock: { now_ms: () => NOW_MS } });
  createCustomer(ledger, 'cust:alice', 1_000n);
  createMerchant(ledger, 'merch:news');
  createFunding(ledger);
  const outbox = new Outbox(db);
  return { db, ledger, outbox, storage: new SqliteOperatorStorage({ db, store, ledger, outbox }) };
}

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('the operator storage on SQLite', () => {
  it('runs two transactions one after the other when both start at once, so a limit is checked on what the first left', async () => {
    const { storage, ledger } = freshStorage();
    const steps: string[] = [];
    const firstMayFinish = gate();
    // Each reads the room left, then holds it all if there is enough: interleaved, both would see 1,000.
    const holdIfRoom = (id: string, wait?: Promise<void>) =>
      storage.transaction(async (tx) => {
        steps.push(`${id} reads`);
        const room = (await tx.ledger.getAccount('cust:alice')).available ?? 0n;
        if (wait !== undefined) await wait;
        if (room < 700n) {
          steps.push(`${id} finds no room`);
          return false;
        }
        await tx.ledger.placeHold({ id, accountId: 'cust:alice', amount: 700n, ref: id });
        steps.push(`${id} holds`);
        return true;
      });
    const first = holdIfRoom('hold:a', firstMayFinish.opened);
    const second = holdIfRoom('hold:b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(steps).toEqual(['hold:a reads']);
    firstMayFinish.open();
    expect(await Promise.all([first, second])).toEqual([true, false]);
    expect(steps).toEqual(['hold:a reads', 'hold:a holds', 'hold:b reads', 'hold:b finds no room']);
    expect(ledger.listHolds({ accountId: 'cust:alice' }).map((hold) => hold.id)).toEqual(['hold:a']);
  });

  it('answers a read outside a transaction with what was committed, after the transaction in progress', async () => {
    const { storage } = freshStorage();
    const commitMay = gate();
    const writing = storage.transaction(async (tx) => {
      await tx.customers.insertCustomer('cust:bob', 'EUR', 'Bob', NOW_MS);
      await commitMay.opened;
    });
    let read: string | null | undefined;
    const reading = storage.customers.customer('cust:bob').then((customer) => (read = customer?.displayName ?? null));
    await new Promise((resolve) => setImmediate(resolve));
    expect(read).toBeUndefined();
    commitMay.open();
    await Promise.all([writing, reading]);
    expect(read).toBe('Bob');
  });
});
