import { describe, expect, it } from 'vitest';
import { describeRateSource, shortDate } from './rate-source-text';

describe('a rate source as a customer reads it', () => {
  it('names the publisher and the day, and says when the rates are only a sample', () => {
    expect(describeRateSource({ publisher: 'ecb', publishedOn: '2024-06-28', sample: false })).toBe(
      'ECB rate of 28 Jun 2024',
    );
    expect(describeRateSource({ publisher: 'ecb', publishedOn: '2024-06-28', sample: true })).toBe(
      'Sample ECB rate from 28 Jun 2024',
    );
    expect(describeRateSource({ publisher: 'operator', publishedOn: '2025-01-02', sample: false })).toBe(
      "Operator's rate of 2 Jan 2025",
    );
  });

  it('says so when a table does not state its source', () => {
    expect(describeRateSource(undefined)).toBe('Rate of unstated date');
    expect(describeRateSource(null)).toBe('Rate of unstated date');
  });

  it('writes days without leading zeros, months by name', () => {
    expect(['2024-01-01', '2024-12-31', '2024-09-09'].map(shortDate)).toEqual([
      '1 Jan 2024',
      '31 Dec 2024',
      '9 Sep 2024',
    ]);
  });
});
