// The merchant's own price list. The agent is the only authority on prices: a purchase is
// accepted only at exactly the price listed here, never at a price the page or customer names.

import type { CatalogueItemInfo, MerchantInfo } from '@opentab/protocol';
import { moneyToWire, parseWireAmount, type Money, type WireAmount } from '@opentab/protocol';
import { greatestCommonDivisor } from '@opentab/protocol';
import * as v from 'valibot';
import {
  AccessPeriod_s,
  ItemId,
  ItemTitle,
  ITEM_TITLE_MAX_LENGTH,
  MAX_ACCESS_S,
  MIN_ACCESS_S,
} from '@opentab/protocol';

export type ItemKind = CatalogueItemInfo['kind'];

/** One item as the merchant declares it in its configuration: price in its own currency, e.g. "0.05". */
export interface CatalogueEntry {
  readonly itemId: string;
  readonly title: string;
  readonly price: string;
  /**
   * 'entitlement' (the default): bought once, then open to the buyer for `access_s`; the wallet
   * answers a second pay for it with the access token it holds and charges nothing.
   * 'consumable': sold every time it is paid for (a tip, a credit, a single download).
   */
  readonly kind?: ItemKind;
  /** An entitlement's access period in seconds, one hour to ten years. Default 30 days. Entitlements only. */
  readonly access_s?: number;
}

/** How long a purchase of the item opens it. */
export type ItemAccess = { readonly kind: 'entitlement'; readonly access_s: number } | { readonly kind: 'consumable' };

export interface CatalogueItem {
  readonly itemId: string;
  readonly title: string;
  readonly price: Money;
  /** The one spelling of the price on the wire; purchases must quote exactly this. */
  readonly wirePrice: WireAmount;
  readonly access: ItemAccess;
}

export const DEFAULT_ACCESS_S = 30 * 86_400;
const ENTRY_KEYS = ['itemId', 'title', 'price', 'kind', 'access_s'];

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
  static fromEntries(
    currency: string,
    entries: readonly CatalogueEntry[],
  ): { ok: true; catalogue: Catalogue } | { ok: false; problems: string[] } {
    const problems: string[] = [];
    if (!Array.isArray(entries) || entries.length === 0)
      return { ok: false, problems: ['catalogue must list at least one item'] };
    if (entries.length > MAX_ITEMS) problems.push(`catalogue may list at most ${MAX_ITEMS} items`);
    const items = new Map<string, CatalogueItem>();
    const seenIds = new Set<string>();
    entries.forEach((entry, index) => {
      const where = `catalogue[${index}]`;
      if (!v.is(ItemId, entry?.itemId)) return problems.push(`${where}.itemId must be 1-128 of A-Z, a-z, 0-9, . _ : -`);
      if (seenIds.has(entry.itemId)) return problems.push(`${where}.itemId ${entry.itemId} is listed twice`);
      seenIds.add(entry.itemId);
      if (!v.is(ItemTitle, entry.title))
        return problems.push(
          `${where}.title must be 1-${ITEM_TITLE_MAX_LENGTH} characters of plain text (no control characters or bidirectional formatting marks)`,
        );
      const parsed = typeof entry.price === 'string' ? parseWireAmount({ currency, value: entry.price }) : null;
      if (parsed === null || !parsed.ok)
        return problems.push(`${where}.price must be a decimal string in ${currency}, e.g. "0.05"`);
      if (parsed.money.minor === 0n) return problems.push(`${where}.price must be greater than zero`);
      const access = accessOf(entry, where);
      if (typeof access === 'string') return problems.push(access);
      const unknownKey = Object.keys(entry).find((key) => !ENTRY_KEYS.includes(key));
      if (unknownKey !== undefined)
        return problems.push(`${where}.${unknownKey.slice(0, 40)} is not an item setting (${ENTRY_KEYS.join(', ')})`);
      items.set(entry.itemId, {
        itemId: entry.itemId,
        title: entry.title,
        price: parsed.money,
        wirePrice: moneyToWire(parsed.money),
        access,
      });
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
    return this.list().map((item): CatalogueItemInfo => {
      const listed = { itemId: item.itemId, title: item.title, price: item.wirePrice };
      return item.access.kind === 'entitlement'
        ? { ...listed, kind: 'entitlement', access_s: item.access.access_s }
        : { ...listed, kind: 'consumable' };
    });
  }
}

/** The entry's kind and access period with the defaults filled in, or the sentence that says what is wrong. */
function accessOf(entry: CatalogueEntry, where: string): ItemAccess | string {
  const kind: unknown = entry.kind ?? 'entitlement';
  if (kind === 'consumable') {
    return entry.access_s === undefined
      ? { kind }
      : `${where}.access_s applies only to entitlements: a consumable is sold each time`;
  }
  if (kind !== 'entitlement') return `${where}.kind must be 'entitlement' or 'consumable'`;
  const access_s: unknown = entry.access_s ?? DEFAULT_ACCESS_S;
  if (!v.is(AccessPeriod_s, access_s))
    return `${where}.access_s must be a whole number of seconds from ${MIN_ACCESS_S} (one hour) to ${MAX_ACCESS_S} (ten years)`;
  return { kind, access_s };
}

/** An item as its entry in the configuration would declare it. */
export function entryOf(item: CatalogueItem): CatalogueEntry {
  const listed = { itemId: item.itemId, title: item.title, price: item.wirePrice.value };
  return item.access.kind === 'entitlement'
    ? { ...listed, kind: 'entitlement', access_s: item.access.access_s }
    : { ...listed, kind: 'consumable' };
}

/**
 * The catalogue the agent sells from, editable while it runs (the merchant dashboard): each edit
 * makes a whole new Catalogue, checked as the configuration's is, and takes its place at once. A
 * purchase is checked against the catalogue as it is when the purchase arrives, so a new price
 * applies to purchases made after it; one quoting the old price is refused with price_mismatch,
 * whose sentence names the new one. A tab keeps the chain unit it opened with.
 */
export class LiveCatalogue {
  private current: Catalogue;

  constructor(initial: Catalogue) {
    this.current = initial;
  }

  /** The catalogue as it is now; a new object after every edit. */
  get snapshot(): Catalogue {
    return this.current;
  }

  get currency(): string {
    return this.current.currency;
  }

  get chainUnit(): Money {
    return this.current.chainUnit;
  }

  item(itemId: string): CatalogueItem | undefined {
    return this.current.item(itemId);
  }

  list(): CatalogueItem[] {
    return this.current.list();
  }

  toMerchantInfoCatalogue(): MerchantInfo['catalogue'] {
    return this.current.toMerchantInfoCatalogue();
  }

  /** The catalogue with `edits` applied (each adds an item or replaces the one of its id), or what is wrong. */
  withEdits(edits: readonly CatalogueEntry[]): { ok: true; catalogue: Catalogue } | { ok: false; problems: string[] } {
    const byId = new Map(this.current.list().map((item) => [item.itemId, entryOf(item)]));
    for (const edit of edits) byId.set(edit.itemId, edit);
    return Catalogue.fromEntries(this.currency, [...byId.values()]);
  }

  replace(next: Catalogue): void {
    this.current = next;
  }
}
