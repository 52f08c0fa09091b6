// Scenario: a new user creates the wallet in the popup, enrols on the options page with the
// operator's code, and sees the account in SEK.

import { OptionsPage } from '../pages/options-page';
import { PopupPage } from '../pages/popup-page';
import { enrollmentCodeOf, PASSPHRASE } from '../fixtures/reader';
import { expect, test } from '../fixtures/test';

test('a new user creates the wallet, enrols with the code and sees the balance in SEK', async ({
  context,
  extension,
  world,
}) => {
  const popup = await PopupPage.open(context, extension);
  await popup.createWallet(PASSPHRASE);

  const options = await OptionsPage.open(context, extension);
  await options.enrol(world.customerOperator.url, enrollmentCodeOf(world));
  await expect(options.page.getByRole('region', { name: 'Operator' })).toContainText(
    `account ${world.customer.accountId}`,
  );

  await popup.reload();
  await expect(popup.balance).toHaveText('0.00 SEK');
  // The demo customer's credit limit, nothing held yet.
  await expect(popup.available).toHaveText('500.00 SEK');
  await expect(popup.rateStatus).toContainText('Sample ECB rate from 28 Jun 2024, not current rates; in use until');
  await expect(popup.tabRows).toHaveCount(0);
});
