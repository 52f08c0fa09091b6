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

  it('holds the lines of a body until it resolves, drops them when it rejects, and lets a nested hold join the outer one', async () => {
    const lines: string[] = [];
    const events = () => lines.map((line) => line.split(/\s+/)[2]);
    const log = createLogger('op-se', 'info', (line) => lines.push(line));
    const result = await log.heldUntilSettled(async () => {
      log.info('outer');
      await log.heldUntilSettled(async () => log.info('inner'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines).toEqual([]);
      return 42;
    });
    expect(result).toBe(42);
    expect(events()).toEqual(['outer', 'inner']);
    await expect(
      log.heldUntilSettled(async () => {
        log.warn('undone');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    log.info('after');
    expect(events()).toEqual(['outer', 'inner', 'after']);
  });

  it('holds only the lines of the held body, not those of other work running while it awaits', async () => {
    const lines: string[] = [];
    const events = () => lines.map((line) => line.split(/\s+/)[2]);
    const log = createLogger('op-se', 'info', (line) => lines.push(line));
    let resume = () => {};
    const paused = new Promise<void>((resolve) => (resume = resolve));
    const held = log.heldUntilSettled(async () => {
      log.info('held');
      await paused;
    });
    log.info('elsewhere');
    expect(events()).toEqual(['elsewhere']);
    resume();
    await held;
    expect(events()).toEqual(['elsewhere', 'held']);
  });
});
