import { describe, expect, it } from 'vitest';
import { createLogger, formatLogLine } from './logger';

describe('operator log', () => {
  it('writes one readable line per event, quoting values with spaces', () => {
    expect(
      formatLogLine(Date.UTC(2026, 10, 29, 12), 'op-se', 'tab.opened', {
        tx: 'op-se.1.1',
        note: 'two words',
        none: undefined,
      }),
    ).toBe('2026-11-29T12:00:00.000Z op-se    tab.opened             tx=op-se.1.1 note="two words"');
  });

  it('holds the lines of a body until it returns, drops them when it throws, and lets a nested hold join the outer one', () => {
    const lines: string[] = [];
    const log = createLogger('op-se', 'info', (line) => lines.push(line));
    const result = log.heldUntilReturn(() => {
      log.info('outer');
      log.heldUntilReturn(() => log.info('inner'));
      expect(lines).toEqual([]);
      return 42;
    });
    expect(result).toBe(42);
    expect(lines.map((line) => line.split(/\s+/)[2])).toEqual(['outer', 'inner']);
    expect(() =>
      log.heldUntilReturn(() => {
        log.warn('undone');
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    log.info('after');
    expect(lines.map((line) => line.split(/\s+/)[2])).toEqual(['outer', 'inner', 'after']);
  });
});
