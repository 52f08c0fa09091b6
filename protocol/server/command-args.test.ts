import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from './command-args';

const options = {
  'public-key': { type: 'string' },
  out: { type: 'string', short: 'o' },
  force: { type: 'boolean' },
} as const;

describe('parseCommandArgs', () => {
  it('reads a value that starts with a dash as the value of its option', () => {
    const { values } = parseCommandArgs({ args: ['--public-key', '-Qx9_a', '--out', '-'], options, strict: true });
    expect(values).toEqual({ 'public-key': '-Qx9_a', out: '-' });
  });

  it('still refuses an option whose value is missing because another option follows', () => {
    expect(() => parseCommandArgs({ args: ['--out', '--force'], options, strict: true })).toThrow(
      /argument missing|ambiguous/,
    );
    expect(() => parseCommandArgs({ args: ['--public-key', '-o', 'file'], options, strict: true })).toThrow(
      /ambiguous/,
    );
  });

  it('leaves the other forms as parseArgs reads them', () => {
    const { values } = parseCommandArgs({
      args: ['--public-key=-abc', '-o', 'file', '--force'],
      options,
      strict: true,
    });
    expect(values).toEqual({ 'public-key': '-abc', out: 'file', force: true });
  });
});
