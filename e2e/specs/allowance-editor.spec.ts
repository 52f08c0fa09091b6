// Scenario: the reader edits a shop's budget (its allowance) in the options page and the next tab
// there follows it. The first purchase set 20.00 SEK; a figure that is no amount is refused and
// changes nothing; "12,50", as a Swede writes it, is taken. The next tab's default deposit of
// 20.00 SEK is over that budget, so Opentab asks; with a default deposit of "10,00" the next tab
// opens without asking and holds exactly that.

import { DEMO_DISPLAY_NAME } from '@opentab/demo-shop';
import { countConfirmWindows, nextConfirmWindow } from '../pages/confirm-window';
import { buyFirstArticleApprovingAllowance } from '../pages/first-purchase';
import { expect, test } from '../fixtures/test';
import { article } from '../testing/catalogue';
import { customerAccount } from '../testing/operator-views';

test('a budget edited in the options page, in the reader’s locale, decides the next tab', async ({
  context,
  wallet,
  shop,
  world,
}) => {
  const { popup, options } = wallet;
  await buyFirstArticleApprovingAllowance(context, shop, 'article-1');
  await popup.reload();
  await popup.closeTab(DEMO_DISPLAY_NAME);

  await options.reload();
  const row = options.merchantRow(DEMO_DISPLAY_NAME);
  const budget = row.getByTestId('new-tabs');
  await expect(budget).toHaveText('Open without asking, up to 20.00\u00a0SEK');
  const field = row.getByLabel(`Allowance at ${DEMO_DISPLAY_NAME} (SEK)`);
  const change = row.getByRole('button', { name: `Change the allowance at ${DEMO_DISPLAY_NAME}` });

  await field.fill('12,5x');
  await change.click();
  await expect(options.merchants.getByRole('alert')).toContainText('The allowance');
  await options.reload();
  await expect(budget).toHaveText('Open without asking, up to 20.00\u00a0SEK');

  await field.fill('12,50');
  await change.click();
  await expect(budget).toHaveText('Open without asking, up to 12.50\u00a0SEK');
  await options.reload();
  await expect(budget).toHaveText('Open without asking, up to 12.50\u00a0SEK');

  // Over the budget: the reader is asked, and declines.
  await shop.openArticle('article-2');
  const confirming = nextConfirmWindow(context);
  await shop.clickPay('article-2');
  const confirm = await confirming;
  await expect(confirm.depositCustomer).toHaveText('20.00\u00a0SEK');
  await confirm.decline();
  expect((await customerAccount(world)).tabs.filter((tab) => tab.state === 'open')).toEqual([]);

  // Within it: no question, and the tab holds the 10.00 SEK typed as "10,00".
  await options.setDefaultDeposit('10,00');
  const prompts = countConfirmWindows(context);
  expect(await shop.buyArticle('article-3')).toContain(article('article-3').paragraphs[0]);
  expect(prompts()).toBe(0);
  const open = (await customerAccount(world)).tabs.filter((tab) => tab.state === 'open');
  expect(open.map((tab) => tab.hold)).toEqual([{ currency: 'SEK', value: '10.00' }]);
});
