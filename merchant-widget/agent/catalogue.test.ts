import { describe, expect, it } from 'vitest';
import { Catalogue, chainUnitOf } from './catalogue';

const entries = (...prices: string[]) => prices.map((price, i) => ({ itemId: `item-${i}`, title: `Item ${i}`, price }));

function unitOf(currency: string, ...prices: string[]) {
  const built = Catalogue.fromEntries(currency, entries(...prices));
  if (!built.ok) throw new Error(built.problems.join('; '));
  return built.catalogue.chainUnit;
}

describe('the chain unit of a catalogue', () => {
  it('is the greatest common divisor of the prices in minor units', () => {
    expect(chainUnitOf([5n])).toBe(5n);
    expect(chainUnitOf([5n, 10n, 25n])).toBe(5n);
    expect(chainUnitOf([10n, 15n, 100n])).toBe(5n);
    expect(chainUnitOf([20n, 50n, 100n])).toBe(10n);
    expect(chainUnitOf([5n, 7n])).toBe(1n);
    expect(chainUnitOf([100n, 250n])).toBe(50n);
  });

  it('divides every price, and nothing larger does', () => {
    const prices = [30n, 45n, 120n, 75n];
    const unit = chainUnitOf(prices);
    expect(prices.every((price) => price % unit === 0n)).toBe(true);
    for (let larger = unit + 1n; larger <= 30n; larger++)
      expect(prices.every((price) => price % larger === 0n)).toBe(false);
  });

  it('refuses a list without a price above zero', () => {
    expect(() => chainUnitOf([])).toThrow();
    expect(() => chainUnitOf([0n])).toThrow();
  });

  it('is published in the catalogue currency', () => {
    expect(unitOf('EUR', '0.05')).toEqual({ currency: 'EUR', minor: 5n });
    expect(unitOf('EUR', '0.05', '0.10', '0.25', '1.20')).toEqual({ currency: 'EUR', minor: 5n });
    expect(unitOf('EUR', '0.05', '0.07')).toEqual({ currency: 'EUR', minor: 1n });
    expect(unitOf('JPY', '100', '250')).toEqual({ currency: 'JPY', minor: 50n });
  });
});
