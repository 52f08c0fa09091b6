// Group commit for a server's SQLite file (the merchant agent's, the operator's). Transactions
// commit without waiting for the disk (WAL, synchronous=NORMAL); before the server answers anyone
// or tells anyone anything, one fsync of the WAL file makes every transaction committed so far
// durable (fdatasync, as SQLite's own syncs on Linux: the file's data and size, not its time
// stamps, which would cost a journal commit of the inode on every sync). The fsync runs on libuv's thread pool, so the event loop keeps working meanwhile, and
// requests that arrive together share one fsync instead of queueing for one each
// (synchronous=FULL did that on the event loop: ~5 fsyncs a tab in the merchant agent).

import { close, fdatasync, open } from 'node:fs';
import { promisify } from 'node:util';

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
      void descriptor?.then((fd) => close(fd, () => undefined), () => undefined);
      descriptor = null;
    },
  };
}

export class WalFlusher {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly sync: FileSync) {}

  /**
   * Resolves once everything committed before this call is on disk. A sync already under way may
   * have started before the caller's commit, so callers arriving then share the next one.
   */
  flushed(): Promise<void> {
    if (this.queued !== null) return this.queued;
    if (this.running === null) return this.start();
    const after = this.running.catch(() => undefined);
    this.queued = after.then(() => {
      this.queued = null;
      return this.start();
    });
    return this.queued;
  }

  private start(): Promise<void> {
    const run = this.sync().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }
}
