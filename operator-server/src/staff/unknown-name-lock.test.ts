import { describe, expect, it } from 'vitest';
import { UnknownNameLock } from './unknown-name-lock';

const LOCK_MS = 1_000;

describe('UnknownNameLock', () => {
  it('locks a name at its third failure until the lock runs out, then counts afresh', () => {
    const lock = new UnknownNameLock(3, LOCK_MS);
    expect(lock.countFailure('eve', 10)).toBeNull();
    expect(lock.countFailure('eve', 20)).toBeNull();
    expect(lock.lockedUntil('eve', 20)).toBeNull();
    expect(lock.countFailure('eve', 30)).toBe(30 + LOCK_MS);
    expect(lock.lockedUntil('eve', 30 + LOCK_MS - 1)).toBe(30 + LOCK_MS);
    expect(lock.lockedUntil('eve', 30 + LOCK_MS)).toBeNull();
    expect(lock.countFailure('eve', 2_000)).toBeNull();
    // Another name has its own count.
    expect(lock.lockedUntil('mallory', 30)).toBeNull();
  });

  it('keeps at most its bound of names, forgetting the one that failed longest ago', () => {
    const lock = new UnknownNameLock(2, LOCK_MS, 3);
    for (const name of ['a', 'b', 'c']) lock.countFailure(name, 0);
    lock.countFailure('a', 1); // 'a' failed again: now 'b' is the oldest, and 'a' is locked
    lock.countFailure('d', 2);
    expect(lock.size).toBe(3);
    expect(lock.lockedUntil('a', 2)).toBe(1 + LOCK_MS);
    // 'b' was forgotten: two more failures are needed to lock it.
    expect(lock.countFailure('b', 3)).toBeNull();
    expect(lock.countFailure('b', 4)).toBe(4 + LOCK_MS);
  });
});
