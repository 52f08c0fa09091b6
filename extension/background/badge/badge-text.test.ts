import { describe, expect, it } from 'vitest';
import { badgeText } from './badge-text';

describe('badgeText', () => {
  it.each([
    [0n, 'SEK', '0'],
    [5n, 'SEK', '0.05'],
    [345n, 'SEK', '3.45'],
    [1_239n, 'SEK', '12.3'],
    [12_399n, 'SEK', '123'],
    [123_456n, 'SEK', '1.2k'],
    [2_500_000n, 'SEK', '25k'],
    [12_000_000_00n, 'SEK', '12M'],
    [7n, 'JPY', '7'],
    [1_999n, 'KWD', '1.99'],
  ])('%s minor %s shows as %s (at most four characters, never rounded up)', (minor, currency, text) => {
    expect(badgeText(minor, currency)).toBe(text);
    expect(text.length).toBeLessThanOrEqual(4);
  });
});
