// Runs one task at a time per key, in one process: two quick clicks at one merchant must not open
// two tabs or reveal the same chain link twice (the extension); a replayed initiation must not race
// its first run (the operator). Different keys do not wait for each other.

/** A task's answer, and the work it still has to finish before the next task may start. */
export interface Answered<T> {
  readonly answer: T;
  readonly aftermath?: Promise<unknown>;
}

export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** True while a task holds the key or waits for it. */
  isHeld(key: string): boolean {
    return this.tails.has(key);
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.runAnswering(key, async () => ({ answer: await task() }));
  }

  /**
   * Like run, but resolves with the task's answer as soon as it has one, while the key stays held
   * until the task's aftermath (bookkeeping the answer does not need) has settled, failed or not.
   */
  runAnswering<T>(key: string, task: () => Promise<Answered<T>>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then((done) => done.aftermath).catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result.then((done) => done.answer);
  }
}
