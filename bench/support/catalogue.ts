// What the benchmark's merchant sells: articles at 5 cents. Its chain unit, like any merchant
// agent's, is the greatest common divisor of its prices: 5 cents, so one purchase reveals one link.

import type { CatalogueEntry } from '@opentab/merchant-agent';
import { chainUnitOf } from '@opentab/merchant-agent';
import { moneyToWire, parseWireAmount, type WireAmount } from '@opentab/protocol';

export const BENCH_MERCHANT_ID = 'bench-news';
export const BENCH_MERCHANT_CURRENCY = 'EUR';
export const ARTICLE_PRICE: WireAmount = { currency: BENCH_MERCHANT_CURRENCY, value: '0.05' };
export const ARTICLE_ID = 'article-5c';

export const BENCH_CATALOGUE: readonly CatalogueEntry[] = [
  { itemId: ARTICLE_ID, title: 'A five-cent article', price: ARTICLE_PRICE.value },
];

function minorOf(amount: WireAmount): bigint {
  const parsed = parseWireAmount(amount);
  if (!parsed.ok) throw new Error(`bench catalogue: ${amount.value} ${amount.currency} is not an amount`);
  return parsed.money.minor;
}

/** The unit the bench merchant agent publishes in its MerchantInfo, in minor units. */
export const BENCH_CHAIN_UNIT_MINOR = chainUnitOf(
  BENCH_CATALOGUE.map((entry) => minorOf({ currency: BENCH_MERCHANT_CURRENCY, value: entry.price })),
);
export const BENCH_CHAIN_UNIT: WireAmount = moneyToWire({
  currency: BENCH_MERCHANT_CURRENCY,
  minor: BENCH_CHAIN_UNIT_MINOR,
});
/** Links one purchase of the article reveals at the merchant's unit. */
export const ARTICLE_STEPS = Number(minorOf(ARTICLE_PRICE) / BENCH_CHAIN_UNIT_MINOR);
/** Links it would reveal at one minor unit a link, the unit every tab had before merchants published theirs. */
export const ARTICLE_STEPS_AT_ONE_MINOR_UNIT = Number(minorOf(ARTICLE_PRICE));
