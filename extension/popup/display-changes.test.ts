import { describe, expect, it } from 'vitest';
import { nextTimeLeftChange } from './display-changes';

const at = (time: string) => Date.parse(`2026-06-01T${time}Z`);

describe('nextTimeLeftChange', () => {
  it('is the next whole minute before the end, then the end itself', () => {
    // 41 min 30 s left reads "41 min" until 41 min are left.
    expect(nextTimeLeftChange(at('12:42:00'), at('12:00:30'))).toBe(at('12:01:00'));
    // Exactly 42 min left: "42 min" for one more minute.
    expect(nextTimeLeftChange(at('12:42:00'), at('12:00:00'))).toBe(at('12:01:00'));
    // Under a minute left: the next change is "expired".
    expect(nextTimeLeftChange(at('12:42:00'), at('12:41:20'))).toBe(at('12:42:00'));
    expect(nextTimeLeftChange(at('12:42:00'), at('12:42:00'))).toBeNull();
  });
});
