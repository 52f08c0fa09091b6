// The message receipts' guarantees, as one suite for each store (message-receipts.test.ts on
// SQLite, message-receipts.postgres.test.ts on PostgreSQL). A handler's effects are customers
// inserted through the transaction it is given; a second MessageReceipts over the same store
// stands for a second operator process.

import { describe, expect, it } from 'vitest';
import { OpentabError } from '@opentab/protocol';
import type { ReceiptAccess } from '../../store/operator-storage';
import type { OperatorStoreTransaction } from '../../store/operator-storage';
import type { StoreUnderTest } from '../../store/testing/both-stores';
import { createLogger } from '../logger';
import { MessageReceipts, type ReceiptStorage } from '../message-receipts';

const NOW_MS = 1_800_000_000_000;

/** `store`, with the answers' insert failing while `failing()` says so, as on a full disk. */
function withFailingAnswers(store: StoreUnderTest, failing: () => boolean): ReceiptStorage<OperatorStoreTransaction> {
  const guarded = (receipts: ReceiptAccess): ReceiptAccess => ({
    ...receipts,
    insertAnswer: async (answer) => {
      if (failing()) throw new Error('the disk is full');
      return receipts.insertAnswer(answer);
    },
  });
  return {
    receipts: guarded(store.receipts),
    transaction: (work) => store.transaction((tx) => work({ ...tx, receipts: guarded(tx.receipts) })),
  };
}

