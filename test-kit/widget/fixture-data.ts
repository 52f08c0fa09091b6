// The merchant and the stand-in extension the widget tests run against; shared by the server,
// the fake bridge and the assertions so the expected numbers are written down once.

import type { MerchantInfo } from '@opentab/protocol';

export const MERCHANT_INFO: MerchantInfo = {
  merchantId: 'demo-news',
  operatorId: 'op-eu',
  displayName: 'Demo News',
  currency: 'EUR',
  catalogue: [
    {
      itemId: 'article-42',
      title: 'The long read',
      price: { currency: 'EUR', value: '0.05' },
      kind: 'entitlement',
      access_s: 2_592_000,
    },
    {
      itemId: 'article-43',
      title: 'Morning briefing',
      price: { currency: 'EUR', value: '0.10' },
      kind: 'entitlement',
      access_s: 86_400,
    },
    { itemId: 'podcast-7', title: 'Podcast episode 7', price: { currency: 'EUR', value: '0.25' }, kind: 'consumable' },
    {
      itemId: 'late-item',
      title: 'Added later',
      price: { currency: 'EUR', value: '1.20' },
      kind: 'entitlement',
      access_s: 2_592_000,
    },
  ],
  chainUnit: { currency: 'EUR', value: '0.05' },
};

/** Dispatched on window by a test, it lets the fake bridge answer a held pay (data-pay-held). */
export const PAY_RELEASE_EVENT = 'opentab-test:release-pay';

/** SEK per EUR in the stand-in extension's rate table: 0.05 EUR shows as 0.57 SEK. */
export const FAKE_RATE_SEK_PER_EUR = '11.4';
export const FAKE_DEPOSIT_EUR_MINOR = 500n;

/** What each catalogue price converts to at FAKE_RATE_SEK_PER_EUR, worked out by hand. */
export const EXPECTED_SEK: Record<string, string> = {
  'article-42': '0.57',
  'article-43': '1.14',
  'podcast-7': '2.85',
  'late-item': '13.68',
};

export const FAKE_BRIDGE_TEXT = {
  payErrorMessage:
    "A deposit of 20.00 SEK would take today's deposits past your daily cap of 50.00 SEK (40.00 SEK held so far today).",
};
