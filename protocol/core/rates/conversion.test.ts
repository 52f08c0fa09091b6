import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chargeInCustomerCurrency,
  depositInMerchantCurrency,
  describeRate,
  lockRate,
  merchantToCustomer,
  minorUnitRatio,
} from './conversion';

// The ECB's reference rates of 28 June 2024 (operator-server/data/), the ones the demo world serves.
const table = {
  id: '0123456789abcdef0123456789abcdef',
  base: 'EUR',
  rates: { SEK: '11.3595', USD: '1.0705', JPY: '171.94' },
};

describe('conversion with a locked rate (SEK customer, EUR merchant)', () => {
  const rate = lockRate(table, 'SEK', 'EUR')!;

  it('locks both per-base quotes of the table', () => {
    expect(rate).toEqual({
      tableId: table.id,
      base: 'EUR',
      customer: { currency: 'SEK', perBase: '11.3595' },
      merchant: { currency: 'EUR', perBase: '1' },
    });
    expect(minorUnitRatio(rate)).toEqual({ numerator: 10000n, denominator: 113595n });
  });

  it('floors the deposit and rounds the charge half-even, as computed by hand', () => {
    // 100.00 SEK = 10000 öre; × 1/11.3595 = 880.32… cents → 880 cents = 8.80 EUR.
    expect(depositInMerchantCurrency(10000n, rate)).toBe(880n);
    // 8.80 EUR spent: 880 × 11.3595 = 9996.36 öre → 9996 öre = 99.96 SEK, 0.04 SEK released.
    expect(chargeInCustomerCurrency(880n, rate, 10000n)).toBe(9996n);
    // 0.05 EUR: 5 × 11.3595 = 56.7975 → 57 öre.
    expect(merchantToCustomer(5n, rate)).toBe(57n);
    // 0.02 EUR: 22.719 → 23; 0.10 EUR: 113.595 → 114.
    expect(merchantToCustomer(2n, rate)).toBe(23n);
    expect(merchantToCustomer(10n, rate)).toBe(114n);
  });

  it('never charges more than the hold', () => {
    expect(chargeInCustomerCurrency(881n, rate, 10000n)).toBe(10000n);
  });

  it('describes the rate for people: one unit of the merchant currency in the customer currency', () => {
    expect(describeRate(rate)).toBe('1 EUR = 11.3595 SEK');
    expect(describeRate(lockRate(table, 'EUR', 'SEK')!)).toBe('1 SEK = 0.088032 EUR');
    // 11.3595 / 171.94 = 0.0660666… SEK a yen, to 4 significant digits.
    expect(describeRate(lockRate(table, 'SEK', 'JPY')!, 4)).toBe('1 JPY = 0.06607 SEK');
    expect(describeRate(lockRate(table, 'JPY', 'SEK')!)).toBe('1 SEK = 15.1362 JPY');
  });

  it('drops the trailing zeros of a described rate, exactly, and keeps those of whole numbers', () => {
    const quoted = (sekPerEur: string) =>
      lockRate({ id: table.id, base: 'EUR', rates: { SEK: sekPerEur } }, 'SEK', 'EUR')!;
    expect(describeRate(quoted('10.5'))).toBe('1 EUR = 10.5 SEK');
    expect(describeRate(quoted('10'))).toBe('1 EUR = 10 SEK');
    expect(describeRate(quoted('100.0000'))).toBe('1 EUR = 100 SEK');
    // 9.9999996 rounds to 10.0000 at six significant digits: shown as 10.
    expect(describeRate(quoted('9.9999996'))).toBe('1 EUR = 10 SEK');
    expect(describeRate(quoted('1000000.5'))).toBe('1 EUR = 1000000 SEK');
  });
});

describe('cross rates through the base, rounded once', () => {
  it('converts SEK to JPY (exponent 2 → 0) and USD to KWD (2 → 3) exactly', () => {
    const sekJpy = lockRate(table, 'SEK', 'JPY')!;
    // 100.00 SEK × 171.94 / 11.3595 = 1513.62… → 1513 JPY.
    expect(depositInMerchantCurrency(10000n, sekJpy)).toBe(1513n);
    // 1513 JPY back: 1513 × 11.3595 / 171.94 × 100 = 9995.9… öre → 9996.
    expect(chargeInCustomerCurrency(1513n, sekJpy, 10000n)).toBe(9996n);
    const withKwd = { ...table, rates: { ...table.rates, KWD: '0.3285' } };
    const usdKwd = lockRate(withKwd, 'USD', 'KWD')!;
    // 10.00 USD × 0.3285 / 1.0705 = 3.06866… KWD → 3.068 KWD (floor, in fils).
    expect(depositInMerchantCurrency(1000n, usdKwd)).toBe(3068n);
  });

  it('treats the base currency as 1 and the same currency as identity', () => {
    const eurEur = lockRate(table, 'EUR', 'EUR')!;
    expect(depositInMerchantCurrency(12345n, eurEur)).toBe(12345n);
    expect(chargeInCustomerCurrency(12345n, eurEur, 12345n)).toBe(12345n);
    const sekSek = lockRate(table, 'SEK', 'SEK')!;
    expect(depositInMerchantCurrency(777n, sekSek)).toBe(777n);
  });

  it('returns null for a currency the table does not quote', () => {
    expect(lockRate(table, 'SEK', 'ARS')).toBeNull();
  });

  it('keeps charge(deposit(hold)) within the hold and the deposit within the exact product', () => {
    const currencies = Object.keys(table.rates).concat('EUR');
    fc.assert(
      fc.property(
        fc.constantFrom(...currencies),
        fc.constantFrom(...currencies),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        (c, m, hold) => {
          const rate = lockRate(table, c, m)!;
          const { numerator, denominator } = minorUnitRatio(rate);
          const deposit = depositInMerchantCurrency(hold, rate);
          expect(deposit * denominator <= hold * numerator).toBe(true);
          expect((deposit + 1n) * denominator > hold * numerator).toBe(true);
          const charge = chargeInCustomerCurrency(deposit, rate, hold);
          expect(charge <= hold && charge >= 0n).toBe(true);
          // Spending more never costs less.
          expect(chargeInCustomerCurrency(deposit / 2n, rate, hold) <= charge).toBe(true);
        },
      ),
    );
  });
});
