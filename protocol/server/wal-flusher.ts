// Group commit for a server's SQLite file (the merchant agent's, the operator's). Transactions
// commit without waiting for the disk (WAL, synchronous=NORMAL); before the server answers anyone
// or tells anyone anything, one fsync of the WAL file makes every transaction committed so far
// durable (fdatasync, as SQLite's own syncs on Linux: the file's data and size, not its time
// stamps, which would cost a journal commit of the inode on every sync). The fsync runs on
// libuv's thread pool, so the event loop keeps working meanwhile; requests that arrive together
// share one fsync instead of queueing for one each (synchronous=FULL would do that on the event
// loop: ~5 fsyncs a tab in the merchant agent); and a caller that wrote nothing since the last sync
// (a refusal, a replayed message, a read, an outbox pass with nothing due) waits for no disk at all.

import assert from 'node:assert/strict';
import { close, fdatasync, open } from 'node:fs';
import { promisify } from 'node:util';
import type Database from 'better-sqlite3';

const fdatasyncAsync = promisify(fdatasync);
const openAsync = promisify(open);

/** Syncs one file to disk; injectable so the coalescing can be tested without a disk. */
export type FileSync = () => Promise<void>;

export interface SyncedFile {
  readonly sync: FileSync;
  close(): void;
}

/** Opened at the first sync: SQLite creates the WAL file with its first write. */
export function syncedFile(path: string): SyncedFile {
  // fsync is per file, not per descriptor: syncing our own descriptor flushes SQLite's writes too.
  let descriptor: Promise<number> | null = null;
  return {
    async sync() {
      descriptor ??= openAsync(path, 'r+');
      await fdatasyncAsync(await descriptor);
    },
    close() {
      void descriptor?.then(
        (fd) => close(fd, () => undefined),
        () => undefined,
      );
      descriptor = null;
    },
  };
}

/**
 * How many rows the server's connection has written so far (SQLite's `total_changes()`): the
 * flusher skips a sync that would find nothing new. Sound because each server is the only writer
 * of its file (admin commands go through its HTTP API), and the count only grows.
 */
export type WriteCount = () => number;

/** The WriteCount of a better-sqlite3 connection (a plain number even where safe integers are on). */
export function sqliteWriteCount(db: Database.Database): WriteCount {
  const changes = db.prepare<[], number>('SELECT total_changes()').pluck().safeIntegers(false);
  return () => {
    // Inside a transaction the count already holds writes that are not committed, which a sync
    // started now would not cover, and their commit would not move the count again.
    assert(!db.inTransaction, 'durability was asked for inside a transaction, before its writes are committed');
    return changes.get()!;
  };
}

interface RunningSync {
  readonly done: Promise<void>;
  /** The write count when it started: every write counted by then is in the file it syncs. */
  readonly writes: number;
}

export class WalFlusher {
  private running: RunningSync | null = null;
  private queued: Promise<void> | null = null;
  /** The write count at the start of the last sync that succeeded; none yet at first. */
  private syncedWrites = -1;

  constructor(
    private readonly sync: FileSync,
    private readonly writesSoFar: WriteCount,
  ) {}

  /**
   * Resolves once everything committed before this call is on disk. A caller with nothing written
   * since the last sync began shares it (or, when it is over, is answered at once); one whose
   * writes came after a sync began waits for the next, which all callers arriving meanwhile share.
   */
  flushed(): Promise<void> {
    const writes = this.writesSoFar();
    if (this.running === null) return writes === this.syncedWrites ? Promise.resolve() : this.start(writes);
    if (writes === this.running.writes) return this.running.done;
    if (this.queued !== null) return this.queued;
    const after = this.running.done.catch(() => undefined);
    this.queued = after.then(() => {
      this.queued = null;
      return this.start(this.writesSoFar());
    });
    return this.queued;
  }

  private start(writes: number): Promise<void> {
    const done = this.sync()
      .then(() => {
        this.syncedWrites = Math.max(this.syncedWrites, writes);
      })
      .finally(() => {
        if (this.running?.done === done) this.running = null;
      });
    this.running = { done, writes };
    return done;
  }
}
