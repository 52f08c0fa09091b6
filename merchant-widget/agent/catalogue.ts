// The merchant's own price list. The agent is the only authority on prices: a purchase is
// accepted only at exactly the price listed here, never at a price the page or customer names.

import type { MerchantInfo } from '../../protocol/messages/merchant';
import { moneyToWire, parseWireAmount, type Money, type WireAmount } from '../../protocol/money/amount';
import { greatestCommonDivisor } from '../../protocol/money/rounding';
import * as v from 'valibot';
import { ItemId, ItemTitle, ITEM_TITLE_MAX_LENGTH } from '../../protocol/messages/primitives';

/** One item as the merchant declares it in its configuration: price in its own currency, e.g. "0.05". */
export interface CatalogueEntry {
  readonly itemId: string;
  readonly title: string;
  readonly price: string;
}

export interface CatalogueItem {
  readonly itemId: string;
  readonly title: string;
  readonly price: Money;
  /** The one spelling of the price on the wire; purchases must quote exactly this. */
  readonly wirePrice: WireAmount;
}

/**
 * The chain unit this merchant publishes: the greatest common divisor of its prices (minor
 * units), the largest value one hash-chain link can stand for while every price stays a whole
 * number of links. A catalogue of 5-, 10- and 25-cent items has a 5-cent unit, so a 5-cent
 * purchase reveals one link and costs the agent one SHA-256 call to check, not five.
 */
export function chainUnitOf(prices_minor: readonly bigint[]): bigint {
  const unit = prices_minor.reduce(greatestCommonDivisor, 0n);
  if (unit === 0n) throw new RangeError('chainUnitOf: needs at least one price above zero');
  return unit;
}

const MAX_ITEMS = 10_000;

export class Catalogue {
  /** One hash-chain link's worth in this currency (see chainUnitOf); published in MerchantInfo. */
  readonly chainUnit: Money;

  private constructor(
    readonly currency: string,
    private readonly items: ReadonlyMap<string, CatalogueItem>,
  ) {
    this.chainUnit = { currency, minor: chainUnitOf([...items.values()].map((item) => item.price.minor)) };
  }

  /** Returns the catalogue or the list of problems, so a bad configuration names every mistake at once. */
  static fromEntries(currency: string, entries: readonly CatalogueEntry[]): { ok: true; catalogue: Catalogue } | { ok: false; problems: string[] } {
    const problems: string[] = [];
    if (!Array.isArray(entries) || entries.length === 0) return { ok: false, problems: ['catalogue must list at least one item'] };
    if (entries.length > MAX_ITEMS) problems.push(`catalogue may list at most ${MAX_ITEMS} items`);
    const items = new Map<string, CatalogueItem>();
    const seenIds = new Set<string>();
    entries.forEach((entry, index) => {
      const where = `catalogue[${index}]`;
      if (!v.is(ItemId, entry?.itemId)) return problems.push(`${where}.itemId must be 1-128 of A-Z, a-z, 0-9, . _ : -`);
      if (seenIds.has(entry.itemId)) return problems.push(`${where}.itemId ${entry.itemId} is listed twice`);
      seenIds.add(entry.itemId);
      if (!v.is(ItemTitle, entry.title)) return problems.push(`${where}.title must be 1-${ITEM_TITLE_MAX_LENGTH} characters of plain text (no control characters or bidirectional formatting marks)`);
      const parsed = typeof entry.price === 'string' ? parseWireAmount({ currency, value: entry.price }) : null;
      if (parsed === null || !parsed.ok) return problems.push(`${where}.price must be a decimal string in ${currency}, e.g. "0.05"`);
      if (parsed.money.minor === 0n) return problems.push(`${where}.price must be greater than zero`);
      items.set(entry.itemId, { itemId: entry.itemId, title: entry.title, price: parsed.money, wirePrice: moneyToWire(parsed.money) });
      return undefined;
    });
    return problems.length > 0 ? { ok: false, problems } : { ok: true, catalogue: new Catalogue(currency, items) };
  }

  item(itemId: string): CatalogueItem | undefined {
    return this.items.get(itemId);
  }

  list(): CatalogueItem[] {
    return [...this.items.values()];
  }

  toMerchantInfoCatalogue(): MerchantInfo['catalogue'] {
    return this.list().map((item) => ({ itemId: item.itemId, title: item.title, price: item.wirePrice }));
  }
}
