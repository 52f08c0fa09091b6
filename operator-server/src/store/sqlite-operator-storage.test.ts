// The operator's asynchronous storage on a real SQLite file: a transaction's ledger, record and
// outbox writes commit together or not at all, transactions run one after another even when
// their work awaits, and a read outside a transaction sees only what was committed.

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
  it('commits a hold, a customer and an outbox message together', async () => {
    const { storage, ledger, outbox } = freshStorage();
    const holdId = await storage.transaction(async (tx) => {
      const hold = await tx.ledger.placeHold({ id: 'hold:tx1', accountId: 'cust:alice', amount: 600n, ref: 'tx1' });
      await tx.customers.insertCustomer('cust:bob', 'EUR', 'Bob', NOW_MS);
      await tx.outbox.enqueue('deposit:tx1', { kind: 'billing', sinkIndex: 0 }, { tx: 'tx1' }, NOW_MS);
      return hold.id;
    });
    expect(holdId).toBe('hold:tx1');
    expect(ledger.getHold('hold:tx1').status).toBe('pending');
    expect((await storage.customers.customer('cust:bob'))?.displayName).toBe('Bob');
    expect(outbox.pending()).toBe(1);
  });

  it('rolls back the ledger, the records and the outbox together when the work throws after them', async () => {
    const { storage, ledger, outbox } = freshStorage();
    await expect(
      storage.transaction(async (tx) => {
        await tx.ledger.placeHold({ id: 'hold:tx1', accountId: 'cust:alice', amount: 600n, ref: 'tx1' });
        await tx.customers.insertCustomer('cust:bob', 'EUR', 'Bob', NOW_MS);
        await tx.outbox.enqueue('deposit:tx1', { kind: 'billing', sinkIndex: 0 }, { tx: 'tx1' }, NOW_MS);
        throw new Error('the clearing could not be priced');
      }),
    ).rejects.toThrow('the clearing could not be priced');
    expect(ledger.findHold('hold:tx1')).toBeUndefined();
    expect(await storage.customers.customer('cust:bob')).toBeNull();
    expect(outbox.pending()).toBe(0);
    expect(ledger.getAccount('cust:alice').held).toBe(0n);
  });

  it('undoes only a refused ledger call that the work catches, and commits the rest', async () => {
    const { storage, ledger } = freshStorage();
    await storage.transaction(async (tx) => {
      await tx.ledger.placeHold({ id: 'hold:tx1', accountId: 'cust:alice', amount: 600n, ref: 'tx1' });
      // Beyond what is left of the credit: refused, and nothing of it stays.
      await expect(
        tx.ledger.placeHold({ id: 'hold:tx2', accountId: 'cust:alice', amount: 600n, ref: 'tx2' }),
      ).rejects.toThrow();
    });
    expect(ledger.getHold('hold:tx1').status).toBe('pending');
    expect(ledger.findHold('hold:tx2')).toBeUndefined();
  });

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
