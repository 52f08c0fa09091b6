import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('KeyedLock', () => {
  it('runs one task per key at a time, in order; other keys do not wait', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const first = deferred();
    const a1 = lock.run('a', async () => (await first.promise, order.push('a1')));
    const a2 = lock.run('a', async () => order.push('a2'));
    await lock.run('b', async () => order.push('b1'));
    first.resolve();
    await Promise.all([a1, a2]);
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });

  it('answers as soon as a task has its answer, and holds the key until its aftermath settles', async () => {
    const lock = new KeyedLock();
    const bookkeeping = deferred();
    const order: string[] = [];
    const answer = await lock.runAnswering('a', async () => ({
      answer: 'paid',
      aftermath: bookkeeping.promise.then(() => order.push('recorded')),
    }));
    expect(answer).toBe('paid');
    const next = lock.run('a', async () => order.push('next'));
    await tick();
    expect(order).toEqual([]);
    bookkeeping.resolve();
    await next;
    expect(order).toEqual(['recorded', 'next']);
  });

  it('a failed aftermath releases the key like a finished one; the answer stands', async () => {
    const lock = new KeyedLock();
    const bookkeeping = deferred();
    const answer = lock.runAnswering('a', async () => ({ answer: 1, aftermath: bookkeeping.promise }));
    bookkeeping.reject(new Error('disk full'));
    expect(await answer).toBe(1);
    expect(await lock.run('a', async () => 2)).toBe(2);
  });

  it('a failed task rejects its caller and releases the key', async () => {
    const lock = new KeyedLock();
    await expect(lock.run('a', async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await lock.run('a', async () => 'next')).toBe('next');
  });
});
