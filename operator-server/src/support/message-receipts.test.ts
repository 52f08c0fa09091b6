import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OpentabError } from '@opentab/protocol';
import { openDatabase } from '../ledger';
import { migrateOperatorStore } from '../store/schema';
import { createLogger } from './logger';
import { MessageReceipts } from './message-receipts';

/** Receipts over a fresh operator file, with an `effects` table standing for a handler's rows. */
function receipts() {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'opentab-receipts-')), 'operator.sqlite'));
  migrateOperatorStore(db);
  db.exec('CREATE TABLE effects (n INTEGER NOT NULL) STRICT');
  const addEffect = db.transaction(() =>
    Number(db.prepare('INSERT INTO effects (n) VALUES (1)').run().lastInsertRowid),
  );
  const effects = () => (db.prepare('SELECT COUNT(*) AS n FROM effects').get() as { n: number }).n;
  const storedStatus = (id: string) =>
    (db.prepare('SELECT status FROM message_receipts WHERE message_id = ?').get(id) as { status: number } | undefined)
      ?.status;
  const lines: string[] = [];
  const log = createLogger('op-test', 'info', (line) => lines.push(line));
  return { db, log, lines, store: new MessageReceipts(db, log), addEffect, effects, storedStatus };
}

const message = (id: string, sig: string) => ({ payload: { id }, sig });
const pass = () => undefined;

describe('message receipts, synchronous process in one transaction with its answer', () => {
  it('processes a message once and answers its replay with the first answer', async () => {
    const { store, addEffect, effects } = receipts();
    let runs = 0;
    const process = () => ({ effect: addEffect(), run: ++runs });
    expect(await store.onceInTransaction('route', message('a', 's1'), 1_000, pass, process)).toEqual({
      effect: 1,
      run: 1,
    });
    expect(await store.onceInTransaction('route', message('a', 's1'), 2_000, pass, process)).toEqual({
      effect: 1,
      run: 1,
    });
    expect(runs).toBe(1);
    expect(effects()).toBe(1);
    await expect(store.onceInTransaction('route', message('a', 's2'), 2_000, pass, process)).rejects.toMatchObject({
      code: 'id_reused',
    });
    expect(runs).toBe(1);
  });

  it('rolls the effects back when the answer cannot be stored, and stores nothing', async () => {
    const { db, store, addEffect, effects, storedStatus } = receipts();
    db.exec(
      "CREATE TRIGGER no_answers BEFORE INSERT ON message_receipts BEGIN SELECT RAISE(ABORT, 'the disk is full'); END",
    );
    await expect(store.onceInTransaction('route', message('e', 's'), 1_000, pass, addEffect)).rejects.toThrow(
      'the disk is full',
    );
    expect(effects()).toBe(0);
    expect(storedStatus('e')).toBeUndefined();
    // A failure is no answer: the same message, sent again, goes through once.
    db.exec('DROP TRIGGER no_answers');
    expect(await store.onceInTransaction('route', message('e', 's'), 1_000, pass, addEffect)).toBe(1);
    expect(effects()).toBe(1);
  });

  it("logs the process's lines after its commit, and none for effects a rollback undid", async () => {
    const { db, log, lines, store, addEffect } = receipts();
    let linesDuringProcess = -1;
    const logged = () => {
      const effect = addEffect();
      log.info('effect.added', { effect });
      linesDuringProcess = lines.length;
      return effect;
    };
    expect(await store.onceInTransaction('route', message('l1', 's'), 1_000, pass, logged)).toBe(1);
    expect([linesDuringProcess, lines.length]).toEqual([0, 1]);
    expect(lines[0]).toMatch(/effect\.added\s+effect=1$/);

    const refusing = () => {
      logged();
      throw new OpentabError('insufficient_funds');
    };
    await expect(store.onceInTransaction('route', message('l2', 's'), 1_000, pass, refusing)).rejects.toMatchObject({
      code: 'insufficient_funds',
    });
    db.exec(
      "CREATE TRIGGER no_answers BEFORE INSERT ON message_receipts BEGIN SELECT RAISE(ABORT, 'the disk is full'); END",
    );
    await expect(store.onceInTransaction('route', message('l3', 's'), 1_000, pass, logged)).rejects.toThrow(
      'the disk is full',
    );
    expect(lines).toHaveLength(1);
    // Lines outside any held scope go out at once again.
    log.info('after');
    expect(lines).toHaveLength(2);
  });

  it('rolls back what a refusing process wrote, stores the refusal and replays it', async () => {
    const { store, addEffect, effects, storedStatus } = receipts();
    let runs = 0;
    const refuse = () => {
      runs++;
      addEffect();
      throw new OpentabError('insufficient_funds');
    };
    await expect(store.onceInTransaction('route', message('b', 's1'), 1_000, pass, refuse)).rejects.toMatchObject({
      code: 'insufficient_funds',
    });
    expect(effects()).toBe(0);
    expect(storedStatus('b')).toBe(422);
    await expect(store.onceInTransaction('route', message('b', 's1'), 1_000, pass, () => 'ok')).rejects.toMatchObject({
      code: 'insufficient_funds',
    });
    expect(runs).toBe(1);
    await expect(store.onceInTransaction('route', message('b', 's2'), 1_000, pass, () => 'ok')).rejects.toMatchObject({
      code: 'id_reused',
    });
  });

  it('stores no 5xx failure: the sender may retry under the same id', async () => {
    const { store, addEffect, effects, storedStatus } = receipts();
    const fail = () => {
      addEffect();
      throw new OpentabError('internal_error');
    };
    await expect(store.onceInTransaction('route', message('f', 's'), 1_000, pass, fail)).rejects.toMatchObject({
      code: 'internal_error',
    });
    expect(effects()).toBe(0);
    expect(storedStatus('f')).toBeUndefined();
    expect(await store.onceInTransaction('route', message('f', 's'), 1_000, pass, addEffect)).toBe(1);
  });

  it('never stores a failed authentication', async () => {
    const { store } = receipts();
    const forged = () => {
      throw new OpentabError('bad_signature');
    };
    await expect(
      store.onceInTransaction('route', message('c', 'forged'), 1_000, forged, () => 'ok'),
    ).rejects.toMatchObject({ code: 'bad_signature' });
    // The real message under the same id still goes through.
    expect(await store.onceInTransaction('route', message('c', 'real'), 1_000, pass, () => 'ok')).toBe('ok');
  });

  it('refuses an async process: by its type, and at run time, with its synchronous writes rolled back', async () => {
    const { store, addEffect, effects, storedStatus } = receipts();
    const asynchronous = async () => {
      addEffect();
      await new Promise((resolve) => setTimeout(resolve, 1));
      return 'late';
    };
    // @ts-expect-error an async process would commit its later effects after the answer
    await expect(store.onceInTransaction('route', message('g', 's'), 1_000, pass, asynchronous)).rejects.toThrow(
      /synchronous process/,
    );
    expect(effects()).toBe(0);
    expect(storedStatus('g')).toBeUndefined();
  });

  it('waits for the same message in flight on the async path, and refuses another under its id', async () => {
    const { store } = receipts();
    let release = () => {};
    const slow = () => new Promise<string>((resolve) => (release = () => resolve('first')));
    const first = store.once('route', message('h', 's'), 1_000, pass, slow);
    await expect(
      store.onceInTransaction('route', message('h', 'other'), 1_000, pass, () => 'second'),
    ).rejects.toMatchObject({ code: 'id_reused' });
    const duplicate = store.onceInTransaction('route', message('h', 's'), 1_000, pass, () => 'second');
    release();
    expect(await Promise.all([first, duplicate])).toEqual(['first', 'first']);
  });
});

