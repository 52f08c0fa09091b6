// Scenario: the shop page shows each price in the merchant's EUR and, from the extension, in the
// customer's SEK — exactly what the customer operator's rate table gives.

import { PRODUCTS } from '@opentab/demo-shop';
import { expect, test } from '../fixtures/test';
import { customerPrice, fetchRateTable, lockedRateOf } from '../testing/rates';

test('shop prices appear in EUR and converted to SEK at the operator’s rate', async ({ wallet, world, shop }) => {
  const rate = lockedRateOf(await fetchRateTable(world.customerOperator.url), 'SEK', 'EUR');
  // The ECB reference file the demo operators quote: 11.3595 SEK per EUR.
  expect(rate.customer.perBase).toBe('11.3595');

  await shop.openShop();
  for (const product of PRODUCTS) {
    await expect(shop.price(product.itemId)).toHaveText(`${product.price} EUR`);
    await expect(shop.convertedPrice(product.itemId)).toHaveText(`≈ ${customerPrice(rate, product.price)} SEK`);
    // The demo's rates are the ECB's of 28 June 2024, and the page says so: samples, not today's.
    await expect(shop.rateSource(product.itemId)).toHaveText('Sample ECB rate from 28 Jun 2024');
  }
  // Worked by hand: 30 cents × 11.3595 = 340.785 öre → 341 öre; 150 cents → 1703.925 → 1704 öre.
  await expect(shop.convertedPrice('wallpaper-aurora')).toHaveText('≈ 3.41 SEK');
  await expect(shop.convertedPrice('ebook-ledger')).toHaveText('≈ 17.04 SEK');
});
