import { describe, expect, it } from 'vitest';
import { normalizeTypedDecimal, readTypedAmount } from './customer-amount';

describe('reading an amount the customer typed', () => {
  it('takes a decimal point or a decimal comma, and spaces or the other mark between thousands', () => {
    expect(
      [
        '12.50',
        '12,50',
        ' 12,5 ',
        '1 250,50',
        '1\u00a0250,50',
        '1\u202f250.50',
        '1,250.50',
        '1.250,50',
        '25',
        '1.250.000',
      ].map(normalizeTypedDecimal),
    ).toEqual(['12.50', '12.50', '12.5', '1250.50', '1250.50', '1250.50', '1250.50', '1250.50', '25', '1250000']);
  });

  it('refuses what is not one amount', () => {
    expect(['', '30,5 kr', '-5', '1,2,3', '12,50.1.2', '1 25,50', 'ten', '1e3'].map(normalizeTypedDecimal)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('reads it in the account currency, and says how to write one it cannot read', () => {
    expect(readTypedAmount('SEK', '12,50', 'The daily cap')).toEqual({
      ok: true,
      money: { currency: 'SEK', minor: 1250n },
    });
    expect(readTypedAmount('SEK', '12,505', 'The daily cap')).toEqual({
      ok: false,
      problem: 'The daily cap must be an amount in SEK such as 25, 25.50 or 25,50.',
    });
  });
});
