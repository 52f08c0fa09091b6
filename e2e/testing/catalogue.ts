// The demo shop's catalogue as the tests use it: which articles to buy and what each unlocks.

import { ARTICLES, type Article } from '@opentab/demo-shop';
import { parseMoney } from '@opentab/protocol';

export function article(itemId: string): Article {
  const found = ARTICLES.find((candidate) => candidate.itemId === itemId);
  if (found === undefined) throw new Error(`the demo shop sells no ${itemId}`);
  return found;
}

/** article-<from> … article-<to>, in order. */
export function articleIds(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `article-${from + i}`);
}

/** The sum of the articles' prices, in cents. */
export function totalCents(itemIds: readonly string[]): bigint {
  return itemIds.reduce((sum, itemId) => sum + parseMoney('EUR', article(itemId).price).minor, 0n);
}
