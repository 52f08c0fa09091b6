import { describe, expect, it } from 'vitest';
import { parseSizeList, sizeLabel } from './sizes';

describe('sizeLabel', () => {
  it('spells whole thousands with k and whole millions with M', () => {
    expect([1_000, 10_000, 100_000, 1_000_000, 2_000_000, 1_500_000].map(sizeLabel)).toEqual([
      '1k',
      '10k',
      '100k',
      '1M',
      '2M',
      '1500k',
    ]);
  });

  it('leaves other sizes as numbers', () => {
    expect([1, 999, 2_500].map(sizeLabel)).toEqual(['1', '999', '2500']);
  });
});

describe('parseSizeList', () => {
  it('reads plain numbers and k and M suffixes, in order', () => {
    expect(parseSizeList('1k,100k,1M')).toEqual([1_000, 100_000, 1_000_000]);
    expect(parseSizeList(' 5 , 2500,3M ')).toEqual([5, 2_500, 3_000_000]);
  });

  it('gives back what sizeLabel spells', () => {
    const sizes = [7, 1_000, 250_000, 4_000_000];
    expect(parseSizeList(sizes.map(sizeLabel).join(','))).toEqual(sizes);
  });

  it('refuses what is not a size, naming it', () => {
    expect(() => parseSizeList('1k,lots')).toThrow('"lots" is not a size');
    expect(() => parseSizeList('1K')).toThrow('"1K" is not a size');
    expect(() => parseSizeList('1.5M')).toThrow('"1.5M" is not a size');
    expect(() => parseSizeList('-3')).toThrow('"-3" is not a size');
    expect(() => parseSizeList('')).toThrow('"" is not a size');
    expect(() => parseSizeList('0')).toThrow('"0" is not a size of at least 1');
  });

  it('refuses sizes out of order or repeated: the first is what the others are compared with', () => {
    expect(() => parseSizeList('100k,1k')).toThrow('smallest first without repeats: 1k after 100k');
    expect(() => parseSizeList('1k,1000')).toThrow('1k after 1k');
  });
});