/** A promise the test settles by hand. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const opened = new Promise<T>((resolve) => (open = resolve));
  return { opened, open };
}

const message = (id: string, sig: string) => ({ payload: { id }, sig });
const pass = () => undefined;

export function describeMessageReceipts(name: string, open: () => Promise<StoreUnderTest>): void {
  async function receipts() {
    const store = await open();
    let answersFail = false;
    const lines: string[] = [];
    const log = createLogger('op-test', 'info', (line) => lines.push(line));
    const storage = withFailingAnswers(store, () => answersFail);
    /** One effect of a handler, numbered from 1 by the effects committed before it. */
    const addEffect = async (tx: OperatorStoreTransaction) => {
      const n = (await tx.customers.searchCustomers({ text: 'acct:effect-', limit: 1000 })).length + 1;
      await tx.customers.insertCustomer(`acct:effect-${n}-${Math.random()}`, 'EUR', `Effect ${n}`, NOW_MS);
      return n;
    };
    return {
      log,
      lines,
      addEffect,
      receipts: new MessageReceipts(storage, log),
      /** Another operator process on the same store. */
      otherProcess: () => new MessageReceipts(storage, createLogger('op-test-2', 'silent')),
      effects: async () => (await store.customers.searchCustomers({ text: 'acct:effect-', limit: 1000 })).length,
      storedStatus: async (id: string) => (await store.receipts.storedAnswer(id))?.status,
      failAnswers: (fail: boolean) => (answersFail = fail),
    };
  }

  describe(`message receipts on ${name}, process in one transaction with its answer`, () => {
    it('processes a message once and answers its replay with the first answer', async () => {
      const { receipts: store, addEffect, effects } = await receipts();
      let runs = 0;
      const process = async (tx: OperatorStoreTransaction) => ({ effect: await addEffect(tx), run: ++runs });
      expect(await store.onceInTransaction('route', message('a', 's1'), 1_000, pass, process)).toEqual({
        effect: 1,
        run: 1,
      });
      expect(await store.onceInTransaction('route', message('a', 's1'), 2_000, pass, process)).toEqual({
        effect: 1,
        run: 1,
      });
      expect(runs).toBe(1);
      expect(await effects()).toBe(1);
      await expect(store.onceInTransaction('route', message('a', 's2'), 2_000, pass, process)).rejects.toMatchObject({
        code: 'id_reused',
      });
      expect(runs).toBe(1);
    });

    it('rolls the effects back when the answer cannot be stored, and stores nothing', async () => {
      const { receipts: store, addEffect, effects, storedStatus, failAnswers } = await receipts();
      failAnswers(true);
      await expect(store.onceInTransaction('route', message('e', 's'), 1_000, pass, addEffect)).rejects.toThrow(
        'the disk is full',
      );
      expect(await effects()).toBe(0);
      expect(await storedStatus('e')).toBeUndefined();
      // A failure is no answer: the same message, sent again, goes through once.
      failAnswers(false);
      expect(await store.onceInTransaction('route', message('e', 's'), 1_000, pass, addEffect)).toBe(1);
      expect(await effects()).toBe(1);
    });

    it("logs the process's lines after its commit, and none for effects a rollback undid", async () => {
      const { log, lines, receipts: store, addEffect, failAnswers } = await receipts();
      let linesDuringProcess = -1;
      const logged = async (tx: OperatorStoreTransaction) => {
        const effect = await addEffect(tx);
        log.info('effect.added', { effect });
        linesDuringProcess = lines.length;
        return effect;
      };
      expect(await store.onceInTransaction('route', message('l1', 's'), 1_000, pass, logged)).toBe(1);
      expect([linesDuringProcess, lines.length]).toEqual([0, 1]);
      expect(lines[0]).toMatch(/effect\.added\s+effect=1$/);

      const refusing = async (tx: OperatorStoreTransaction) => {
        await logged(tx);
        throw new OpentabError('insufficient_funds');
      };
      await expect(store.onceInTransaction('route', message('l2', 's'), 1_000, pass, refusing)).rejects.toMatchObject({
        code: 'insufficient_funds',
      });
      failAnswers(true);
      await expect(store.onceInTransaction('route', message('l3', 's'), 1_000, pass, logged)).rejects.toThrow(
        'the disk is full',
      );
      expect(lines).toHaveLength(1);
      // Lines outside any held scope go out at once again.
      log.info('after');
      expect(lines).toHaveLength(2);
    });

    it('rolls back what a refusing process wrote, stores the refusal and replays it', async () => {
      const { receipts: store, addEffect, effects, storedStatus } = await receipts();
      let runs = 0;
      const refuse = async (tx: OperatorStoreTransaction) => {
        runs++;
        await addEffect(tx);
        throw new OpentabError('insufficient_funds');
      };
      await expect(store.onceInTransaction('route', message('b', 's1'), 1_000, pass, refuse)).rejects.toMatchObject({
        code: 'insufficient_funds',
      });
      expect(await effects()).toBe(0);
      expect(await storedStatus('b')).toBe(422);
      await expect(
        store.onceInTransaction('route', message('b', 's1'), 1_000, pass, async () => 'ok'),
      ).rejects.toMatchObject({ code: 'insufficient_funds' });
      expect(runs).toBe(1);
      await expect(
        store.onceInTransaction('route', message('b', 's2'), 1_000, pass, async () => 'ok'),
      ).rejects.toMatchObject({ code: 'id_reused' });
    });

    it('stores no 5xx failure: the sender may retry under the same id', async () => {
      const { receipts: store, addEffect, effects, storedStatus } = await receipts();
      const fail = async (tx: OperatorStoreTransaction) => {
        await addEffect(tx);
        throw new OpentabError('internal_error');
      };
      await expect(store.onceInTransaction('route', message('f', 's'), 1_000, pass, fail)).rejects.toMatchObject({
        code: 'internal_error',
      });
      expect(await effects()).toBe(0);
      expect(await storedStatus('f')).toBeUndefined();
      expect(await store.onceInTransaction('route', message('f', 's'), 1_000, pass, addEffect)).toBe(1);
    });

    it('never stores a failed authentication', async () => {
      const { receipts: store } = await receipts();
      const forged = async () => {
        throw new OpentabError('bad_signature');
      };
      await expect(
        store.onceInTransaction('route', message('c', 'forged'), 1_000, forged, async () => 'ok'),
      ).rejects.toMatchObject({ code: 'bad_signature' });
      // The real message under the same id still goes through.
      expect(await store.onceInTransaction('route', message('c', 'real'), 1_000, pass, async () => 'ok')).toBe('ok');
    });

    it('runs concurrent duplicates once: the later waits for the first and gets its answer', async () => {
      const { receipts: store, addEffect, effects } = await receipts();
      const authenticated = gate();
      let runs = 0;
      const process = async (tx: OperatorStoreTransaction) => ({ effect: await addEffect(tx), run: ++runs });
      const first = store.onceInTransaction('route', message('d', 's'), 1_000, () => authenticated.opened, process);
      const duplicate = store.onceInTransaction('route', message('d', 's'), 1_000, pass, process);
      authenticated.open();
      expect(await Promise.all([first, duplicate])).toEqual([
        { effect: 1, run: 1 },
        { effect: 1, run: 1 },
      ]);
      expect(await effects()).toBe(1);
    });

    it('keeps one answer when two processes take the same message at once: the later rolls back and replays', async () => {
      const { receipts: store, otherProcess, addEffect, effects } = await receipts();
      const other = otherProcess();
      const bothAuthenticated = gate();
      let arrived = 0;
      const authenticate = async () => {
        if (++arrived === 2) bothAuthenticated.open();
        await bothAuthenticated.opened;
      };
      let runs = 0;
      const process = async (tx: OperatorStoreTransaction) => ({ effect: await addEffect(tx), run: ++runs });
      const answers = await Promise.all([
        store.onceInTransaction('route', message('p', 's'), 1_000, authenticate, process),
        other.onceInTransaction('route', message('p', 's'), 1_000, authenticate, process),
      ]);
      expect(answers[1]).toEqual(answers[0]);
      expect(await effects()).toBe(1);
    });

    it('waits for the same message in flight on the async path, and refuses another under its id', async () => {
      const { receipts: store } = await receipts();
      const slow = gate<string>();
      const first = store.once('route', message('h', 's'), 1_000, pass, () => slow.opened);
      await expect(
        store.onceInTransaction('route', message('h', 'other'), 1_000, pass, async () => 'second'),
      ).rejects.toMatchObject({ code: 'id_reused' });
      const duplicate = store.onceInTransaction('route', message('h', 's'), 1_000, pass, async () => 'second');
      slow.open('first');
      expect(await Promise.all([first, duplicate])).toEqual(['first', 'first']);
    });
  });

  describe(`message receipts on ${name}, async process answered after its effects`, () => {
    it('processes a message once, replays its answer and refuses another message under its id', async () => {
      const { receipts: store } = await receipts();
      let runs = 0;
      const process = async () => ({ run: ++runs });
      expect(await store.once('route', message('a', 's1'), 1_000, pass, process)).toEqual({ run: 1 });
      expect(await store.once('route', message('a', 's1'), 2_000, pass, process)).toEqual({ run: 1 });
      await expect(store.once('route', message('a', 's2'), 2_000, pass, process)).rejects.toMatchObject({
        code: 'id_reused',
      });
      expect(runs).toBe(1);
    });

    it('replays a refusal and stores no 5xx failure', async () => {
      const { receipts: store, storedStatus } = await receipts();
      await expect(
        store.once('route', message('b', 's'), 1_000, pass, async () => {
          throw new OpentabError('tab_closed');
        }),
      ).rejects.toMatchObject({ code: 'tab_closed' });
      await expect(store.once('route', message('b', 's'), 1_000, pass, async () => 'ok')).rejects.toMatchObject({
        code: 'tab_closed',
      });
      await expect(
        store.once('route', message('c', 's'), 1_000, pass, async () => {
          throw new OpentabError('peer_unreachable');
        }),
      ).rejects.toMatchObject({ code: 'peer_unreachable' });
      expect(await storedStatus('c')).toBeUndefined();
      expect(await store.once('route', message('c', 's'), 1_000, pass, async () => 'ok')).toBe('ok');
    });

    it('runs concurrent duplicates once', async () => {
      const { receipts: store } = await receipts();
      let effects = 0;
      const slow = gate();
      const process = async () => {
        effects++;
        await slow.opened;
        return effects;
      };
      const answers = Promise.all([
        store.once('r', message('d', 's'), 1, pass, process),
        store.once('r', message('d', 's'), 1, pass, process),
      ]);
      slow.open();
      expect(await answers).toEqual([1, 1]);
      expect(effects).toBe(1);
    });

    it('answers with the first stored answer when another process ran the same message meanwhile', async () => {
      const { receipts: store, otherProcess } = await receipts();
      const other = otherProcess();
      const bothRunning = gate();
      let runs = 0;
      const process = async () => {
        const run = ++runs;
        if (run === 2) bothRunning.open();
        await bothRunning.opened;
        return run;
      };
      const answers = await Promise.all([
        store.once('r', message('x', 's'), 1, pass, process),
        other.once('r', message('x', 's'), 1, pass, process),
      ]);
      expect(runs).toBe(2);
      expect(answers[1]).toBe(answers[0]);
      expect(await store.once('r', message('x', 's'), 2, pass, process)).toBe(answers[0]);
    });
  });

  describe(`message receipts on ${name}, pruning`, () => {
    it('prunes answers older than asked, oldest first', async () => {
      const { receipts: store } = await receipts();
      await store.onceInTransaction('r', message('old', 's'), 1_000, pass, async () => 'old');
      await store.onceInTransaction('r', message('new', 's'), 9_000, pass, async () => 'new');
      expect(await store.prune(5_000)).toBe(1);
      let effects = 0;
      expect(await store.onceInTransaction('r', message('new', 's'), 9_500, pass, async () => ++effects)).toBe('new');
      expect(await store.onceInTransaction('r', message('old', 's'), 9_500, pass, async () => ++effects)).toBe(1);
    });
  });
}
