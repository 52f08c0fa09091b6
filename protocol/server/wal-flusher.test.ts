import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteWriteCount, syncedFile, WalFlusher } from './wal-flusher';

/** A sync the test finishes by hand, counting how often it was started. */
function manualSync() {
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  return {
    started: () => pending.length,
    sync: () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject })),
    finish: (index: number) => pending[index]!.resolve(),
    fail: (index: number, error: Error) => pending[index]!.reject(error),
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

/** A write count the test moves by hand: `write()` stands for a commit. */
function writeCounter() {
  let writes = 0;
  return { count: () => writes, write: () => void writes++ };
}

/** A flusher over a disk and a write count that the test drives by hand. */
function manualFlusher() {
  const disk = manualSync();
  const db = writeCounter();
  return { disk, db, flusher: new WalFlusher(disk.sync, db.count) };
}

describe('WalFlusher', () => {
  it('lets callers that arrive during a sync share the next one, which starts only after it', async () => {
    const { disk, db, flusher } = manualFlusher();
    const done: string[] = [];
    db.write();
    const first = flusher.flushed().then(() => done.push('first'));
    db.write();
    const second = flusher.flushed().then(() => done.push('second'));
    db.write();
    const third = flusher.flushed().then(() => done.push('third'));
    expect(disk.started()).toBe(1);

    disk.finish(0);
    await settled();
    // The first sync may have begun before the others committed: they wait for a second one.
    expect(done).toEqual(['first']);
    expect(disk.started()).toBe(2);
    disk.finish(1);
    await Promise.all([first, second, third]);
    expect(done).toEqual(['first', 'second', 'third']);
    expect(disk.started()).toBe(2);
  });

  it('starts a fresh sync once the disk is idle again', async () => {
    const { disk, db, flusher } = manualFlusher();
    db.write();
    const first = flusher.flushed();
    disk.finish(0);
    await first;
    db.write();
    const later = flusher.flushed();
    expect(disk.started()).toBe(2);
    disk.finish(1);
    await later;
  });

  it('fails the callers of a failed sync, and the queued ones still get their own', async () => {
    const { disk, db, flusher } = manualFlusher();
    db.write();
    const first = flusher.flushed();
    db.write();
    const queued = flusher.flushed();
    disk.fail(0, new Error('EIO'));
    await expect(first).rejects.toThrow('EIO');
    await settled();
    expect(disk.started()).toBe(2);
    disk.finish(1);
    await expect(queued).resolves.toBeUndefined();
  });
});

describe('WalFlusher, where nothing new was written', () => {
  it('syncs once at first, whatever the count, then answers at once until something is written', async () => {
    const { disk, db, flusher } = manualFlusher();
    // What the server found in its file at start (a migration, an earlier run's unsynced tail) is synced once.
    const first = flusher.flushed();
    expect(disk.started()).toBe(1);
    disk.finish(0);
    await first;
    await expect(flusher.flushed()).resolves.toBeUndefined();
    await expect(flusher.flushed()).resolves.toBeUndefined();
    expect(disk.started()).toBe(1);
    db.write();
    const afterWrite = flusher.flushed();
    expect(disk.started()).toBe(2);
    disk.finish(1);
    await afterWrite;
  });

  it('lets a caller with no write since a sync began share that sync instead of queueing another', async () => {
    const { disk, db, flusher } = manualFlusher();
    db.write();
    // As when a handler's commit is followed by a call to a peer and then its own answer.
    const early = flusher.flushed();
    const atAnswer = flusher.flushed();
    expect(atAnswer).toBe(early);
    expect(disk.started()).toBe(1);
    disk.finish(0);
    await Promise.all([early, atAnswer]);
    expect(disk.started()).toBe(1);
  });

  it('syncs again after a failed sync even with no new write: the failed one proved nothing', async () => {
    const { disk, db, flusher } = manualFlusher();
    db.write();
    const failed = flusher.flushed();
    disk.fail(0, new Error('EIO'));
    await expect(failed).rejects.toThrow('EIO');
    const retried = flusher.flushed();
    expect(disk.started()).toBe(2);
    disk.finish(1);
    await expect(retried).resolves.toBeUndefined();
  });
});

describe('sqliteWriteCount', () => {
  it('counts rows written by the connection, not reads, not an insert that was ignored', () => {
    const db = new Database(':memory:');
    db.defaultSafeIntegers(true);
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
    const count = sqliteWriteCount(db);
    const before = count();
    expect(typeof before).toBe('number');
    db.prepare("INSERT INTO t VALUES ('a', 1)").run();
    expect(count()).toBe(before + 1);
    db.prepare('SELECT * FROM t').all();
    db.prepare("INSERT OR IGNORE INTO t VALUES ('a', 2)").run();
    expect(count()).toBe(before + 1);
    db.transaction(() => {
      db.prepare("UPDATE t SET v = 3 WHERE k = 'a'").run();
      db.prepare("INSERT INTO t VALUES ('b', 4)").run();
    })();
    expect(count()).toBe(before + 3);
    db.close();
  });

  it('refuses to count inside a transaction, where the count holds writes not yet committed', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
    const count = sqliteWriteCount(db);
    db.transaction(() => {
      db.prepare("INSERT INTO t VALUES ('a')").run();
      expect(() => count()).toThrow(/inside a transaction/);
    })();
    expect(count()).toBeGreaterThan(0);
    db.close();
  });
});

describe('syncedFile', () => {
  it('syncs a real file, again on the same descriptor, and reports a file that cannot be opened', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'opentab-wal-'));
    const path = join(directory, 'agent.sqlite-wal');
    writeFileSync(path, 'frames');
    const file = syncedFile(path);
    await expect(file.sync()).resolves.toBeUndefined();
    await expect(file.sync()).resolves.toBeUndefined();
    file.close();
    const missing = syncedFile(join(directory, 'never-written.sqlite-wal'));
    await expect(missing.sync()).rejects.toThrow(/ENOENT/);
    missing.close();
  });
});
