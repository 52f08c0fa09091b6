// The step most scenarios start from: the first article bought at the shop opens the
// confirmation window, which the reader approves with an allowance so that the tab opens and
// later tabs here open without a prompt.

import type { BrowserContext } from '@playwright/test';
import { nextConfirmWindow } from './confirm-window';
import type { ShopPage } from './shop-page';

export async function buyFirstArticleApprovingAllowance(
  context: BrowserContext,
  shop: ShopPage,
  itemId: string,
): Promise<string> {
  await shop.openArticle(itemId);
  const confirming = nextConfirmWindow(context);
  await shop.clickPay(itemId);
  await (await confirming).approveWithAllowance();
  return shop.unlockedText(itemId);
}
