// What the benchmark's merchant sells: articles at 5 cents, the price the verification case
// assumes (5 chain steps when one link is worth one cent).

import type { CatalogueEntry } from '../../merchant-widget/agent';
import type { WireAmount } from '../../protocol/money/amount';

export const BENCH_MERCHANT_ID = 'bench-news';
export const BENCH_MERCHANT_CURRENCY = 'EUR';
export const ARTICLE_PRICE: WireAmount = { currency: BENCH_MERCHANT_CURRENCY, value: '0.05' };
export const ARTICLE_ID = 'article-5c';

export const BENCH_CATALOGUE: readonly CatalogueEntry[] = [{ itemId: ARTICLE_ID, title: 'A five-cent article', price: ARTICLE_PRICE.value }];
