import { describe, expect, it } from 'vitest';
import { afterCommitFault, KILL_AFTER_COMMIT_ENV, parseKillAfterCommit } from './fault-injection';

describe('kill-after-commit seam', () => {
  it('is off when the variable is unset or empty', () => {
    expect(parseKillAfterCommit(undefined)).toBeNull();
    expect(parseKillAfterCommit('')).toBeNull();
    let kills = 0;
    const fault = afterCommitFault({}, () => kills++);
    for (let i = 0; i < 5; i++) fault('/v1/peer/initiation');
    expect(kills).toBe(0);
  });

  it('reads <path>:<n>', () => {
    expect(parseKillAfterCommit('/v1/peer/initiation:2')).toEqual({ path: '/v1/peer/initiation', nth: 2 });
    expect(parseKillAfterCommit('/opentab/purchase:1')).toEqual({ path: '/opentab/purchase', nth: 1 });
  });

  it('refuses a malformed setting rather than run without the crash it asked for', () => {
    for (const text of ['purchase:1', '/v1/peer/initiation', '/v1/peer/initiation:0', '/a:-1', '/a:1.5', '/a b:1']) {
      expect(() => parseKillAfterCommit(text), text).toThrow(KILL_AFTER_COMMIT_ENV);
    }
  });

  it('kills exactly at the n-th answer on that path, counting no other path', () => {
    let kills = 0;
    const fault = afterCommitFault({ [KILL_AFTER_COMMIT_ENV]: '/opentab/purchase:3' }, () => kills++);
    fault('/opentab/purchase');
    fault('/opentab/terminate');
    fault('/opentab/purchase');
    expect(kills).toBe(0);
    fault('/opentab/purchase');
    expect(kills).toBe(1);
    fault('/opentab/purchase');
    expect(kills).toBe(1);
  });
});
