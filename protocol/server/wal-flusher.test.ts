import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncedFile, WalFlusher } from './wal-flusher';

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

describe('WalFlusher', () => {
  it('lets callers that arrive during a sync share the next one, which starts only after it', async () => {
    const disk = manualSync();
    const flusher = new WalFlusher(disk.sync);
    const done: string[] = [];
    const first = flusher.flushed().then(() => done.push('first'));
    const second = flusher.flushed().then(() => done.push('second'));
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
    const disk = manualSync();
    const flusher = new WalFlusher(disk.sync);
    const first = flusher.flushed();
    disk.finish(0);
    await first;
    const later = flusher.flushed();
    expect(disk.started()).toBe(2);
    disk.finish(1);
    await later;
  });

  it('fails the callers of a failed sync, and the queued ones still get their own', async () => {
    const disk = manualSync();
    const flusher = new WalFlusher(disk.sync);
    const first = flusher.flushed();
    const queued = flusher.flushed();
    disk.fail(0, new Error('EIO'));
    await expect(first).rejects.toThrow('EIO');
    await settled();
    expect(disk.started()).toBe(2);
    disk.finish(1);
    await expect(queued).resolves.toBeUndefined();
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
