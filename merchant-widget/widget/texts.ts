// Every sentence a customer can read in the widget, in one place so it can be translated whole.

import type { LocalErrorCode } from './errors';

/** "ECB rate of 28 Jun 2024" under a converted price: the extension's wording, shared with it. */
export { describeRateSource as rateSourceText } from '@opentab/protocol';

export const TEXT = {
  loading: 'Loading price…',
  paying: 'Paying…',
  paid: 'Paid ✓',
  owned: 'Bought ✓',
  alreadyBought: 'Already bought: unlocked, nothing charged.',
  installLink: 'Install Opentab to pay',
  outdatedExtension: 'Update Opentab to pay here.',
  unresponsiveExtension: 'Opentab is not answering yet. Trying again…',
  walletNotSetUp: 'Finish setting up Opentab to pay.',
  priceUnavailable: 'Price unavailable right now.',
  notForSale: 'This item is not for sale here.',
  ratesExpired: 'Exchange rates are out of date, so no converted price is shown.',
  ratesMissing: 'No exchange rates yet, so no converted price is shown.',
  approximately: '≈',
  paymentFailed: 'The payment did not go through.',
  paymentPending: "Payment pending — we'll finish it when the shop answers.",
} as const;

export const LOCAL_ERROR_TEXT: Record<LocalErrorCode, string> = {
  timeout: 'Opentab did not answer in time. Check the extension before paying again.',
  unknown_item: TEXT.notForSale,
  agent_unreachable: 'Could not load prices from the shop.',
  invalid_response: 'Opentab sent an answer this page does not understand.',
  delivery_aborted: 'The shop could not deliver an intact file; nothing was charged.',
};
