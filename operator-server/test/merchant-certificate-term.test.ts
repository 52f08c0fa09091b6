// The merchant certificate an MTA hands out for a tab lasts at least until the tab concludes there
// (its expiry plus the record grace period): the customer agent pays only under a certificate in
// force (extension/background/tabs/merchant-certificate-term.test.ts follows such a tab to its end).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTimestamp } from '@opentab/protocol';
import { MERCHANT_OPERATOR, startTwoOperatorWorld, type TwoOperatorWorld } from '@opentab/test-kit/worlds';

let w: TwoOperatorWorld;
/** The tabs stay open: only their certificates are looked at. */
let openTransactions: string[];

beforeEach(async () => {
  w = await startTwoOperatorWorld();
  openTransactions = [];
});

afterEach(async () => {
  try {
    await w.assertInvariants({ pendingHoldRefsAllowed: openTransactions });
  } finally {
    await w.close();
  }
});

const SEVEN_DAYS_S = 7 * 24 * 3600;

async function openTab(timeout_s: number) {
  const customer = await w.newCustomer('500.00');
  const tab = await customer.openTab({
    merchantId: w.merchantId,
    merchantOperatorId: MERCHANT_OPERATOR,
    merchantCurrency: 'EUR',
    deposit: { currency: 'SEK', value: '20.00' },
    timeout_s,
  });
  openTransactions.push(tab.transactionId);
  const { expiresAt, merchantCertificate } = tab.opened.payload;
  return {
    certificate: merchantCertificate,
    expiresAt_ms: parseTimestamp(expiresAt)!,
    validUntil_ms: parseTimestamp(merchantCertificate.payload.validUntil)!,
  };
}

describe("a tab's merchant certificate", () => {
  it('outlasts a tab of the longest timeout the operator allows by its record grace period', async () => {
    const { maxTimeout_s, recordGrace_s } = w.world.operator(MERCHANT_OPERATOR).running.context.config.tabs;
    expect(maxTimeout_s).toBe(SEVEN_DAYS_S);
    const longest = await openTab(maxTimeout_s);
    expect(longest.validUntil_ms).toBeGreaterThanOrEqual(longest.expiresAt_ms + recordGrace_s * 1000);
  });

  it('is one certificate for the tabs it covers, and a new one for a tab it does not', async () => {
    const short = await openTab(600);
    const alsoShort = await openTab(600);
    expect(alsoShort.certificate.sig).toBe(short.certificate.sig);
    const long = await openTab(SEVEN_DAYS_S);
    expect(long.certificate.sig).not.toBe(short.certificate.sig);
    // Issued beyond what it had to cover: the tabs that follow reuse it.
    const afterLong = await openTab(600);
    expect(afterLong.certificate.sig).toBe(long.certificate.sig);
  });
});