describe('message receipts, async process answered after its effects', () => {
  it('processes a message once, replays its answer and refuses another message under its id', async () => {
    const { store } = receipts();
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
    const { store, storedStatus } = receipts();
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
    expect(storedStatus('c')).toBeUndefined();
    expect(await store.once('route', message('c', 's'), 1_000, pass, async () => 'ok')).toBe('ok');
  });

  it('runs concurrent duplicates once', async () => {
    const { store } = receipts();
    let effects = 0;
    const slow = async () => {
      effects++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return effects;
    };
    const answers = await Promise.all([
      store.once('r', message('d', 's'), 1, pass, slow),
      store.once('r', message('d', 's'), 1, pass, slow),
    ]);
    expect(answers).toEqual([1, 1]);
    expect(effects).toBe(1);
  });
});

describe('message receipts, pruning', () => {
  it('prunes answers older than asked, oldest first', async () => {
    const { store } = receipts();
    await store.onceInTransaction('r', message('old', 's'), 1_000, pass, () => 'old');
    await store.onceInTransaction('r', message('new', 's'), 9_000, pass, () => 'new');
    expect(store.prune(5_000)).toBe(1);
    let effects = 0;
    expect(await store.onceInTransaction('r', message('new', 's'), 9_500, pass, () => ++effects)).toBe('new');
    expect(await store.onceInTransaction('r', message('old', 's'), 9_500, pass, () => ++effects)).toBe(1);
  });
});
