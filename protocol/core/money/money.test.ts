import currencyCodes from 'currency-codes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MINOR_UNITS, moneyToWire, parseMoney, parsedAmount, parseWireAmount } from './amount';
import { allCurrencyCodes, currencyExponent, isCurrencyCode } from './iso4217';
import { divideFloor, divideRoundHalfEven, greatestCommonDivisor } from './rounding';

describe('ISO 4217 table', () => {
  it('matches the currency-codes package for every code with a minor unit', () => {
    const notApplicable = new Set([
      'XAG',
      'XAU',
      'XBA',
      'XBB',
      'XBC',
      'XBD',
      'XDR',
      'XPD',
      'XPT',
      'XSU',
      'XTS',
      'XUA',
      'XXX',
    ]);
    const expected = currencyCodes.data.filter((c) => !notApplicable.has(c.code));
    expect(allCurrencyCodes().sort()).toEqual(expected.map((c) => c.code).sort());
    for (const c of expected) expect(currencyExponent(c.code), c.code).toBe(c.digits);
  });

  it('knows the usual exponents and refuses unknown codes', () => {
    expect([
      currencyExponent('EUR'),
      currencyExponent('SEK'),
      currencyExponent('JPY'),
      currencyExponent('KWD'),
      currencyExponent('CLF'),
    ]).toEqual([2, 2, 0, 3, 4]);
    expect(isCurrencyCode('XAU')).toBe(false);
    expect(isCurrencyCode('eur')).toBe(false);
    expect(() => currencyExponent('ABC')).toThrow(/unknown/);
  });
});

describe('amount parsing', () => {
  it('parses exact decimals into minor units', () => {
    expect(parseMoney('EUR', '0.05').minor).toBe(5n);
    expect(parseMoney('EUR', '12').minor).toBe(1200n);
    expect(parseMoney('EUR', '12.3').minor).toBe(1230n);
    expect(parseMoney('JPY', '150').minor).toBe(150n);
    expect(parseMoney('KWD', '1.005').minor).toBe(1005n);
    expect(parseMoney('EUR', '92233720368547758.07').minor).toBe(MAX_MINOR_UNITS);
  });

  it.each([
    ['EUR', '0.005', 'too_many_decimals'],
    ['JPY', '1.0', 'too_many_decimals'],
    ['EUR', '-1', 'not_a_decimal'],
    ['EUR', '+1', 'not_a_decimal'],
    ['EUR', '1e3', 'not_a_decimal'],
    ['EUR', '.5', 'not_a_decimal'],
    ['EUR', '5.', 'not_a_decimal'],
    ['EUR', '01', 'not_a_decimal'],
    ['EUR', ' 1', 'not_a_decimal'],
    ['EUR', 'NaN', 'not_a_decimal'],
    ['EUR', 'Infinity', 'not_a_decimal'],
    ['EUR', '', 'not_a_decimal'],
    ['EUR', '1,5', 'not_a_decimal'],
    ['EUR', '0x10', 'not_a_decimal'],
    ['EUR', '92233720368547758.08', 'too_large'],
    ['XXX', '1', 'unknown_currency'],
    ['eur', '1', 'unknown_currency'],
  ])('refuses %s %j (%s)', (currency, value, problem) => {
    expect(parseWireAmount({ currency, value })).toEqual({ ok: false, problem });
  });

  it('formats with the full number of decimals and round-trips every amount', () => {
    expect(moneyToWire(parseMoney('EUR', '1.5'))).toEqual({ currency: 'EUR', value: '1.50' });
    expect(moneyToWire(parseMoney('JPY', '7'))).toEqual({ currency: 'JPY', value: '7' });
    expect(moneyToWire(parseMoney('EUR', '0'))).toEqual({ currency: 'EUR', value: '0.00' });
    const currencies = fc.constantFrom('EUR', 'SEK', 'JPY', 'KWD', 'CLF');
    fc.assert(
      fc.property(currencies, fc.bigInt({ min: 0n, max: MAX_MINOR_UNITS }), (currency, minor) => {
        const wire = moneyToWire({ currency, minor });
        expect(parseMoney(currency, wire.value).minor).toBe(minor);
      }),
    );
  });

  it('refuses any string with more decimals than the currency allows', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('EUR', 'JPY', 'KWD'),
        fc.nat(),
        fc.integer({ min: 1, max: 5 }),
        (currency, whole, extra) => {
          const decimals = currencyExponent(currency) + extra;
          const value = `${whole}.${'0'.repeat(decimals - 1)}1`;
          expect(parseWireAmount({ currency, value })).toEqual({ ok: false, problem: 'too_many_decimals' });
        },
      ),
    );
  });
});

describe('an amount read once', () => {
  it('keeps the spelling as sent beside its value in minor units', () => {
    const wire = { currency: 'EUR', value: '0.50' };
    const price = parsedAmount(wire);
    expect(price).toEqual({ wire: { currency: 'EUR', value: '0.50' }, minor: 50n });
    // Its own copy: the sender's object changing later changes nothing here.
    expect(price.wire).not.toBe(wire);
    expect(parsedAmount({ currency: 'JPY', value: '150' }).minor).toBe(150n);
  });

  it('refuses what no schema would have let through', () => {
    expect(() => parsedAmount({ currency: 'EUR', value: '0.001' })).toThrow(RangeError);
    expect(() => parsedAmount({ currency: 'XXY', value: '1' })).toThrow(RangeError);
  });
});

describe('rounding', () => {
  it('rounds half to even and floors', () => {
    expect([5n, 15n, 25n, 35n].map((n) => divideRoundHalfEven(n, 10n))).toEqual([0n, 2n, 2n, 4n]);
    expect(divideRoundHalfEven(26n, 10n)).toBe(3n);
    expect(divideRoundHalfEven(24n, 10n)).toBe(2n);
    expect(divideFloor(29n, 10n)).toBe(2n);
    expect(() => divideFloor(-1n, 10n)).toThrow();
    expect(() => divideRoundHalfEven(1n, 0n)).toThrow();
  });

  it('never strays more than half a unit from the exact quotient', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.bigInt({ min: 1n, max: 10n ** 20n }), (n, d) => {
        const q = divideRoundHalfEven(n, d);
        const distanceTwice = 2n * (q * d - n);
        expect(distanceTwice <= d && distanceTwice >= -d).toBe(true);
        expect(divideFloor(n, d) * d <= n && (divideFloor(n, d) + 1n) * d > n).toBe(true);
      }),
    );
  });

  it('finds the greatest common divisor', () => {
    expect(greatestCommonDivisor(10n, 25n)).toBe(5n);
    expect(greatestCommonDivisor(7n, 5n)).toBe(1n);
    expect(greatestCommonDivisor(0n, 15n)).toBe(15n);
    expect(greatestCommonDivisor(15n, 0n)).toBe(15n);
    expect(() => greatestCommonDivisor(-5n, 10n)).toThrow();
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), (a, b) => {
        const g = greatestCommonDivisor(a, b);
        expect(a % g === 0n && b % g === 0n).toBe(true);
        // Nothing larger divides both: the quotients share no factor.
        expect(greatestCommonDivisor(a / g, b / g)).toBe(1n);
      }),
    );
  });
});
